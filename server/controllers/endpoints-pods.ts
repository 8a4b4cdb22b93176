import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { Informer } from '../store/informer.js';

/** Which pods back which Service ports: the rules the Endpoints and EndpointSlice controllers share. */

export type RPod = DeepReadonly<Pod & KubeObject>;
export type RService = DeepReadonly<Service & KubeObject>;

export const headlessLabel = 'service.kubernetes.io/headless';
export const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';

export function isHeadless(svc: RService): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** Services the controllers manage: a selector, and not ExternalName. */
export function managesEndpoints(svc: RService): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec.type !== 'ExternalName';
}

export function selectedBy(svc: RService, pod: RPod): boolean {
  if (pod.metadata.namespace !== svc.metadata.namespace) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(svc.spec?.selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** ShouldPodBeInEndpoints: an IP, not terminal for its restart policy, and (unless allowed) not terminating. */
export function shouldPodBeInEndpoints(pod: RPod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIPs?.length && !pod.status?.podIP) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (policy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/** ShouldSetHostname: the pod names itself into this Service's subdomain. */
export function shouldSetHostname(pod: RPod, svc: RService): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/** FindPort: a numeric targetPort is used as is; a name resolves against the pod's container ports. */
export function findPort(pod: RPod, port: DeepReadonly<ServicePort>): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export function podIP(pod: RPod): string {
  return pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '';
}

/** The Service's labels on the objects derived from it, with the headless marker kept in step. */
export function derivedLabels(svc: RService): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[headlessLabel];
  if (isHeadless(svc)) labels[headlessLabel] = '';
  return labels;
}

/** RFC 3339 with nanoseconds, as metav1.Time's RFC3339Nano formatting of the trigger time. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_, frac: string) => (frac === '000' ? 'Z' : `.${frac.replace(/0+$/, '')}Z`));
}

/**
 * Queues `namespace/name` of a Service when it changes and of every Service selecting a pod that changes
 * (before and after a relabel, which may leave a Service the pod no longer matches).
 */
export function enqueueServicesAndTheirPods(
  services: Informer<Service & KubeObject>, pods: Informer<Pod & KubeObject>, add: (key: string) => void,
): (() => void)[] {
  const forPod = (pod: RPod): void => {
    for (const svc of services.list(pod.metadata.namespace)) if (selectedBy(svc, pod)) add(`${svc.metadata.namespace}/${svc.metadata.name}`);
  };
  return [
    services.onEvent((e) => add(`${e.object.metadata.namespace}/${e.object.metadata.name}`)),
    pods.onEvent((e) => {
      forPod(e.object);
      if (e.type === 'MODIFIED') forPod(e.previous);
    }),
  ];
}
