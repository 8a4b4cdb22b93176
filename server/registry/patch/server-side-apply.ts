import { badRequest, StatusError } from '../../meta/errors.js';
import { goJson } from '../../meta/go-json.js';
import { annotationsSize, totalAnnotationSizeLimitB } from '../../meta/names.js';
import { cloneJson, getOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from './json-value.js';
import { compareObjects, fieldNamesOf, FieldSet, listItems, pathString, toFieldSet, type FieldPath, type PathElement } from './field-set.js';
import { describeManager, managerId, ownableFields, setManagedFields, startingManagers, withoutManagedFields, type ManagerEntry } from './managed-fields.js';
import { listShape, type PatchMetaLookup } from './patch-meta.js';

export interface ServerSideApplyInput {
  /** The stored object (with apiVersion/kind), or undefined when apply creates it. */
  current: JsonObject | undefined;
  /** The decoded apply body. */
  applied: unknown;
  manager: string;
  force: boolean;
  /** RFC 3339 without fractions. */
  now: string;
  /** The group/version the request came through, e.g. "apps/v1". */
  apiVersion: string;
  /** The kind the URL serves. */
  kind: string;
  meta: PatchMetaLookup;
  subresource?: string;
  resetFields?: readonly (readonly string[])[];
}

export interface FieldConflict {
  manager: string;
  path: string;
}

export interface ServerSideApplyResult {
  object: JsonObject;
  conflicts: FieldConflict[];
}

/**
 * application/apply-patch+yaml: merges the applied configuration into the live
 * object, makes `manager` the owner of exactly the fields it applied, removes
 * fields it applied before and dropped now (unless another manager owns them),
 * and refuses to change fields owned by others unless `force` (then it takes
 * them). Conflicts are returned and also thrown as kube's 409.
 */
export function serverSideApply(input: ServerSideApplyInput): ServerSideApplyResult {
  const { current, manager, force, now, apiVersion, meta, subresource, resetFields } = input;
  const config = checkAppliedConfig(input.applied, apiVersion, input.kind);
  const live = withoutManagedFields(current);
  const managers = startingManagers(current, undefined);
  if (current && !hasManagedFields(current)) {
    const everything = ownableFields(toFieldSet(live, meta), resetFields);
    if (!everything.isEmpty()) {
      const entry: ManagerEntry = { manager: 'before-first-apply', operation: 'Update', apiVersion, fields: everything };
      managers.set(managerId(entry), entry);
    }
  }

  const me: ManagerEntry = { manager, operation: 'Apply', apiVersion, fields: ownableFields(toFieldSet(config, meta), resetFields) };
  if (subresource) me.subresource = subresource;
  const myId = managerId(me);
  const lastApplied = managers.get(myId)?.fields ?? new FieldSet();
  const previousTime = managers.get(myId)?.time;
  managers.set(myId, me);

  let merged = mergeApplied(live, config, [], meta);
  merged = prune(merged, lastApplied.difference(me.fields), [...managers.values()]);

  const change = compareObjects(live, merged, meta);
  const touched = ownableFields(change.added.union(change.modified), resetFields);
  const conflictSets = new Map<string, FieldSet>();
  for (const [id, e] of managers) {
    if (id === myId) continue;
    const clash = e.fields.intersection(touched);
    if (!clash.isEmpty()) conflictSets.set(id, clash);
  }
  const conflicts = conflictList(managers, conflictSets);
  if (conflicts.length && !force) {
    // lastAppliedManager: what kubectl's last client-side apply still accounts for is no conflict
    const waived = manager === kubectlManager && current ? waivedByLastApplied(live, apiVersion, meta) : undefined;
    const left = waived ? conflictList(managers, conflictSets, waived) : conflicts;
    if (left.length) throw applyConflict(left);
  }
  for (const [id, e] of managers) {
    if (id === myId) continue;
    const fields = e.fields.difference(conflictSets.get(id) ?? new FieldSet()).difference(change.removed);
    if (fields.isEmpty()) managers.delete(id);
    else managers.set(id, { ...e, fields });
  }
  if (manager === kubectlManager) merged = withLastApplied(merged, config);
  const changed = JSON.stringify(live) !== JSON.stringify(merged);
  me.time = changed || !previousTime ? now : previousTime;
  if (me.fields.isEmpty()) managers.delete(myId);
  return { object: setManagedFields(merged, managers), conflicts };
}

function conflictList(managers: Map<string, ManagerEntry>, sets: Map<string, FieldSet>, waived?: FieldSet): FieldConflict[] {
  const out: FieldConflict[] = [];
  for (const [id, clash] of sets) {
    const left = waived ? clash.difference(waived) : clash;
    for (const p of left) out.push({ manager: describeManager(managers.get(id)!), path: pathString(p) });
  }
  return out;
}

const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** kubectl's server-side apply manager: the only applier the annotation is kept for. */
const kubectlManager = 'kubectl';

function annotationsOf(obj: JsonObject): JsonObject | undefined {
  const m = obj.metadata;
  return isJsonObject(m) && isJsonObject(m.annotations) ? m.annotations : undefined;
}

/**
 * The fields the live object's last-applied annotation names with the value they still have: a
 * manifest switched from `kubectl apply` to `kubectl apply --server-side` may take them without
 * --force-conflicts, whoever owns them. Undefined when there is no usable annotation.
 */
function waivedByLastApplied(live: JsonObject, apiVersion: string, meta: PatchMetaLookup): FieldSet | undefined {
  const text = annotationsOf(live)?.[lastAppliedAnnotation];
  if (typeof text !== 'string' || !text) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(last) || last.apiVersion !== apiVersion) return undefined;
  const unchanged = compareObjects(last, live, meta);
  return toFieldSet(last, meta).difference(unchanged.modified).difference(unchanged.added).difference(unchanged.removed);
}

