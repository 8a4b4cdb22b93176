import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { isJsonObject, setOwn, type JsonObject, type JsonValue } from './json-value.js';
import { addedFieldsV1Json, compareObjects, decodeFieldsV1, encodeFieldsV1, fieldElement, FieldSet, quotedField, sortStrings, type FieldPath, type FieldsV1 } from './field-set.js';
import type { PatchMetaLookup } from './patch-meta.js';

/**
 * metadata.managedFields bookkeeping, as apimachinery's fieldmanager does it.
 * Each entry is one manager's FieldSet; Apply entries are identified by
 * manager (+subresource), Update entries also by apiVersion, so a
 * client-side-apply through apps/v1 and one through apps/v1beta1 would be two.
 */
export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  fields: FieldSet;
}

export type Managers = Map<string, ManagerEntry>;

/**
 * BuildManagerIdentifier: the entry as JSON without its fields and time, and without the apiVersion
 * of an Apply. kube keys managers by it, and sorts equal times by it (capManagers).
 */
export function managerId(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({
    manager: e.manager || undefined, operation: e.operation,
    apiVersion: e.operation === 'Apply' ? undefined : e.apiVersion || undefined, subresource: e.subresource || undefined,
  });
}

/** How kube names a manager in conflict messages (printManager). */
export function describeManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  return e.operation === 'Update' ? `${s} using ${e.apiVersion}` : s;
}

/** System fields no manager owns (fieldmanager's stripMeta list). */
const unownedFields: FieldPath[] = [
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds']
    .map((f) => ['f:metadata', fieldElement(f)]),
];

/** Removes the fields nobody may own, plus the fields the strategy resets (e.g. status on the main resource). */
const unownedExact = FieldSet.of(unownedFields.filter((p) => p.length < 2 || p[1] !== 'f:managedFields'));

export function ownableFields(set: FieldSet, resetFields: readonly (readonly string[])[] = []): FieldSet {
  return set.difference(unownedExact).withoutSubtrees([['f:metadata', 'f:managedFields'], ...resetFields.map((p) => p.map(fieldElement))]);
}

/**
 * Undefined when the managedFields are unusable (kube then keeps the stored ones). An entry that
 * owns nothing is kept whatever its operation, as kube's decoder does, and dropped when encoded:
 * that is how `managedFields: [{}]` resets them.
 */
export function decodeManagedFields(entries: unknown): Managers | undefined {
  const managers: Managers = new Map();
  if (entries === undefined || entries === null) return managers;
  if (!Array.isArray(entries)) return undefined;
  for (const raw of entries) {
    if (!isJsonObject(raw)) return undefined;
    const fields = raw.fieldsType === undefined && raw.fieldsV1 === undefined ? new FieldSet() : raw.fieldsType === 'FieldsV1' ? decodeCached(raw.fieldsV1 ?? {}) : undefined;
    if (!fields) return undefined;
    const operation = raw.operation === 'Apply' || raw.operation === 'Update' ? raw.operation : fields.isEmpty() ? 'Update' : undefined;
    if (!operation) return undefined;
    const entry: ManagerEntry = { manager: typeof raw.manager === 'string' ? raw.manager : '', operation, apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '', fields };
    if (typeof raw.subresource === 'string' && raw.subresource) entry.subresource = raw.subresource;
    if (typeof raw.time === 'string') entry.time = raw.time;
    const id = managerId(entry);
    const previous = managers.get(id);
    managers.set(id, previous ? { ...entry, fields: previous.fields.union(fields) } : entry);
  }
  return managers;
}

// Stored objects keep their managedFields entries from one version to the next (the registry shares
// them), so a manager a write does not touch is decoded once and keeps the FieldsV1 it was read from.
const decoded = new WeakMap<object, FieldSet>();
const encoded = new WeakMap<FieldSet, FieldsV1>();

function decodeCached(fieldsV1: JsonValue): FieldSet | undefined {
  if (!isJsonObject(fieldsV1)) return undefined;
  let set = decoded.get(fieldsV1);
  if (!set) {
    set = decodeFieldsV1(fieldsV1);
    if (!set) return undefined;
    decoded.set(fieldsV1, set);
    encoded.set(set, fieldsV1 as FieldsV1);
  }
  return set;
}

function encodeCached(set: FieldSet): FieldsV1 {
  let fieldsV1 = encoded.get(set);
  if (!fieldsV1) {
    fieldsV1 = encodeFieldsV1(set);
    encoded.set(set, fieldsV1);
    decoded.set(fieldsV1, set);
  }
  return fieldsV1;
}

