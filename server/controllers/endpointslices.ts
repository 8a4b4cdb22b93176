import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isNotFound } from '../meta/errors.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { Controller, ControllerDeps } from './deps.js';
import {
  derivedLabels, enqueueServicesAndTheirPods, findPort, managesEndpoints, podIP, selectedBy, shouldPodBeInEndpoints, shouldSetHostname,
  triggerTimeAnnotation, rfc3339Nano, type RPod, type RService,
} from './endpoints-pods.js';
import { isPodReady } from '../registry/kinds/pod-conditions.js';
import { runningController, WorkQueue, type Result } from './runtime.js';
import { deepCopy } from '../meta/deep-copy.js';

type SliceObject = EndpointSlice & KubeObject;
type RSlice = DeepReadonly<SliceObject>;

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
export const maxEndpointsPerSlice = 100;

const slices = { group: 'discovery.k8s.io', resource: 'endpointslices' };

/** podToEndpoint: terminating pods stay, with serving/terminating telling their state. */
export function podToEndpoint(pod: RPod, svc: RService, zoneOf: (node: string) => string | undefined): Endpoint {
  const publish = !!svc.spec?.publishNotReadyAddresses;
  const serving = publish || isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = publish || (serving && !terminating);
  const node = pod.spec?.nodeName;
  const zone = node ? zoneOf(node) : undefined;
  return {
    addresses: [podIP(pod)],
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec!.hostname } : {}),
    ...(node ? { nodeName: node } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    ...(zone ? { zone } : {}),
  };
}

export interface DesiredSlice {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/** Endpoints grouped by the port set their pod serves, at most 100 to a slice; one empty placeholder when none. */
export function desiredSlices(svc: RService, pods: readonly RPod[], zoneOf: (node: string) => string | undefined): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  const sorted = [...pods].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  for (const pod of sorted) {
    if (!selectedBy(svc, pod) || !shouldPodBeInEndpoints(pod, true)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(pod, svc, zoneOf));
  }
  const out: DesiredSlice[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.endpoints.length; i += maxEndpointsPerSlice) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + maxEndpointsPerSlice) });
  }
  return out.length ? out : [{ ports: [], endpoints: [] }];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function sliceLabels(svc: RService): Record<string, string> {
  return { ...derivedLabels(svc), [serviceNameLabel]: svc.metadata.name!, [managedByLabel]: controllerName };
}

/** The endpointslice controller: keeps the managed slices of each selector Service equal to the desired set. */
export function startEndpointSliceController(deps: ControllerDeps): Controller {
  const { informers, client, clock, logger } = deps;
  const services = informers.for<Service & KubeObject>('', 'services');
  const pods = informers.for<Pod & KubeObject>('', 'pods');
  const nodes = informers.for<Node & KubeObject>('', 'nodes');
  const existing = informers.for<SliceObject>('discovery.k8s.io', 'endpointslices');
  const zoneOf = (node: string): string | undefined => nodes.get(undefined, node)?.metadata.labels?.['topology.kubernetes.io/zone'];

  const managedSlices = (namespace: string, name: string): RSlice[] => existing.list(namespace)
    .filter((s) => s.metadata.labels?.[serviceNameLabel] === name && s.metadata.labels?.[managedByLabel] === controllerName)
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));

  const remove = async (slice: RSlice): Promise<void> => {
    try {
      await client.delete(slices, slice.metadata.namespace!, slice.metadata.name!);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };

  const reconcile = async (key: string): Promise<Result | void> => {
    const [namespace, name] = key.split('/');
    const svc = services.get(namespace, name);
    const have = managedSlices(namespace, name);
    if (!svc || !managesEndpoints(svc)) {
      for (const s of have) await remove(s);
      return;
    }
    const want = desiredSlices(svc, pods.list(namespace), zoneOf);
    const labels = sliceLabels(svc);
    const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    const unused = [...have];
    const now = rfc3339Nano(clock.now());
    for (const d of want) {
      // Reuse a slice with the same ports, preferring one that already holds exactly these endpoints.
      const sameEndpoints = unused.findIndex((s) => sameJson(s.ports ?? [], d.ports) && sameJson(s.endpoints ?? [], d.endpoints));
      const idx = sameEndpoints >= 0 ? sameEndpoints : unused.findIndex((s) => sameJson(s.ports ?? [], d.ports));
      if (idx < 0) {
        await client.create<SliceObject>(slices, namespace, {
          metadata: { generateName: `${name}-`, namespace, labels, annotations: { [triggerTimeAnnotation]: now }, ownerReferences },
          addressType: 'IPv4', ports: d.ports, endpoints: d.endpoints,
        });
        continue;
      }
      const [slice] = unused.splice(idx, 1);
      if (sameJson(slice.endpoints ?? [], d.endpoints) && sameJson(slice.metadata.labels ?? {}, labels)) continue;
      const next = deepCopy(slice) as SliceObject;
      next.endpoints = d.endpoints;
      next.metadata.labels = labels;
      next.metadata.annotations = { ...next.metadata.annotations, [triggerTimeAnnotation]: now };
      await client.update(slices, namespace, next);
    }
    for (const s of unused) await remove(s);
  };

  // A sync reads every pod of the Service and rewrites its slices: one per burst of pod events.
  const queue = new WorkQueue({ name: 'endpointslice', clock, logger, reconcile, coalesce: true });
  const offs = [
    ...enqueueServicesAndTheirPods(services, pods, (key) => queue.add(key)),
    existing.onEvent((e) => {
      const svc = e.object.metadata.labels?.[serviceNameLabel];
      if (svc && e.object.metadata.labels?.[managedByLabel] === controllerName) queue.add(`${e.object.metadata.namespace}/${svc}`);
    }),
  ];
  for (const i of [services, pods, nodes, existing]) i.start();
  for (const s of services.list()) queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
  return runningController('endpointslice', queue, offs);
}