/**
 * lastAppliedUpdater: an object that carries the annotation gets kubectl's applied configuration in
 * it (without the annotation itself), as Go encodes it, so a later client-side apply diffs against
 * what was really applied. Too large an annotation is dropped rather than left stale.
 */
function withLastApplied(obj: JsonObject, config: JsonObject): JsonObject {
  const annotations = annotationsOf(obj);
  const current = annotations?.[lastAppliedAnnotation];
  if (!annotations || typeof current !== 'string' || !current) return obj;
  const applied = cloneJson(config);
  const appliedAnnotations = annotationsOf(applied);
  if (appliedAnnotations) delete appliedAnnotations[lastAppliedAnnotation];
  const next: JsonObject = { ...annotations, [lastAppliedAnnotation]: `${goJson(applied)}\n` };
  if (annotationsSize(next) > totalAnnotationSizeLimitB) delete next[lastAppliedAnnotation];
  return { ...obj, metadata: { ...(obj.metadata as JsonObject), annotations: next } };
}

function hasManagedFields(obj: JsonObject): boolean {
  const m = obj.metadata;
  return isJsonObject(m) && Array.isArray(m.managedFields) && m.managedFields.length > 0;
}

function checkAppliedConfig(applied: unknown, apiVersion: string, kind: string): JsonObject {
  if (!isJsonObject(applied)) throw badRequest('error decoding YAML: the apply body must be an object');
  const config = cloneJson(applied);
  // versionCheckManager, the outermost of kube's field managers: the body names exactly the URL's kind
  if (config.apiVersion !== apiVersion || config.kind !== kind) throw badRequest(`invalid object type: ${goGroupVersionKind(config)}`);
  if (isJsonObject(config.metadata) && Object.hasOwn(config.metadata, 'managedFields') && config.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  return config;
}

/** schema.GroupVersionKind's String() of an unstructured body: empty when its apiVersion does not parse. */
function goGroupVersionKind(obj: JsonObject): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const parts = apiVersion.split('/');
  if (parts.length > 2 || (parts.length === 2 && (!parts[0] || !parts[1])) || apiVersion === '/') return '/, Kind=';
  const [group, version] = parts.length === 2 ? parts : ['', parts[0]];
  return `${group}/${version}, Kind=${kind}`;
}

/** kube's 409 for apply conflicts (managedfields internal/conflict.go wording). */
export function applyConflict(conflicts: FieldConflict[]): StatusError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${conflicts[0].manager}: ${conflicts[0].path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError({
    code: 409,
    reason: 'Conflict',
    message,
    details: { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.path })) },
  });
}

/**
 * SMD's merge of an applied configuration into the live object: maps merge key
 * by key, keyed lists and sets merge item by item (the applied order wins, live-only
 * items keep their place), atomic values are replaced, nulls clear.
 */
function mergeApplied(live: JsonObject, config: JsonObject, path: PathElement[], meta: PatchMetaLookup): JsonObject {
  const out = cloneJson(live);
  for (const key of Object.keys(config)) {
    const childPath = [...path, `f:${key}`];
    const v = config[key];
    if (v === null) {
      delete out[key];
      continue;
    }
    setOwn(out, key, mergeValue(getOwn(out, key), v, childPath, meta));
  }
  return out;
}

