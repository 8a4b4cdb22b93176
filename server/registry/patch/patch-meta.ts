/**
 * What a patch needs to know about a field: the Go struct tags
 * (patchMergeKey/patchStrategy) for strategic merge, and the x-kubernetes-list-*
 * and map-type markers for server-side apply's field ownership.
 *
 * The lookup is injected: server/schema (generated from the real OpenAPI) will
 * provide it; until then fallbackPatchMeta(kind) knows the fields kubectl touches
 * on the kinds kubemock serves.
 *
 * A path is the list of field names from the object's root; list items are not
 * part of it: containers[*].ports is ['spec','containers','ports'] on a Pod.
 */
export interface PatchMeta {
  /** patchMergeKey: the field identifying an item of a merged list. */
  mergeKey?: string;
  /** patchStrategy as in the Go tag: "merge", "replace", "retainKeys" or "merge,retainKeys". */
  strategy?: string;
  /** x-kubernetes-list-type; when absent it is derived from mergeKey/strategy. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys; when absent [mergeKey]. */
  listMapKeys?: string[];
  /** x-kubernetes-map-type / structType: "atomic" objects are owned as one field by SSA. */
  mapType?: 'atomic' | 'granular';
}

export type PatchMetaLookup = (path: readonly string[]) => PatchMeta | undefined;

export function hasStrategy(meta: PatchMeta | undefined, strategy: 'merge' | 'replace' | 'retainKeys'): boolean {
  return (meta?.strategy ?? '').split(',').map((s) => s.trim()).includes(strategy);
}

/** The SSA view of a list: map lists are keyed, sets hold scalars, atomic lists are one value. */
export function listShape(meta: PatchMeta | undefined): { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] } {
  if (meta?.listType === 'map') return { type: 'map', keys: meta.listMapKeys ?? (meta.mergeKey ? [meta.mergeKey] : []) };
  if (meta?.listType === 'set') return { type: 'set' };
  if (meta?.listType === 'atomic') return { type: 'atomic' };
  if (meta?.mergeKey && hasStrategy(meta, 'merge')) return { type: 'map', keys: meta.listMapKeys ?? [meta.mergeKey] };
  if (hasStrategy(meta, 'merge')) return { type: 'set' };
  return { type: 'atomic' };
}

export const noPatchMeta: PatchMetaLookup = () => undefined;

type Table = Record<string, PatchMeta>;

const byName: PatchMeta = { mergeKey: 'name', strategy: 'merge', listType: 'map', listMapKeys: ['name'] };
const mergedSet: PatchMeta = { strategy: 'merge', listType: 'set' };
const atomicStruct: PatchMeta = { mapType: 'atomic' };
const conditionsByType: PatchMeta = { mergeKey: 'type', strategy: 'merge', listType: 'map', listMapKeys: ['type'] };

