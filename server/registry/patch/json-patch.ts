import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from './json-value.js';
import { malformedPatch, patchNotApplicable, tooManyJsonPatchOperations } from './patch-errors.js';

/** kube-apiserver refuses JSON patches longer than this (handlers/patch.go maxJSONPatchOperations). */
export const maxJsonPatchOperations = 10000;

const knownOps = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * RFC 6902 on a copy of obj. Shapes the Go decoder rejects give 400 with its
 * wording; everything that fails while applying gives kube's content-free 422.
 */
export function applyJsonPatch(obj: JsonObject, ops: unknown): JsonValue {
  const operations = decodeOperations(ops);
  if (operations.length > maxJsonPatchOperations) throw tooManyJsonPatchOperations(maxJsonPatchOperations, operations.length);
  let doc: JsonValue = cloneJson(obj);
  for (const [i, raw] of operations.entries()) {
    if (!knownOps.has(raw.op)) throw patchNotApplicable();
    const op = asV4Applies(doc, raw);
    if (!op) continue;
    if (!pathStaysOnOwnProperties(doc, op)) throw patchNotApplicable();
    try {
      doc = fastJsonPatch.applyOperation(doc, op as Operation, true, true, true, i).newDocument as JsonValue;
    } catch {
      throw patchNotApplicable();
    }
  }
  return cloneJson(doc);
}

interface RawOperation {
  op: string;
  path: string;
  from?: string;
  value?: JsonValue;
}

function goTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function decodeOperations(ops: unknown): RawOperation[] {
  if (ops === null) return [];
  if (!Array.isArray(ops)) throw malformedPatch(`json: cannot unmarshal ${goTypeName(ops)} into Go value of type jsonpatch.Patch`);
  return ops.map((raw) => {
    if (!isJsonObject(raw)) throw malformedPatch(`json: cannot unmarshal ${goTypeName(raw)} into Go value of type jsonpatch.Operation`);
    const op = Object.hasOwn(raw, 'op') ? raw.op : undefined;
    const path = Object.hasOwn(raw, 'path') ? raw.path : undefined;
    const from = Object.hasOwn(raw, 'from') ? raw.from : undefined;
    // Go decodes into raw messages; a wrong type shows up when the op runs, i.e. as the 422.
    if (typeof op !== 'string' || typeof path !== 'string' || (from !== undefined && typeof from !== 'string')) throw patchNotApplicable();
    const out: RawOperation = { op, path };
    if (from !== undefined) out.from = from;
    if (Object.hasOwn(raw, 'value')) out.value = cloneJson(raw.value);
    else if (op === 'add' || op === 'replace' || op === 'test') throw patchNotApplicable();
    return out;
  });
}

/**
 * What gopkg.in/evanphx/json-patch.v4, kube's library, does beyond RFC 6902: an object's missing key
 * reads as null, so "replace" there adds it and a "test" for null passes (undefined: nothing to do);
 * and negative array indexes count from the end (SupportNegativeIndices), in `path` and in the
 * `from` of move and copy.
 */
function asV4Applies(doc: JsonValue, op: RawOperation): RawOperation | undefined {
  let out = op;
  const segments = decodePointer(op.path);
  if (segments?.length) {
    const { keys, parent } = walkV4(doc, segments, op.op === 'add');
    const last = keys[keys.length - 1];
    if (isJsonObject(parent) && !Object.hasOwn(parent, last)) {
      if (op.op === 'replace') return { ...op, op: 'add', path: encodePointer(keys) };
      if (op.op === 'test' && op.value === null) return undefined;
    }
    if (keys.some((k, i) => k !== segments[i])) out = { ...out, path: encodePointer(keys) };
  }
  const from = op.from !== undefined && (op.op === 'move' || op.op === 'copy') ? decodePointer(op.from) : undefined;
  if (from?.length) {
    const { keys } = walkV4(doc, from, false);
    if (keys.some((k, i) => k !== from[i])) out = { ...out, from: encodePointer(keys) };
  }
  return out;
}

/** The pointer's keys with negative indexes resolved, and the container its last key is in. */
function walkV4(doc: JsonValue, segments: string[], adding: boolean): { keys: string[]; parent: JsonValue | undefined } {
  let at: JsonValue | undefined = doc;
  const keys: string[] = [];
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    let key = seg;
    if (Array.isArray(at) && /^-[1-9][0-9]*$/.test(seg)) {
      const index = Number(seg) + at.length + (last && adding ? 1 : 0);
      if (index >= 0) key = String(index);
    }
    keys.push(key);
    if (last) return { keys, parent: at };
    at = Array.isArray(at) ? at[Number(key)] : isJsonObject(at) && Object.hasOwn(at, key) ? at[key] : undefined;
  }
  return { keys, parent: undefined };
}

function encodePointer(segments: string[]): string {
  return segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function decodePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * fast-json-patch walks with plain property reads, so "/constructor/x" would reach
 * Object itself. Every segment we walk through must be an own property or an index;
 * the last one must exist too unless the op creates it.
 */
function pathStaysOnOwnProperties(doc: JsonValue, op: RawOperation): boolean {
  const pointers: { pointer: string; mustExist: boolean }[] = [{ pointer: op.path, mustExist: op.op !== 'add' && op.op !== 'move' && op.op !== 'copy' }];
  if (op.from !== undefined && (op.op === 'move' || op.op === 'copy')) pointers.push({ pointer: op.from, mustExist: true });
  return pointers.every(({ pointer, mustExist }) => {
    const segments = decodePointer(pointer);
    if (!segments) return false;
    let at: JsonValue = doc;
    for (const [i, seg] of segments.entries()) {
      const last = i === segments.length - 1;
      if (Array.isArray(at)) {
        if (last && (seg === '-' || !mustExist)) return seg === '-' || /^(0|[1-9][0-9]*)$/.test(seg);
        if (!/^(0|[1-9][0-9]*)$/.test(seg) || Number(seg) >= at.length) return false;
        at = at[Number(seg)];
      } else if (isJsonObject(at)) {
        if (!Object.hasOwn(at, seg)) return last && !mustExist;
        at = at[seg];
      } else {
        return false;
      }
    }
    return true;
  });
}