function mergeValue(live: JsonValue | undefined, config: JsonValue, path: PathElement[], meta: PatchMetaLookup): JsonValue {
  const m = meta(fieldNamesOf(path));
  if (isJsonObject(config)) {
    if (m?.mapType === 'atomic' || !isJsonObject(live)) return dropNulls(config);
    return mergeApplied(live, config, path, meta);
  }
  if (Array.isArray(config)) {
    const shape = listShape(m);
    if (shape.type === 'atomic' || !Array.isArray(live)) return dropNulls(config);
    return mergeLists(live, config, path, meta, shape);
  }
  return config;
}

function dropNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v)) if (v[k] !== null) setOwn(out, k, dropNulls(v[k]));
  return out;
}

function mergeLists(live: JsonValue[], config: JsonValue[], path: PathElement[], meta: PatchMetaLookup, shape: ReturnType<typeof listShape>): JsonValue[] {
  const lhs = listItems(live, shape);
  const rhs = listItems(config, shape);
  const lhsByPe = new Map(lhs.map((x) => [x.pe, x.item]));
  const rhsPes = new Set(rhs.map((x) => x.pe));
  const shared = rhs.map((x) => x.pe).filter((pe) => lhsByPe.has(pe));
  const mergeItem = (pe: PathElement, l: JsonValue | undefined, r: JsonValue): JsonValue => (shape.type === 'map' && isJsonObject(r) && isJsonObject(l) ? mergeApplied(l, r, [...path, pe], meta) : dropNulls(r));
  const out: JsonValue[] = [];
  const done = new Set<PathElement>();
  let next = shared.shift();
  let li = 0;
  let ri = 0;
  while (li < lhs.length || ri < rhs.length) {
    if (li < lhs.length && ri < rhs.length) {
      if (lhs[li].pe === rhs[ri].pe) {
        out.push(mergeItem(rhs[ri].pe, lhs[li].item, rhs[ri].item));
        done.add(rhs[ri].pe);
        li++;
        ri++;
        next = shared.shift();
        continue;
      }
      // a shared item the applied order wants later: skip it here, it is emitted from the right side
      if (rhsPes.has(lhs[li].pe) && next !== undefined && next !== lhs[li].pe) {
        li++;
        continue;
      }
    }
    if (li < lhs.length) {
      if (!rhsPes.has(lhs[li].pe)) {
        out.push(lhs[li++].item);
        continue;
      }
      if (done.has(lhs[li].pe)) {
        li++;
        continue;
      }
    }
    if (ri < rhs.length) {
      const { pe, item } = rhs[ri++];
      out.push(mergeItem(pe, lhsByPe.get(pe), item));
      done.add(pe);
      if (next === pe) next = shared.shift();
    }
  }
  return out;
}

/**
 * Removes what the applier owned before and dropped now, unless some manager
 * (the applier included) still owns that field or something below it.
 */
function prune(obj: JsonObject, dropped: FieldSet, managers: ManagerEntry[]): JsonObject {
  const out = cloneJson(obj);
  const candidates = [...dropped].sort((a, b) => a.length - b.length);
  for (const path of candidates) {
    if (managers.some((m) => m.fields.ownsAtOrBelow(path))) continue;
    removePath(out, path);
  }
  return out;
}

function removePath(obj: JsonObject, path: FieldPath): void {
  let at: JsonValue = obj;
  for (const [i, pe] of path.entries()) {
    const last = i === path.length - 1;
    if (pe.startsWith('f:') && isJsonObject(at)) {
      const name = pe.slice(2);
      if (!Object.hasOwn(at, name)) return;
      if (last) delete at[name];
      else at = at[name];
      continue;
    }
    if (!Array.isArray(at)) return;
    const list: JsonValue[] = at;
    const idx = list.findIndex((item, n) => itemMatches(item, n, pe));
    if (idx < 0) return;
    if (last) list.splice(idx, 1);
    else at = list[idx];
  }
}

function itemMatches(item: JsonValue, index: number, pe: PathElement): boolean {
  const body = pe.slice(2);
  if (pe.startsWith('i:')) return String(index) === body;
  if (pe.startsWith('v:')) return JSON.stringify(item) === body;
  if (!pe.startsWith('k:') || !isJsonObject(item)) return false;
  const key = JSON.parse(body) as JsonObject;
  return Object.keys(key).every((k) => JSON.stringify(getOwn(item, k) ?? (k === 'protocol' ? 'TCP' : null)) === JSON.stringify(key[k]));
}
