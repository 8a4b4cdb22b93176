/**
 * The DnsView fed by watch events, as CoreDNS's informers feed dnsController: every object is
 * converted to a small record on arrival (object/service.go ToService, object/endpoint.go
 * EndpointSliceToEndpoints) and indexed by what queries ask for, so answering never walks the
 * whole store and never holds on to full API objects.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject, WatchEvent } from '../meta/types.js';
import { assertNever } from '../meta/types.js';
import type { Clock } from '../meta/clock.js';
import { canonicalIP } from './ip.js';
import type { DnsEndpoint, DnsEndpointPort, DnsPod, DnsService, DnsServicePort, DnsView, ServiceType } from './view.js';
import { serviceKey } from './view.js';

/** The resources the view watches, named as the API names them. */
export type DnsWatchedResource = 'services' | 'endpointslices' | 'namespaces' | 'pods';
export const dnsWatchedResources: readonly DnsWatchedResource[] = ['services', 'endpointslices', 'namespaces', 'pods'];

const serviceNameLabel = 'kubernetes.io/service-name';

interface StoredSlice {
  readonly serviceKey: string;
  readonly ips: readonly string[];
  readonly endpoints: readonly DnsEndpoint[];
}

export interface WatchedDnsViewOptions {
  /** Wall time for the SOA serial; only its now() is used. */
  clock: Pick<Clock, 'now'>;
  /** Kinds that must deliver their initial list before hasSynced(); all four unless narrowed. */
  waitFor?: readonly DnsWatchedResource[];
}

export class WatchedDnsView implements DnsView {
  private readonly services = new Map<string, DnsService>();
  private readonly servicesByIp = new Map<string, Set<string>>();
  private readonly slices = new Map<string, StoredSlice>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly slicesByIp = new Map<string, Set<string>>();
  private readonly endpointsCache = new Map<string, readonly DnsEndpoint[]>();
  private readonly pods = new Map<string, DnsPod>();
  private readonly podsByIp = new Map<string, Set<string>>();
  private readonly namespaces = new Set<string>();
  private readonly synced = new Set<DnsWatchedResource>();
  private readonly waitFor: readonly DnsWatchedResource[];
  private readonly clock: Pick<Clock, 'now'>;
  private changes = 0;
  private lastSerial = 0;

  constructor(options: WatchedDnsViewOptions) {
    this.clock = options.clock;
    this.waitFor = options.waitFor ?? dnsWatchedResources;
  }

  // ---- feeding ----

