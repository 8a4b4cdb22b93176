/**
 * Decodes one generated Kubernetes protobuf message into its JSON API object form, driven by a field table.
 * Only fields the table names are accepted: anything else is refused rather than silently dropped,
 * because a dropped field would make kubemock store something other than what the client sent.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { rfc3339 } from '../../meta/clock.js';
import { badRequest, StatusError } from '../../meta/errors.js';
import type { FieldSpec, FieldType, MessageSpec } from './schema.js';

export type JsonObject = Record<string, unknown>;

/** 415: the bytes are fine, but kubemock has no table for what they carry. */
export function unsupportedProtobuf(what: string): StatusError {
  return new StatusError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: `kubemock does not decode ${what} in application/vnd.kubernetes.protobuf; send this request as application/json`,
    details: { causes: [{ reason: 'UnexpectedServerResponse', message: 'application/vnd.kubernetes.protobuf' }] },
  });
}

export function malformedProtobuf(detail: string): StatusError {
  return badRequest(`unable to decode protobuf body: ${detail}`);
}

export function decodeMessage(spec: MessageSpec, bytes: Uint8Array, path: string): JsonObject {
  return decodeInto(spec, bytes, path, {});
}

function decodeInto(spec: MessageSpec, bytes: Uint8Array, path: string, out: JsonObject): JsonObject {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    const field = spec.fields.get(no);
    if (!field) throw unsupportedProtobuf(`field number ${no} of ${spec.name} (at ${path || spec.name})`);
    // An inline message's fields sit at the enclosing object's JSON path.
    const fieldPath = field.inline ? path : path ? `${path}.${field.json}` : field.json;
    if (wireType !== wireTypeOf(field.type)) throw malformedProtobuf(`${fieldPath || spec.name}: wire type ${wireType}, expected ${wireTypeOf(field.type)}`);
    readField(reader, field, fieldPath, out);
  }
  return out;
}

function wireTypeOf(type: FieldType): WireType {
  return type === 'int32' || type === 'int64' || type === 'bool' ? WireType.Varint : WireType.LengthDelimited;
}

function readField(reader: BinaryReader, field: FieldSpec, path: string, out: JsonObject): void {
  const { type } = field;
  if (field.inline && typeof type === 'object' && 'message' in type) {
    decodeInto(type.message, reader.bytes(), path, out);
    return;
  }
  if (typeof type === 'object' && 'map' in type) {
    const [key, value] = readMapEntry(reader.bytes(), type.map, path);
    const map = (out[field.json] ??= {}) as JsonObject;
    // An own property even for a key like "__proto__", as JSON.parse makes it.
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    return;
  }
  const value = readValue(reader, type, path);
  if (field.repeated) {
    ((out[field.json] ??= []) as unknown[]).push(value);
    return;
  }
  // gogo writes non-pointer fields even when zero; JSON's omitempty leaves them out, and so do we.
  if (value === undefined || (!field.nullable && isZero(value))) {
    delete out[field.json];
    return;
  }
  out[field.json] = value;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === '' || v === 0 || v === false;
}

function readValue(reader: BinaryReader, type: Exclude<FieldType, { map: unknown }>, path: string): unknown {
  switch (type) {
    case 'string': return reader.string();
    case 'bytes': return base64(reader.bytes());
    case 'int32': return reader.int32();
    case 'int64': return int64(reader.int64(), path);
    case 'bool': return reader.bool();
    case 'time': return readTime(reader.bytes(), path);
    case 'intOrString': return readIntOrString(reader.bytes(), path);
    case 'fieldsV1': return readFieldsV1(reader.bytes(), path);
    case 'quantity': return readQuantity(reader.bytes(), path);
    default: return decodeMessage(type.message, reader.bytes(), path);
  }
}

/** The JSON form carries []byte as standard padded base64, as Go's encoding/json writes it. */
function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function int64(v: bigint | string, path: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw malformedProtobuf(`${path}: ${String(v)} is out of range`);
  return n;
}

