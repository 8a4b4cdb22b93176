import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { badRequest } from '../../meta/errors.js';
import type { Registry } from '../../registry/generic.js';
import type { PodStreams } from '../pod-streams.js';

export interface PodStreamDeps {
  registry: Registry;
  streams: PodStreams;
  logger: Logger;
}

export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container';

export async function getPod(registry: Registry, namespace: string, name: string): Promise<Pod> {
  return (await registry.get(registry.ref('', 'pods'), namespace, name)) as Pod;
}

function allContainerNames(pod: Pod): string[] {
  const spec = pod.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
}

/**
 * The container a request means, as the apiserver's validateContainer decides (plus the default-container
 * annotation, which kubectl resolves client-side but other clients may leave to us).
 */
export function chooseContainer(pod: Pod, requested: string | null | undefined): string {
  const name = pod.metadata?.name ?? '';
  const names = allContainerNames(pod);
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers = pod.spec?.containers ?? [];
  const annotated = pod.metadata?.annotations?.[defaultContainerAnnotation];
  if (annotated && containers.some((c) => c.name === annotated)) return annotated;
  if (containers.length === 1) return containers[0].name;
  if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
}

/** The apiserver refuses pods without a node; the kubelet refuses containers that are not running. */
export function requireRunningContainer(pod: Pod, container: string): void {
  const name = pod.metadata?.name ?? '';
  if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const status = statuses.find((s) => s.name === container);
  if (pod.status?.phase !== 'Running' || (status && !status.state?.running)) throw badRequest(`container not found ("${container}")`);
}

export function requireRunningPod(pod: Pod): void {
  const name = pod.metadata?.name ?? '';
  if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  if (pod.status?.phase !== 'Running') {
    throw badRequest(`unable to do port forwarding: pod ${name} is not running, current phase is ${pod.status?.phase ?? 'Pending'}`);
  }
}

/** strconv.ParseBool, which is how the apiserver decodes stdin=1 / tty=true. */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}