  /** Applies one watch event of the given resource; BOOKMARK and ERROR events change nothing. */
  apply(resource: DnsWatchedResource, event: WatchEvent): void {
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(resource, event.object);
        break;
      case 'DELETED':
        this.remove(resource, event.object);
        break;
      case 'BOOKMARK':
      case 'ERROR':
        return;
      default:
        assertNever(event);
    }
    this.touch();
  }

  /** The per-kind form a watch callback wants: `subscribe('pods', view.applier('pods'))`. */
  applier(resource: DnsWatchedResource): (event: WatchEvent) => void {
    return (event) => this.apply(resource, event);
  }

  /** Replaces everything known about a resource (after a relist) and marks it synced. */
  replaceAll(resource: DnsWatchedResource, objects: readonly KubeObject[]): void {
    for (const key of this.keysOf(resource)) this.removeKey(resource, key);
    for (const object of objects) this.upsert(resource, object);
    this.synced.add(resource);
    this.touch();
  }

  markSynced(resource: DnsWatchedResource): void {
    this.synced.add(resource);
  }

  // ---- DnsView ----

  service(namespace: string, name: string): DnsService | undefined {
    return this.services.get(serviceKey(namespace, name));
  }

  endpoints(namespace: string, serviceName: string): readonly DnsEndpoint[] {
    const key = serviceKey(namespace, serviceName);
    const cached = this.endpointsCache.get(key);
    if (cached) return cached;
    const merged: DnsEndpoint[] = [];
    for (const sliceKey of this.slicesByService.get(key) ?? []) merged.push(...(this.slices.get(sliceKey)?.endpoints ?? []));
    this.endpointsCache.set(key, merged);
    return merged;
  }

  servicesByIP(ip: string): readonly DnsService[] {
    return lookupAll(this.servicesByIp.get(canonicalIP(ip)), this.services);
  }

  endpointsByIP(ip: string): readonly DnsEndpoint[] {
    const canonical = canonicalIP(ip);
    return lookupAll(this.slicesByIp.get(canonical), this.slices).flatMap((s) =>
      s.endpoints.filter((e) => e.addresses.includes(canonical)),
    );
  }

  podsByIP(ip: string): readonly DnsPod[] {
    return lookupAll(this.podsByIp.get(canonicalIP(ip)), this.pods);
  }

  hasNamespace(namespace: string): boolean {
    return this.namespaces.has(namespace.toLowerCase());
  }

  hasSynced(): boolean {
    return this.waitFor.every((r) => this.synced.has(r));
  }

  changeCount(): number {
    return this.changes;
  }

  serial(): number {
    return this.lastSerial;
  }

  // ---- internals ----

  private touch(): void {
    this.changes++;
    // a timestamp like CoreDNS's, but strictly increasing so secondaries see every change
    this.lastSerial = Math.max(this.lastSerial + 1, Math.floor(this.clock.now() / 1000)) >>> 0;
  }

  private upsert(resource: DnsWatchedResource, object: KubeObject): void {
    const key = objectKeyOf(object);
    this.removeKey(resource, key);
    switch (resource) {
      case 'services': {
        const record = toDnsService(object as Service);
        if (!record) return;
        const sk = serviceKey(record.namespace, record.name);
        this.services.set(sk, record);
        for (const ip of record.clusterIPs) addToIndex(this.servicesByIp, ip, sk);
        return;
      }
      case 'endpointslices': {
        // the store holds EndpointSlices in their served form; the KubeObject index signature hides that
        const slice = toStoredSlice(object as unknown as EndpointSlice);
        if (!slice) return;
        this.slices.set(key, slice);
        addToIndex(this.slicesByService, slice.serviceKey, key);
        for (const ip of slice.ips) addToIndex(this.slicesByIp, ip, key);
        this.endpointsCache.delete(slice.serviceKey);
        return;
      }
      case 'namespaces': {
        const name = object.metadata.name;
        if (name) this.namespaces.add(name.toLowerCase());
        return;
      }
      case 'pods': {
        const pod = toDnsPod(object as Pod);
        if (!pod) return;
        this.pods.set(key, pod);
        for (const ip of pod.ips) addToIndex(this.podsByIp, ip, key);
        return;
      }
      default:
        assertNever(resource);
    }
  }

  private remove(resource: DnsWatchedResource, object: KubeObject): void {
    this.removeKey(resource, objectKeyOf(object));
  }

  /** Keys are namespace/name for every resource, so one removal routine serves all four. */
  private removeKey(resource: DnsWatchedResource, key: string): void {
    switch (resource) {
      case 'services': {
        const sk = serviceKeyFromObjectKey(key);
        const old = this.services.get(sk);
        if (!old) return;
        this.services.delete(sk);
        for (const ip of old.clusterIPs) removeFromIndex(this.servicesByIp, ip, sk);
        return;
      }
      case 'endpointslices': {
        const old = this.slices.get(key);
        if (!old) return;
        this.slices.delete(key);
        removeFromIndex(this.slicesByService, old.serviceKey, key);
        for (const ip of old.ips) removeFromIndex(this.slicesByIp, ip, key);
        this.endpointsCache.delete(old.serviceKey);
        return;
      }
      case 'namespaces':
        this.namespaces.delete(key.slice(key.indexOf('/') + 1).toLowerCase());
        return;
      case 'pods': {
        const old = this.pods.get(key);
        if (!old) return;
        this.pods.delete(key);
        for (const ip of old.ips) removeFromIndex(this.podsByIp, ip, key);
        return;
      }
      default:
        assertNever(resource);
    }
  }

  private keysOf(resource: DnsWatchedResource): string[] {
    switch (resource) {
      case 'services':
        return [...this.services.values()].map((s) => `${s.namespace}/${s.name}`);
      case 'endpointslices':
        return [...this.slices.keys()];
      case 'namespaces':
        return [...this.namespaces].map((n) => `/${n}`);
      case 'pods':
        return [...this.pods.keys()];
      default:
        return assertNever(resource);
    }
  }
}