/** Container fields (k8s.io/api core/v1 Container tags). */
const container: Table = {
  ports: { mergeKey: 'containerPort', strategy: 'merge', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
  env: byName,
  volumeMounts: { mergeKey: 'mountPath', strategy: 'merge', listType: 'map', listMapKeys: ['mountPath'] },
  volumeDevices: { mergeKey: 'devicePath', strategy: 'merge', listType: 'map', listMapKeys: ['devicePath'] },
  resizePolicy: { listType: 'atomic' },
};

const podSpec: Table = {
  ...prefixed('containers', container),
  ...prefixed('initContainers', container),
  ...prefixed('ephemeralContainers', container),
  containers: byName,
  initContainers: byName,
  ephemeralContainers: byName,
  volumes: { mergeKey: 'name', strategy: 'merge,retainKeys', listType: 'map', listMapKeys: ['name'] },
  imagePullSecrets: byName,
  hostAliases: { mergeKey: 'ip', strategy: 'merge', listType: 'map', listMapKeys: ['ip'] },
  topologySpreadConstraints: { mergeKey: 'topologyKey', strategy: 'merge', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
  schedulingGates: byName,
  resourceClaims: byName,
  'topologySpreadConstraints.labelSelector': atomicStruct,
};

const podStatus: Table = {
  conditions: conditionsByType,
  podIPs: { mergeKey: 'ip', strategy: 'merge', listType: 'map', listMapKeys: ['ip'] },
  hostIPs: { mergeKey: 'ip', strategy: 'merge', listType: 'map', listMapKeys: ['ip'] },
};

const objectMeta: Table = {
  ownerReferences: { mergeKey: 'uid', strategy: 'merge', listType: 'map', listMapKeys: ['uid'] },
  finalizers: mergedSet,
};

const podTemplateSpec: Table = { ...prefixed('metadata', objectMeta), ...prefixed('spec', podSpec) };

/** Workloads whose spec holds a selector and a pod template. */
const workloadSpec: Table = { selector: atomicStruct, ...prefixed('template', podTemplateSpec) };

const kindTables: Record<string, Table> = {
  Pod: { ...prefixed('spec', podSpec), ...prefixed('status', podStatus) },
  PodTemplate: prefixed('template', podTemplateSpec),
  StatefulSet: {
    ...prefixed('spec', workloadSpec),
    'spec.volumeClaimTemplates': { listType: 'atomic' },
    'status.conditions': conditionsByType,
  },
  Deployment: {
    ...prefixed('spec', workloadSpec),
    'spec.strategy': { strategy: 'retainKeys' },
    'status.conditions': conditionsByType,
  },
  ReplicaSet: { ...prefixed('spec', workloadSpec), 'status.conditions': conditionsByType },
  DaemonSet: { ...prefixed('spec', workloadSpec), 'status.conditions': conditionsByType },
  ReplicationController: { ...prefixed('spec.template', podTemplateSpec), 'status.conditions': conditionsByType },
  Job: { ...prefixed('spec', workloadSpec), 'status.conditions': { listType: 'atomic' } },
  CronJob: prefixed('spec.jobTemplate.spec', workloadSpec),
  Service: {
    'spec.ports': { mergeKey: 'port', strategy: 'merge', listType: 'map', listMapKeys: ['port', 'protocol'] },
    'spec.clusterIPs': { listType: 'atomic' },
    'spec.ipFamilies': { listType: 'atomic' },
    'status.conditions': { listType: 'map', listMapKeys: ['type'] },
  },
  PersistentVolumeClaim: { 'spec.selector': atomicStruct, 'status.conditions': conditionsByType },
  PersistentVolume: { 'spec.claimRef': { mapType: 'granular' } },
  Node: {
    'spec.podCIDRs': mergedSet,
    'status.conditions': conditionsByType,
    'status.addresses': { mergeKey: 'type', strategy: 'merge', listType: 'atomic' },
  },
  Namespace: { 'status.conditions': conditionsByType },
  EndpointSlice: {},
  Endpoints: {},
};

function prefixed(prefix: string, table: Table): Table {
  const out: Table = {};
  for (const [k, v] of Object.entries(table)) out[`${prefix}.${k}`] = v;
  return out;
}

/**
 * The built-in stand-in for the generated schema lookup. Unknown kinds still get
 * ObjectMeta's rules, so finalizers and ownerReferences merge everywhere.
 */
export function fallbackPatchMeta(kind: string): PatchMetaLookup {
  // asked for on every write: the table and its lookup are built once per kind
  let lookup = fallbackLookups.get(kind);
  if (!lookup) {
    const root = trieOf({ ...prefixed('metadata', objectMeta), ...(kindTables[kind] ?? {}) });
    // a walk down the trie, not a joined key: every object and list of every write is looked up
    lookup = (path) => {
      let node: TrieNode | undefined = root;
      for (let i = 0; node && i < path.length; i++) node = node.children.get(path[i]);
      return node?.meta;
    };
    fallbackLookups.set(kind, lookup);
  }
  return lookup;
}

interface TrieNode {
  meta?: PatchMeta;
  children: Map<string, TrieNode>;
}

function trieOf(table: Table): TrieNode {
  const root: TrieNode = { children: new Map() };
  for (const [key, meta] of Object.entries(table)) {
    let node = root;
    for (const name of key.split('.')) {
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = { children: new Map() }));
      node = child;
    }
    node.meta = meta;
  }
  return root;
}

const fallbackLookups = new Map<string, PatchMetaLookup>();
