/**
 * JSON values as patches see them, and the few own-property helpers every patch
 * type needs. Patch bodies come from clients: a key such as "__proto__" or
 * "constructor" is data there, so reads go through hasOwn and writes through
 * defineProperty, never through inherited accessors.
 */
import { deepCopy } from '../../meta/deep-copy.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value stored under key on obj itself, never one inherited from Object.prototype. */
export function getOwn(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets key as an own data property even when it is "__proto__". */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  // "__proto__" is Object.prototype's only accessor, so for every other key plain assignment
  // already makes an own data property. defineProperty is kept for that one key: used for all,
  // it turns objects into slow dictionaries, and every stored object passes through here.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/**
 * A deep copy made of fresh plain objects. It also drops `undefined` (which JSON
 * cannot carry) so the result is exactly what a JSON round trip would give.
 */
export function cloneJson<T extends JsonValue>(v: T): T;
export function cloneJson(v: unknown): JsonValue;
export function cloneJson(v: unknown): JsonValue {
  return deepCopy(v) as JsonValue;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** Go's fmt %v-ish rendering used inside kube's error texts (close enough for messages). */
export function goFormat(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isJsonObject(v)) {
    return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}
