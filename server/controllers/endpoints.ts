import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import { core } from './client.js';
import type { Controller, ControllerDeps } from './deps.js';
import {
  derivedLabels, enqueueServicesAndTheirPods, findPort, managesEndpoints, podIP, selectedBy, shouldPodBeInEndpoints, shouldSetHostname,
  triggerTimeAnnotation, rfc3339Nano, type RPod, type RService,
} from './endpoints-pods.js';
import { isPodReady } from '../registry/kinds/pod-conditions.js';
import { runningController, WorkQueue, type Result } from './runtime.js';
import { deepCopy } from '../meta/deep-copy.js';

type EndpointsObject = Endpoints & KubeObject;

function address(pod: RPod, svc: RService): EndpointAddress {
  return {
    ip: podIP(pod),
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec!.hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
}

/**
 * The subsets the endpoints controller computes for a Service: each pod under every port it can
 * serve, ready ones in addresses and the others in notReadyAddresses (all in addresses with
 * publishNotReadyAddresses), then repacked so addresses sharing a port set share a subset.
 */
export function desiredSubsets(svc: RService, pods: readonly RPod[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const add = (ports: EndpointPort[], pod: RPod): void => {
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (tolerateUnready || isPodReady(pod) ? g.ready : g.notReady).push(address(pod, svc));
  };
  for (const pod of pods) {
    if (!selectedBy(svc, pod) || !shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const svcPorts = svc.spec?.ports ?? [];
    if (!svcPorts.length) {
      add([], pod);
      continue;
    }
    // Each port is its own subset before repacking, so a pod lacking a named port still serves the others.
    const ports: EndpointPort[] = [];
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (ports.length) add(ports, pod);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress): number => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.uid ?? '') < (b.targetRef?.uid ?? '') ? -1 : 1);
  return [...groups.values()].map((g) => ({
    ...(g.ready.length ? { addresses: g.ready.sort(byIP) } : {}),
    ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIP) } : {}),
    ...(g.ports.length ? { ports: g.ports } : {}),
  }));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The endpoints controller: one Endpoints object per selector Service, written only when it changes. */
export function startEndpointsController(deps: ControllerDeps): Controller {
  const { informers, client, clock, logger } = deps;
  const services = informers.for<Service & KubeObject>('', 'services');
  const pods = informers.for<Pod & KubeObject>('', 'pods');
  const endpoints = informers.for<EndpointsObject>('', 'endpoints');

  const reconcile = async (key: string): Promise<Result | void> => {
    const [namespace, name] = key.split('/');
    const svc = services.get(namespace, name);
    const current = endpoints.get(namespace, name);
    if (!svc) {
      // As upstream: the Endpoints named after a deleted Service go with it.
      if (current) {
        try {
          await client.delete(core('endpoints'), namespace, name);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      return;
    }
    if (!managesEndpoints(svc)) return;
    const subsets = desiredSubsets(svc, pods.list(namespace));
    const labels = derivedLabels(svc);
    if (current && sameJson(current.subsets ?? [], subsets) && sameJson(current.metadata.labels ?? {}, labels)) return;
    const annotations = { ...(current?.metadata.annotations ?? {}), [triggerTimeAnnotation]: rfc3339Nano(clock.now()) };
    if (!current) {
      await client.create<EndpointsObject>(core('endpoints'), namespace, {
        metadata: { name, namespace, labels, annotations }, ...(subsets.length ? { subsets } : {}),
      });
      return;
    }
    const next = deepCopy(current) as EndpointsObject;
    next.metadata.labels = labels;
    next.metadata.annotations = annotations;
    if (subsets.length) next.subsets = subsets;
    else delete next.subsets;
    await client.update(core('endpoints'), namespace, next);
  };

  // A sync reads every pod of the Service and rewrites the whole object: one per burst of pod events.
  const queue = new WorkQueue({ name: 'endpoints', clock, logger, reconcile, coalesce: true });
  const offs = [
    ...enqueueServicesAndTheirPods(services, pods, (key) => queue.add(key)),
    endpoints.onEvent((e) => {
      if (e.type === 'DELETED' && services.get(e.object.metadata.namespace, e.object.metadata.name!)) queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
    }),
  ];
  for (const i of [services, pods, endpoints]) i.start();
  for (const s of services.list()) queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
  return runningController('endpoints', queue, offs);
}