/** Entries sorted as kube writes them: Apply before Update, then by time, manager, apiVersion. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const entries = [...managers.values()].filter((e) => !e.fields.isEmpty());
  entries.sort((p, q) => cmp(p.operation, q.operation) || cmp(p.time ?? '', q.time ?? '') || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''));
  return entries.map((e) => {
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = encodeCached(e.fields);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The object as field sets see it: no managedFields. */
export function withoutManagedFields(obj: JsonObject | undefined): JsonObject {
  if (!obj) return {};
  // Shallow: field sets only read the object, and every write passes through here twice.
  return isJsonObject(obj.metadata) && Object.hasOwn(obj.metadata, 'managedFields') ? withMetadata(obj, (m) => delete m.managedFields) : obj;
}

export function setManagedFields(obj: JsonObject, managers: Managers): JsonObject {
  const encoded = encodeManagedFields(managers);
  return withMetadata(obj, (m) => {
    if (encoded.length) m.managedFields = encoded as unknown as JsonValue;
    else delete m.managedFields;
  });
}

/** Top-level reset fields (status, spec) left out, so comparing skips them. */
function withoutResetFields(obj: JsonObject, resetFields: readonly (readonly string[])[] = []): JsonObject {
  const top = resetFields.filter((p) => p.length === 1 && Object.hasOwn(obj, p[0]));
  if (!top.length) return obj;
  const out = { ...obj };
  for (const [field] of top) delete out[field];
  return out;
}

/**
 * A create that brings no managedFields of its own: its one manager owns every ownable field it
 * sets. The same entry trackUpdate's comparison with an empty object gives (field-set.test.ts holds
 * them equal), written in one walk, as most writes are creates (pods, events).
 */
function trackCreate({ next, manager, apiVersion, now, meta, subresource, resetFields = [] }: TrackUpdateInput): JsonObject {
  const reset = new Set(resetFields.filter((p) => p.length === 1).map((p) => p[0]));
  const members: string[] = [];
  for (const key of sortStrings(Object.keys(next))) {
    if (key === 'apiVersion' || key === 'kind' || reset.has(key)) continue;
    let node: string;
    if (key !== 'metadata') node = addedFieldsV1Json(next[key], [key], meta);
    else if (!isJsonObject(next.metadata)) continue;
    else {
      // metadata itself is not owned, only what is set inside it: its node without "."
      const owned = addedFieldsV1Json(withoutUnownedMetadata(next.metadata), ['metadata'], meta);
      if (owned === '{}') continue;
      node = `{${owned.slice('{".":{},'.length)}`;
    }
    members.push(`${quotedField(key)}:${node}`);
  }
  const deeper = resetFields.filter((p) => p.length > 1).map((p) => p.map(fieldElement));
  // decoded once per distinct FieldsV1 (the cache), and encoded back to the same interned object
  const fields = decodeCached(internedFieldsV1(`{${members.join(',')}}`))!.withoutSubtrees(deeper);
  const entry: ManagerEntry = { manager, operation: 'Update', apiVersion, time: now, fields };
  if (subresource) entry.subresource = subresource;
  return setManagedFields(next, new Map([[managerId(entry), entry]]));
}

/**
 * One FieldsV1 object per distinct text: objects created alike (the pods of one template, events)
 * share it, which saves building it, storing it once per object, and decoding it on the next write.
 * Like every managedFields entry it is never changed in place.
 */
const interned = new Map<string, FieldsV1>();
const maxInterned = 4096;

function internedFieldsV1(text: string): FieldsV1 {
  let fields = interned.get(text);
  if (!fields) {
    fields = JSON.parse(text) as FieldsV1;
    if (interned.size >= maxInterned) interned.delete(interned.keys().next().value!);
    interned.set(text, fields);
  }
  return fields;
}

const unownedMetadata = new Set(unownedFields.filter((p) => p.length === 2).map((p) => p[1].slice(2)));

function withoutUnownedMetadata(metadata: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(metadata)) if (!unownedMetadata.has(k)) setOwn(out, k, metadata[k]);
  return out;
}

/** A copy of obj with its own metadata object for edit to change; the rest is shared. */
function withMetadata(obj: JsonObject, edit: (metadata: JsonObject) => void): JsonObject {
  const metadata: JsonObject = isJsonObject(obj.metadata) ? { ...obj.metadata } : {};
  edit(metadata);
  return { ...obj, metadata };
}

