import { allVerbs, groupVersion, type ResourceInfo } from '../registry/resource.js';

/** A subresource served by the api layer itself (pods/log, pods/exec, ...), announced in discovery. */
export interface ExtraSubresource {
  resource: string;
  group: string;
  subresource: string;
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

/** The subresources handlers of the api layer serve, each announced only when its handler is installed. */
export const apiLayerSubresources: ExtraSubresource[] = [
  { resource: 'pods', group: '', subresource: 'attach', kind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] },
  { resource: 'pods', group: '', subresource: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
  { resource: 'pods', group: '', subresource: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
  { resource: 'pods', group: '', subresource: 'exec', kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
  { resource: 'pods', group: '', subresource: 'log', kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
  { resource: 'pods', group: '', subresource: 'portforward', kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
  { resource: 'pods', group: '', subresource: 'proxy', kind: { group: '', version: 'v1', kind: 'PodProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  { resource: 'services', group: '', subresource: 'proxy', kind: { group: '', version: 'v1', kind: 'ServiceProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  { resource: 'serviceaccounts', group: '', subresource: 'token', kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] },
];

/** What discovery tells of a resource: a registry kind, or one the api layer answers itself (the reviews). */
export type DiscoveredResource = Pick<ResourceInfo, 'group' | 'versions' | 'resource' | 'singular' | 'kind' | 'namespaced' | 'shortNames' | 'categories' | 'verbs' | 'statusSubresource' | 'scale' | 'updateSubresources'>;

interface SubresourceEntry {
  subresource: string;
  responseKind: { group: string; version: string; kind: string };
  verbs: string[];
}

function subresourcesOf(info: DiscoveredResource, version: string, extras: ExtraSubresource[]): SubresourceEntry[] {
  const out: SubresourceEntry[] = [];
  if (info.scale) out.push({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
  if (info.statusSubresource) out.push({ subresource: 'status', responseKind: { group: info.group, version, kind: info.kind }, verbs: ['get', 'patch', 'update'] });
  for (const sub of Object.keys(info.updateSubresources ?? {})) {
    out.push({ subresource: sub, responseKind: { group: info.group, version, kind: info.kind }, verbs: ['get', 'patch', 'update'] });
  }
  for (const e of extras) {
    if (e.resource === info.resource && e.group === info.group) out.push({ subresource: e.subresource, responseKind: e.kind, verbs: e.verbs });
  }
  return out.sort((a, b) => byText(a.subresource, b.subresource));
}

export interface GroupVersions {
  group: string;
  versions: { version: string; resources: DiscoveredResource[] }[];
}

/** Groups in the order kube-apiserver lists them, versions preferred first. */
export function groupsOf(resources: DiscoveredResource[]): GroupVersions[] {
  const order: string[] = [];
  const byGroup = new Map<string, Map<string, DiscoveredResource[]>>();
  for (const r of resources) {
    if (!byGroup.has(r.group)) {
      byGroup.set(r.group, new Map());
      order.push(r.group);
    }
    const versions = byGroup.get(r.group)!;
    for (const v of r.versions) {
      if (!versions.has(v.name)) versions.set(v.name, []);
      versions.get(v.name)!.push(r);
    }
  }
  return order.map((group) => ({
    group,
    versions: [...byGroup.get(group)!.entries()]
      .sort(([a], [b]) => versionPriority(b) - versionPriority(a))
      .map(([version, rs]) => ({ version, resources: rs.sort((a, b) => byText(a.resource, b.resource)) })),
  }));
}

/** Resource names are lowercase ASCII: code-unit order, without localeCompare's ICU start-up (~9 ms). */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kubernetes version ordering: GA > beta > alpha, higher numbers first. */
function versionPriority(v: string): number {
  const m = v.match(/^v(\d+)(?:(alpha|beta)(\d+))?$/);
  if (!m) return 0;
  const major = Number(m[1]);
  const stage = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3;
  return stage * 1_000_000 + major * 1000 + Number(m[3] ?? 0);
}

export function aggregatedDiscovery(groups: GroupVersions[], apiVersion: 'v2' | 'v2beta1', extras: ExtraSubresource[]): unknown {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g.group ? { name: g.group, creationTimestamp: null } : { creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v.version,
        resources: v.resources.map((r) => ({
          resource: r.resource,
          responseKind: { group: r.group, version: v.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs ?? allVerbs,
          ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
          ...(r.categories?.length ? { categories: r.categories } : {}),
          ...(subresourcesOf(r, v.version, extras).length ? { subresources: subresourcesOf(r, v.version, extras) } : {}),
        })),
        freshness: 'Current',
      })),
    })),
  };
}

export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: GroupVersions): Record<string, unknown> {
  const versions = g.versions.map((v) => ({ groupVersion: groupVersion(g.group, v.version), version: v.version }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(groups: GroupVersions[]): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.filter((g) => g.group).map(apiGroup) };
}

export function apiGroupDoc(g: GroupVersions): unknown {
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) };
}

export function apiResourceList(group: string, version: string, resources: DiscoveredResource[], extras: ExtraSubresource[]): unknown {
  const entries: Record<string, unknown>[] = [];
  for (const r of resources) {
    entries.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs ?? allVerbs,
      ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories?.length ? { categories: r.categories } : {}),
    });
    for (const s of subresourcesOf(r, version, extras)) {
      const sameGroup = s.responseKind.group === group && s.responseKind.version === version;
      entries.push({
        name: `${r.resource}/${s.subresource}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(sameGroup ? {} : { group: s.responseKind.group, version: s.responseKind.version }),
        kind: s.responseKind.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources: entries };
}