/** Reads a nested message whose fields are all varints or strings, keyed by field number. */
function readSmall(bytes: Uint8Array, name: string, path: string, kinds: Record<number, 'varint' | 'string' | 'bytes'>): Map<number, bigint | string | number | Uint8Array> {
  const reader = new BinaryReader(bytes);
  const got = new Map<number, bigint | string | number | Uint8Array>();
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    const kind = kinds[no];
    if (!kind) throw unsupportedProtobuf(`field number ${no} of ${name} (at ${path})`);
    const expected = kind === 'varint' ? WireType.Varint : WireType.LengthDelimited;
    if (wireType !== expected) throw malformedProtobuf(`${path}: wire type ${wireType} in ${name} field ${no}`);
    got.set(no, kind === 'varint' ? reader.int64() : kind === 'string' ? reader.string() : reader.bytes());
  }
  return got;
}

/**
 * meta/v1 Time {seconds = 1, nanos = 2}. A zero Go time is written as an empty message, which is absent in JSON;
 * nanos are dropped, as the apiserver's own Unmarshal drops them (JSON carries whole seconds in RFC 3339).
 */
function readTime(bytes: Uint8Array, path: string): string | undefined {
  if (bytes.length === 0) return undefined;
  const t = readSmall(bytes, 'k8s.io.apimachinery.pkg.apis.meta.v1.Time', path, { 1: 'varint', 2: 'varint' });
  return rfc3339(int64((t.get(1) as bigint | string | undefined) ?? 0n, path) * 1000);
}

/** intstr.IntOrString {type = 1 (0 int, 1 string), intVal = 2, strVal = 3}. */
function readIntOrString(bytes: Uint8Array, path: string): number | string {
  const v = readSmall(bytes, 'k8s.io.apimachinery.pkg.util.intstr.IntOrString', path, { 1: 'varint', 2: 'varint', 3: 'string' });
  const kind = Number(v.get(1) ?? 0);
  if (kind === 1) return (v.get(3) as string | undefined) ?? '';
  if (kind !== 0) throw malformedProtobuf(`${path}: IntOrString type ${kind}`);
  return Number(BigInt.asIntN(32, BigInt((v.get(2) as bigint | string | undefined) ?? 0)));
}

/** meta/v1 FieldsV1 {Raw = 1}: Raw holds the managed-fields JSON, which is the field's JSON form. */
function readFieldsV1(bytes: Uint8Array, path: string): unknown {
  const raw = readSmall(bytes, 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1', path, { 1: 'bytes' }).get(1) as Uint8Array | undefined;
  if (!raw || raw.length === 0) return {};
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8')) as unknown;
  } catch (e) {
    throw malformedProtobuf(`${path}: ${(e as Error).message}`);
  }
}

/** resource.Quantity {string = 1}: the JSON form is the same string. */
function readQuantity(bytes: Uint8Array, path: string): string {
  return (readSmall(bytes, 'k8s.io.apimachinery.pkg.api.resource.Quantity', path, { 1: 'string' }).get(1) as string | undefined) ?? '';
}

/**
 * A map entry {key = 1, value = 2}; bytes values become base64 as in the JSON form, and quantity values their string
 * (an absent or empty Quantity is Go's zero Quantity, whose JSON form is "0").
 */
function readMapEntry(bytes: Uint8Array, valueType: 'string' | 'bytes' | 'quantity', path: string): [string, string] {
  const e = readSmall(bytes, `map entry of ${path}`, path, { 1: 'string', 2: valueType === 'string' ? 'string' : 'bytes' });
  const value = e.get(2);
  const key = (e.get(1) as string | undefined) ?? '';
  if (valueType === 'bytes') return [key, base64((value as Uint8Array | undefined) ?? new Uint8Array())];
  if (valueType === 'quantity') return [key, readQuantity((value as Uint8Array | undefined) ?? new Uint8Array(), `${path}[${key}]`) || '0'];
  return [key, (value as string | undefined) ?? ''];
}
