import { badRequest, StatusError } from '../../meta/errors.js';
import { cloneJson, getOwn, goFormat, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from './json-value.js';
import { hasStrategy, type PatchMetaLookup } from './patch-meta.js';

/**
 * Strategic merge patch (application/strategic-merge-patch+json), following
 * apimachinery's strategicpatch.StrategicMergeMapPatch with
 * IgnoreUnmatchedNulls: maps merge key by key, `null` deletes, lists with
 * patchStrategy merge merge by their patchMergeKey (or as sets of scalars),
 * every other list is replaced whole. Directives: $patch (replace|delete on
 * maps; replace|delete items in lists), $retainKeys, $setElementOrder/<list>,
 * $deleteFromPrimitiveList/<list>.
 *
 * Errors use kube's texts; kube answers 400 for bad directive formats and 422
 * for lists of lists and retainKeys mismatches. Where kube lets a plain Go error
 * through (it becomes a 500) we answer 400 with the same text: it is the
 * client's patch that is wrong.
 */
export function applyStrategicMergePatch(original: JsonObject, patch: unknown, meta: PatchMetaLookup): JsonObject {
  if (!isJsonObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch} into Go value of type map[string]interface {}`);
  }
  const merged = mergeMap(cloneJson(original), cloneJson(patch), [], meta);
  return merged;
}

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const setElementOrderPrefix = '$setElementOrder/';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';

export const smpErrors = {
  badRetainKeys: 'invalid patch format of retainKeys',
  badSetElementOrder: 'invalid patch format of setElementOrder list',
  badPrimitiveList: 'invalid patch format of primitive list',
} as const;

// Errors interpretStrategicMergePatchError does not name (a missing merge key, an unknown $patch, an
// order mismatch) reach kube's handler as plain errors, answered 500. It is the client's patch at
// fault, and kubemock never answers bad input with a 5xx: they are 400s in the library's words.

/** NewGenericServerResponse(422, ...): the library's own words are not passed on. */
function unprocessable(): StatusError {
  return new StatusError({ code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request', details: {} });
}

function unknownPatchType(directive: unknown, where: JsonObject): StatusError {
  return badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(where)}`);
}

/** Merges patch into original (both owned by us, mutated freely). */
function mergeMap(original: JsonObject, patch: JsonObject, path: string[], meta: PatchMetaLookup): JsonObject {
  if (Object.hasOwn(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === 'replace') {
      delete patch[directiveMarker];
      return materializeMap(patch, path, meta);
    }
    if (directive === 'delete') return {};
    throw unknownPatchType(directive, patch);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, path, meta);

  for (const key of Object.keys(patch)) {
    if (key === retainKeysDirective) continue;
    const patchValue = patch[key];
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      deleteFromPrimitiveList(original, key.slice(deleteFromPrimitiveListPrefix.length), patchValue);
      continue;
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const fieldPath = [...path, key];
    const originalValue = getOwn(original, key);
    if (originalValue === undefined || kindOf(originalValue) !== kindOf(patchValue)) {
      setOwn(original, key, materialize(patchValue, fieldPath, meta));
    } else if (isJsonObject(originalValue) && isJsonObject(patchValue)) {
      const replace = hasStrategy(meta(fieldPath), 'replace');
      setOwn(original, key, replace ? materializeMap(patchValue, fieldPath, meta) : mergeMap(originalValue, patchValue, fieldPath, meta));
    } else if (Array.isArray(originalValue) && Array.isArray(patchValue)) {
      setOwn(original, key, mergeListField(originalValue, patchValue, fieldPath, meta));
    } else {
      setOwn(original, key, patchValue);
    }
  }
  return original;
}

function kindOf(v: JsonValue): 'map' | 'list' | 'scalar' {
  return Array.isArray(v) ? 'list' : isJsonObject(v) ? 'map' : 'scalar';
}

