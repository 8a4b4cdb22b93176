import { cloneJson, getOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from './json-value.js';
import { malformedPatch } from './patch-errors.js';

/**
 * RFC 7386. Written here instead of using json-merge-patch because that package
 * silently stops half way through a patch holding a "__proto__" key.
 */
export function mergePatchValue(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete out[key];
    } else {
      setOwn(out, key, mergePatchValue(getOwn(out, key), value));
    }
  }
  return out;
}

/**
 * The merge-patch+json entry: evanphx/json-patch refuses a `null` body as
 * "Invalid JSON Patch" (400); any other non-object body replaces the document,
 * which the caller then rejects because it is not an object.
 */
export function applyMergePatch(obj: JsonObject, patch: unknown): JsonValue {
  if (patch === null || patch === undefined) throw malformedPatch('Invalid JSON Patch');
  return mergePatchValue(obj, cloneJson(patch));
}

/** The smallest merge patch turning from into to (used by tests and by callers that diff). */
export function createMergePatch(from: JsonValue, to: JsonValue): JsonValue {
  if (!isJsonObject(from) || !isJsonObject(to)) return cloneJson(to);
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    if (!Object.hasOwn(to, key)) setOwn(patch, key, null);
  }
  for (const key of Object.keys(to)) {
    const a = getOwn(from, key);
    const b = to[key];
    if (a === undefined) setOwn(patch, key, cloneJson(b));
    else if (JSON.stringify(a) !== JSON.stringify(b)) {
      setOwn(patch, key, isJsonObject(a) && isJsonObject(b) ? createMergePatch(a, b) : cloneJson(b));
    }
  }
  return patch;
}
