import { servedSchemas, type GroupVersionKind, type SchemaIndex, type SchemaObject } from './schemas.js';

/** The patchStrategy struct tag values kube uses ("merge,retainKeys" on volumes). */
export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

export type ValueKind = 'map' | 'list' | 'scalar' | 'unknown';

export interface PatchMeta {
  /** What the schema says the value is; 'unknown' when the path leaves the schema (or it keeps unknown fields). */
  kind: ValueKind;
  /** patchStrategy of the field: lists without one are replaced whole by a strategic merge patch. */
  strategy?: PatchStrategy;
  /** patchMergeKey: the field that identifies list items when strategy includes merge. */
  mergeKey?: string;
  /** x-kubernetes-list-type (atomic | set | map), for server-side apply. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys: the key fields of a listType=map list. */
  listMapKeys?: string[];
  /** x-kubernetes-map-type (atomic | granular). */
  mapType?: 'atomic' | 'granular';
  /** For lists: what the items are (a list of primitives merges as a set, lists of maps by mergeKey). */
  itemKind?: ValueKind;
  /** Component schema of the value (maps) or of the items (lists of maps), to continue the walk from. */
  schema?: string;
}

/**
 * Patch metadata of the field at `path` below a kind, for strategic merge patch and server-side apply.
 *
 * `gvkOrSchemaName` is a kind ({group:'apps', version:'v1', kind:'StatefulSet'}) or a schema name
 * ('io.k8s.api.core.v1.PodSpec'). `path` names fields only: list items are stepped into implicitly, and a
 * segment under a string-keyed map (labels, resources.limits) is a map key. So
 *   patchMetaFor({group:'apps',version:'v1',kind:'StatefulSet'}, ['spec','template','spec','containers'])
 *     → {kind:'list', strategy:'merge', mergeKey:'name', listType:'map', listMapKeys:['name'], itemKind:'map', schema:'io.k8s.api.core.v1.Container'}
 *   patchMetaFor('io.k8s.api.core.v1.Container', ['ports']) → mergeKey 'containerPort'
 *   patchMetaFor(podGvk, ['metadata','finalizers']) → {kind:'list', strategy:'merge', listType:'set', itemKind:'scalar'}
 * An empty path describes the kind itself. Unknown kinds and paths give {kind:'unknown'}.
 */
export function patchMetaFor(gvkOrSchemaName: GroupVersionKind | string, path: readonly string[], index: SchemaIndex = servedSchemas()): PatchMeta {
  const rootName = typeof gvkOrSchemaName === 'string' ? gvkOrSchemaName : index.nameOf(gvkOrSchemaName);
  const root = rootName ? index.get(rootName) : undefined;
  if (!root) return { kind: 'unknown' };
  let wrapper: SchemaObject = root;
  for (const segment of path) {
    let schema = index.resolve(wrapper);
    if (schema?.type === 'array' && schema.items) schema = index.resolve(schema.items);
    if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return { kind: 'unknown' };
    const next = schema.properties ? schema.properties[segment] : typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    if (!next) return { kind: 'unknown' };
    wrapper = next;
  }
  return describe(index, wrapper, path.length === 0 ? rootName : undefined);
}

function describe(index: SchemaIndex, wrapper: SchemaObject, rootName: string | undefined): PatchMeta {
  const schema = index.resolve(wrapper);
  const meta: PatchMeta = { kind: kindOf(schema) };
  // Field-level tags sit on the property (the allOf wrapper), type-level ones on the target.
  const tag = <K extends keyof SchemaObject>(key: K): SchemaObject[K] => wrapper[key] ?? schema?.[key];
  const strategy = tag('x-kubernetes-patch-strategy');
  if (strategy) meta.strategy = strategy as PatchStrategy;
  const mergeKey = tag('x-kubernetes-patch-merge-key');
  if (mergeKey) meta.mergeKey = mergeKey;
  const listType = tag('x-kubernetes-list-type');
  if (listType) meta.listType = listType as PatchMeta['listType'];
  const listMapKeys = tag('x-kubernetes-list-map-keys');
  if (listMapKeys) meta.listMapKeys = [...listMapKeys];
  const mapType = tag('x-kubernetes-map-type');
  if (mapType) meta.mapType = mapType as PatchMeta['mapType'];
  if (meta.kind === 'list' && schema?.items) {
    meta.itemKind = kindOf(index.resolve(schema.items));
    const itemSchema = index.refName(schema.items);
    if (itemSchema) meta.schema = itemSchema;
  } else if (meta.kind === 'map') {
    const name = rootName ?? index.refName(wrapper);
    if (name) meta.schema = name;
  }
  return meta;
}

function kindOf(schema: SchemaObject | undefined): ValueKind {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return 'unknown';
  if (schema.type === 'array') return 'list';
  if (schema.type === 'object') return 'map';
  // IntOrString, Quantity, Time and plain values are all scalars to a patch.
  return schema.type ? 'scalar' : 'unknown';
}