/**
 * Connects a view to the store's watches. `subscribe` must deliver the current objects as ADDED
 * events before it returns (or before its promise settles), then every later change; that is the
 * point at which the resource counts as synced. Returns a function that stops all watches.
 */
export type DnsWatchSubscribe = (
  resource: DnsWatchedResource,
  handler: (event: WatchEvent) => void,
) => (() => void) | Promise<() => void>;

export async function connectDnsView(view: WatchedDnsView, subscribe: DnsWatchSubscribe): Promise<() => void> {
  const stops = await Promise.all(
    dnsWatchedResources.map(async (resource) => {
      const stop = await subscribe(resource, view.applier(resource));
      view.markSynced(resource);
      return stop;
    }),
  );
  return () => stops.forEach((stop) => stop());
}

// ---- conversions (exported for tests) ----

export function toDnsService(svc: Service): DnsService | undefined {
  const name = svc.metadata?.name;
  const namespace = svc.metadata?.namespace;
  if (!name || !namespace) return undefined;
  const spec = svc.spec ?? {};
  const type = (spec.type ?? 'ClusterIP') as ServiceType;
  const declaredIPs = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const headless = type !== 'ExternalName' && declaredIPs[0] === 'None';
  const clusterIPs = type === 'ExternalName' || headless ? [] : declaredIPs.filter((ip) => ip !== '').map(canonicalIP);
  const ports: DnsServicePort[] = (spec.ports ?? []).map((p) => ({
    name: p.name ?? '',
    port: p.port,
    protocol: p.protocol ?? 'TCP',
  }));
  return {
    name,
    namespace,
    type,
    clusterIPs,
    headless,
    ports,
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    ...(type === 'ExternalName' && spec.externalName ? { externalName: spec.externalName } : {}),
  };
}

function toStoredSlice(slice: EndpointSlice): StoredSlice | undefined {
  const namespace = slice.metadata?.namespace;
  const sliceName = slice.metadata?.name;
  const serviceName = slice.metadata?.labels?.[serviceNameLabel];
  // FQDN slices carry names, not addresses: DNS cannot publish them as A records
  if (!namespace || !sliceName || !serviceName || slice.addressType === 'FQDN') return undefined;
  const ports: DnsEndpointPort[] = (slice.ports ?? []).map((p) => ({
    name: p.name ?? '',
    port: p.port ?? -1,
    protocol: p.protocol ?? 'TCP',
  }));
  const endpoints: DnsEndpoint[] = (slice.endpoints ?? []).map((e) => ({
    serviceName,
    namespace,
    sliceName,
    addresses: e.addresses.map(canonicalIP),
    ...(e.hostname ? { hostname: e.hostname } : {}),
    ready: e.conditions?.ready ?? true,
    serving: e.conditions?.serving ?? e.conditions?.ready ?? true,
    terminating: e.conditions?.terminating ?? false,
    ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    ...(e.targetRef?.name ? { targetPodName: e.targetRef.name } : {}),
    ports,
  }));
  return {
    serviceKey: serviceKey(namespace, serviceName),
    ips: [...new Set(endpoints.flatMap((e) => e.addresses))],
    endpoints,
  };
}

function toDnsPod(pod: Pod): DnsPod | undefined {
  const name = pod.metadata?.name;
  const namespace = pod.metadata?.namespace;
  if (!name || !namespace) return undefined;
  const listed = (pod.status?.podIPs ?? []).flatMap((p) => (p.ip ? [p.ip] : []));
  const ips = listed.length ? listed : pod.status?.podIP ? [pod.status.podIP] : [];
  return { name, namespace, ips: ips.map(canonicalIP), terminating: Boolean(pod.metadata?.deletionTimestamp) };
}

function objectKeyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}

function serviceKeyFromObjectKey(key: string): string {
  const slash = key.indexOf('/');
  return serviceKey(key.slice(0, slash), key.slice(slash + 1));
}

function addToIndex(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}

function removeFromIndex(index: Map<string, Set<string>>, value: string, key: string): void {
  const set = index.get(value);
  if (!set) return;
  set.delete(key);
  if (set.size === 0) index.delete(value);
}

function lookupAll<T>(keys: Set<string> | undefined, from: Map<string, T>): T[] {
  if (!keys) return [];
  const out: T[] = [];
  for (const key of keys) {
    const value = from.get(key);
    if (value !== undefined) out.push(value);
  }
  return out;
}