/** A patch value with no original to merge into: directives are resolved and nulls dropped, as Go decoding would. */
function materialize(value: JsonValue, path: string[], meta: PatchMetaLookup): JsonValue {
  if (isJsonObject(value)) return mergeMap({}, value, path, meta);
  if (Array.isArray(value)) return mergeListField([], value, path, meta);
  return value;
}

function materializeMap(value: JsonObject, path: string[], meta: PatchMetaLookup): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (isDirectiveKey(key)) continue;
    const v = value[key];
    if (v === null) continue;
    setOwn(out, key, isJsonObject(v) ? materializeMap(v, [...path, key], meta) : Array.isArray(v) ? v.map((x) => (isJsonObject(x) ? materializeMap(x, [...path, key], meta) : x)) : v);
  }
  return out;
}

function isDirectiveKey(key: string): boolean {
  return key === directiveMarker || key === retainKeysDirective || key.startsWith(setElementOrderPrefix) || key.startsWith(deleteFromPrimitiveListPrefix);
}

/** $retainKeys: keys of original not listed are cleared, e.g. a volume switching from configMap to secret. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const retain = patch[retainKeysDirective];
  if (!Array.isArray(retain) || !retain.every((k): k is string => typeof k === 'string')) throw badRequest(smpErrors.badRetainKeys);
  for (const key of Object.keys(patch)) {
    // nulls clear fields, so they need not be retained (kube skips them too)
    if (isDirectiveKey(key) || patch[key] === null) continue;
    if (!retain.includes(key)) throw badRequest(smpErrors.badRetainKeys);
  }
  for (const key of Object.keys(original)) {
    if (!retain.includes(key)) delete original[key];
  }
}

function deleteFromPrimitiveList(original: JsonObject, field: string, toDelete: JsonValue): void {
  if (!Array.isArray(toDelete)) throw badRequest(smpErrors.badPrimitiveList);
  const current = getOwn(original, field);
  if (current === undefined) return;
  if (!Array.isArray(current)) throw badRequest(smpErrors.badPrimitiveList);
  setOwn(original, field, current.filter((item) => !toDelete.some((d) => jsonEqual(d, item))));
}

/** A list field present in both: merged when its strategy says so, replaced otherwise. */
function mergeListField(original: JsonValue[], patch: JsonValue[], path: string[], meta: PatchMetaLookup): JsonValue[] {
  const fieldMeta = meta(path);
  if (original.some(Array.isArray) || patch.some(Array.isArray)) throw unprocessable();
  if (!hasStrategy(fieldMeta, 'merge')) return patch.map((item) => (isJsonObject(item) ? materializeMap(item, path, meta) : item));
  const mergeKey = fieldMeta?.mergeKey ?? '';
  const ofMaps = patch.some(isJsonObject) || (patch.length === 0 && original.some(isJsonObject));
  if (!ofMaps) {
    const merged = dedupe([...original, ...patch]);
    return orderLikePatch(merged, patch, original, '');
  }
  if (!mergeKey) throw badRequest(`cannot merge lists without merge key for ${path.join('.')}`);
  const { base, items } = applyListDirectives(original, patch, mergeKey);
  const merged = [...base];
  for (const item of items) {
    if (!isJsonObject(item) || !Object.hasOwn(item, mergeKey)) throw badRequest(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
    const at = merged.findIndex((o) => isJsonObject(o) && jsonEqual(getOwn(o, mergeKey), item[mergeKey]));
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item, path, meta);
    else merged.push(mergeMap({}, item, path, meta));
  }
  return orderLikePatch(merged, items, base, mergeKey);
}