/**
 * The managers to start from, as kube's FieldManager.Update picks them: the ones the write carries
 * when it sets managedFields to a usable, non-empty list (kube lets clients reset them; `[]` is
 * read as "not sent", so clients that drop the field lose nothing), else the stored ones. A
 * subresource write never sets them.
 */
export function startingManagers(old: JsonObject | undefined, next: JsonObject | undefined, subresource?: string): Managers {
  const oldEntries = isJsonObject(old?.metadata) ? old.metadata.managedFields : undefined;
  const nextEntries = isJsonObject(next?.metadata) ? next.metadata.managedFields : undefined;
  if (!subresource && nextEntries !== oldEntries && Array.isArray(nextEntries) && nextEntries.length > 0) {
    const sent = decodeManagedFields(nextEntries);
    if (sent) return sent;
  }
  return decodeManagedFields(oldEntries) ?? new Map();
}

export interface TrackUpdateInput {
  old: JsonObject | undefined;
  next: JsonObject;
  manager: string;
  apiVersion: string;
  /** RFC 3339 without fractions, e.g. from meta/clock's rfc3339(). */
  now: string;
  meta: PatchMetaLookup;
  subresource?: string;
  /** Field-name paths the strategy resets on this endpoint, e.g. [['status']] for the main resource. */
  resetFields?: readonly (readonly string[])[];
}

/**
 * Records a non-apply write (create, update, JSON/merge/strategic patch) the way
 * kube's fieldmanager Update does: the writer gains every field it added or
 * changed, takes those fields away from other managers, and removed fields
 * leave every set. Returns next with metadata.managedFields filled in.
 */
export function trackUpdate(input: TrackUpdateInput): JsonObject {
  const { old, next, manager, apiVersion, now, meta, subresource, resetFields } = input;
  const managers = startingManagers(old, next, subresource);
  if (!old && managers.size === 0) return trackCreate(input);
  // skipNonApplied: a stored object (one with a uid) nobody tracks stays untracked until an apply
  if (managers.size === 0 && isJsonObject(old?.metadata) && old.metadata.uid) return setManagedFields(next, managers);
  // Reset fields are put back by the strategy: what a write does to them neither gains nor loses ownership.
  const change = compareObjects(withoutResetFields(withoutManagedFields(old), resetFields), withoutResetFields(withoutManagedFields(next), resetFields), meta);
  const touched = ownableFields(change.added.union(change.modified), resetFields);
  for (const [id, e] of managers) {
    const fields = e.fields.difference(touched).difference(change.removed);
    if (fields.isEmpty()) managers.delete(id);
    else managers.set(id, { ...e, fields });
  }
  if (!touched.isEmpty()) {
    const entry: ManagerEntry = { manager, operation: 'Update', apiVersion, time: now, fields: touched };
    if (subresource) entry.subresource = subresource;
    const id = managerId(entry);
    const previous = managers.get(id);
    managers.set(id, previous ? { ...entry, fields: previous.fields.union(touched) } : entry);
  }
  capUpdateManagers(managers);
  return setManagedFields(next, managers);
}

const maxUpdateManagers = 10;

/**
 * capManagers: past ten Update entries, the oldest are merged into one "ancient-changes" entry per
 * apiVersion, as kube's fieldmanager does after every Update. The oldest entry of each version is
 * the one renamed into the bucket, so a version with a single entry is never merged.
 */
function capUpdateManagers(managers: Managers): void {
  const updaters = [...managers].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= maxUpdateManagers) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmp(ia, ib));
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const [id, e] of updaters) {
    if (count <= maxUpdateManagers) break;
    const bucket: ManagerEntry = { manager: 'ancient-changes', operation: 'Update', apiVersion: e.apiVersion, fields: new FieldSet() };
    const bucketId = managerId(bucket);
    const first = firstOfVersion.get(e.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(e.apiVersion, id);
      continue;
    }
    // kube would merge the bucket into itself and then delete it, losing what it held
    if (id === bucketId) continue;
    if (!managers.has(bucketId)) {
      bucket.fields = managers.get(first)!.fields;
      managers.delete(first);
    } else bucket.fields = managers.get(bucketId)!.fields;
    managers.set(bucketId, { ...bucket, fields: e.fields.union(bucket.fields), time: e.time });
    managers.delete(id);
    count--;
  }
}

function seconds(time: string | undefined): number {
  return time ? Math.floor(Date.parse(time) / 1000) : 0;
}