/** Items carrying $patch: "delete" drop matching originals, "replace" drops all of them. */
function applyListDirectives(original: JsonValue[], patch: JsonValue[], mergeKey: string): { base: JsonValue[]; items: JsonValue[] } {
  let base = original;
  let replace = false;
  const items: JsonValue[] = [];
  for (const item of patch) {
    if (!isJsonObject(item) || !Object.hasOwn(item, directiveMarker)) {
      items.push(item);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw badRequest(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
      base = base.filter((o) => !(isJsonObject(o) && jsonEqual(getOwn(o, mergeKey), item[mergeKey])));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw unknownPatchType(directive, item);
    }
  }
  return replace ? { base: [], items } : { base, items };
}

function dedupe(list: JsonValue[]): JsonValue[] {
  const out: JsonValue[] = [];
  for (const v of list) if (!out.some((o) => jsonEqual(o, v))) out.push(v);
  return out;
}

function identity(item: JsonValue, mergeKey: string): JsonValue | undefined {
  if (!mergeKey) return item;
  return isJsonObject(item) ? getOwn(item, mergeKey) : undefined;
}

function indexIn(list: JsonValue[], item: JsonValue, mergeKey: string): number {
  const id = identity(item, mergeKey);
  if (id === undefined) return -1;
  return list.findIndex((x) => jsonEqual(identity(x, mergeKey), id));
}

/**
 * kube's normalizeElementOrder: items named by the patch follow the patch's
 * order, server-only items keep theirs, and the two are interleaved by the
 * server's order wherever both sides know it.
 */
function orderLikePatch(merged: JsonValue[], patchOrder: JsonValue[], serverOrder: JsonValue[], mergeKey: string): JsonValue[] {
  const fromPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const item of merged) (indexIn(patchOrder, item, mergeKey) >= 0 ? fromPatch : serverOnly).push(item);
  const byOrder = (order: JsonValue[]) => (a: JsonValue, b: JsonValue) => indexIn(order, a, mergeKey) - indexIn(order, b, mergeKey);
  fromPatch.sort(byOrder(patchOrder));
  serverOnly.sort(byOrder(serverOrder));
  // kube's mergeSortedSlice(serverOnly, patch): a server-only item goes first only
  // when both are known to the server and it came first there.
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(fromPatch[j++]);
    else {
      const li = indexIn(serverOrder, serverOnly[i], mergeKey);
      const ri = indexIn(serverOrder, fromPatch[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(fromPatch[j++]);
    }
  }
  return out;
}

/**
 * $setElementOrder/<list>: merges that list now (so the loop in mergeMap skips
 * it) and then orders the result as the directive says.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, path: string[], meta: PatchMetaLookup): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    const field = key.slice(setElementOrderPrefix.length);
    if (!Array.isArray(order)) throw badRequest(smpErrors.badSetElementOrder);
    const fieldPath = [...path, field];
    const mergeKey = meta(fieldPath)?.mergeKey ?? '';
    const originalList = getOwn(original, field);
    const patchList = getOwn(patch, field);
    if (originalList !== undefined && !Array.isArray(originalList)) throw badRequest(smpErrors.badSetElementOrder);
    if (patchList !== undefined && patchList !== null && !Array.isArray(patchList)) throw badRequest(smpErrors.badSetElementOrder);
    if (Array.isArray(patchList)) checkPatchFollowsOrder(patchList, order, mergeKey);
    let merged: JsonValue[];
    if (originalList === undefined && !Array.isArray(patchList)) continue;
    if (!Array.isArray(patchList)) merged = originalList as JsonValue[];
    else if (originalList === undefined) merged = mergeListField([], patchList, fieldPath, meta);
    else merged = mergeListField(originalList as JsonValue[], patchList, fieldPath, meta);
    setOwn(original, field, orderLikePatch(merged, order, (originalList as JsonValue[] | undefined) ?? [], mergeKey));
    delete patch[field];
  }
}

/** Items of the patch list (bar deletions) must appear in the directive, in the same order. */
function checkPatchFollowsOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  const items = patchList.filter((item) => !(isJsonObject(item) && Object.hasOwn(item, directiveMarker)));
  let p = 0;
  for (let s = 0; s < order.length && p < items.length; s++) {
    if (jsonEqual(identity(items[p], mergeKey), identity(order[s], mergeKey))) p++;
  }
  if (p < items.length) {
    throw badRequest(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`);
  }
}
