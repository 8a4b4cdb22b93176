import { createFileRegistry, fromBinary, ScalarType, type DescField, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { FeatureSet_FieldPresence, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { isPlainObject } from '../meta/types.js';
import { descriptorSetBase64 } from './gen/descriptors.js';

/**
 * Kubernetes JSON ⇄ the ts-proto objects of the generated messages, driven by the descriptors of
 * proto/ rather than per-kind code. Field names are the Kubernetes names (the generator keeps them),
 * so the walk is a copy with three special cases:
 *   kubemock.v1.IntOrString   a bare number or string in JSON, { intVal } / { strVal } in proto
 *   google.protobuf.Struct    free-form objects (FieldsV1), carried as they are
 *   google.protobuf.Value     RawExtension (any JSON), carried as it is
 * The one thing proto cannot keep is an empty list or map (or a null): it comes back absent, as in
 * Kubernetes' own protobuf encoding.
 */

let registry: FileRegistry | undefined;

/** The proto descriptors, decoded on first use: a tenth of a second that start-up need not pay. */
export function protoRegistry(): FileRegistry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, Buffer.from(descriptorSetBase64, 'base64')));
  return registry;
}

const intOrString = 'kubemock.v1.IntOrString';
const passThrough = new Set(['google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.ListValue']);

/** A value the schema does not allow where it was found; path is a JSON path into the object. */
export class ConversionError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
  }
}

export interface ToProtoOptions {
  /** Collects the JSON paths of fields the message has no field for (they are dropped). */
  dropped?: string[];
}

export function messageDesc(typeName: string): DescMessage {
  const desc = protoRegistry().getMessage(typeName);
  if (!desc) throw new Error(`unknown message ${typeName}`);
  return desc;
}

/** ts-proto's property name for a field: snake_case names are camelCased, others are kept. */
export function propertyName(field: DescField): string {
  const name = field.name;
  if (!name.includes('_')) return name;
  return name.split('_').map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

/** Kubernetes JSON (an object of the message's type) → the ts-proto object ready for encode. */
export function toProto(typeName: string, json: unknown, opts: ToProtoOptions = {}): Record<string, unknown> {
  const out = messageToProto(messageDesc(typeName), json, '', opts);
  if (!isPlainObject(out)) throw new ConversionError('', 'expected an object');
  return out;
}

/** A decoded ts-proto object → Kubernetes JSON. */
export function fromProto(typeName: string, msg: unknown): Record<string, unknown> {
  const out = messageFromProto(messageDesc(typeName), msg);
  return isPlainObject(out) ? out : {};
}

function messageToProto(desc: DescMessage, json: unknown, path: string, opts: ToProtoOptions): unknown {
  if (desc.typeName === intOrString) {
    if (typeof json === 'number' && Number.isInteger(json)) return { intVal: json, strVal: undefined };
    if (typeof json === 'string') return { intVal: undefined, strVal: json };
    throw new ConversionError(path, `expected an integer or a string, got ${JSON.stringify(json)}`);
  }
  if (passThrough.has(desc.typeName)) {
    if (desc.typeName === 'google.protobuf.Struct' && !isPlainObject(json)) throw new ConversionError(path, 'expected an object');
    return structuredClone(json);
  }
  if (!isPlainObject(json)) throw new ConversionError(path, `expected an object, got ${JSON.stringify(json)}`);
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const field of desc.fields) {
    known.add(field.jsonName);
    const value = json[field.jsonName];
    out[propertyName(field)] = fieldToProto(field, value, `${path}.${field.jsonName}`, opts);
  }
  if (opts.dropped) for (const k of Object.keys(json)) if (!known.has(k)) opts.dropped.push(`${path}.${k}`);
  return out;
}

function fieldToProto(field: DescField, value: unknown, path: string, opts: ToProtoOptions): unknown {
  const absent = value === undefined || value === null;
  switch (field.fieldKind) {
    case 'list': {
      if (absent) return [];
      if (!Array.isArray(value)) throw new ConversionError(path, 'expected an array');
      return value.map((v, i) => {
        const p = `${path}[${i}]`;
        if (field.listKind === 'message') return messageToProto(field.message, v, p, opts);
        if (field.listKind === 'enum') return enumValue(v, p);
        return scalarToProto(field.scalar, v, p);
      });
    }
    case 'map': {
      if (absent) return {};
      if (!isPlainObject(value)) throw new ConversionError(path, 'expected an object');
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const p = `${path}.${k}`;
        if (field.mapKind === 'message') out[k] = messageToProto(field.message, v, p, opts);
        else if (field.mapKind === 'enum') out[k] = enumValue(v, p);
        else out[k] = scalarToProto(field.scalar, v, p);
      }
      return out;
    }
    case 'message':
      if (absent) return undefined;
      return messageToProto(field.message, value, path, opts);
    case 'enum':
      if (absent) return field.presence === FeatureSet_FieldPresence.IMPLICIT ? 0 : undefined;
      return enumValue(value, path);
    case 'scalar':
      if (absent) return field.presence === FeatureSet_FieldPresence.IMPLICIT ? scalarZero(field.scalar) : undefined;
      return scalarToProto(field.scalar, value, path);
  }
}

function enumValue(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConversionError(path, 'expected an enum number');
  return v;
}

function scalarZero(t: ScalarType): unknown {
  switch (t) {
    case ScalarType.STRING:
      return '';
    case ScalarType.BOOL:
      return false;
    case ScalarType.BYTES:
      return new Uint8Array(0);
    default:
      return 0;
  }
}

function scalarToProto(t: ScalarType, v: unknown, path: string): unknown {
  switch (t) {
    case ScalarType.STRING:
      if (typeof v !== 'string') throw new ConversionError(path, `expected a string, got ${JSON.stringify(v)}`);
      return v;
    case ScalarType.BOOL:
      if (typeof v !== 'boolean') throw new ConversionError(path, `expected a boolean, got ${JSON.stringify(v)}`);
      return v;
    case ScalarType.BYTES:
      if (typeof v !== 'string') throw new ConversionError(path, 'expected base64 text');
      return new Uint8Array(Buffer.from(v, 'base64'));
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      if (typeof v !== 'number') throw new ConversionError(path, `expected a number, got ${JSON.stringify(v)}`);
      return v;
    default:
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConversionError(path, `expected an integer, got ${JSON.stringify(v)}`);
      return v;
  }
}

function messageFromProto(desc: DescMessage, msg: unknown): unknown {
  if (desc.typeName === intOrString) {
    if (!isPlainObject(msg)) return undefined;
    return msg.intVal !== undefined ? msg.intVal : msg.strVal;
  }
  if (passThrough.has(desc.typeName)) return msg === undefined ? undefined : structuredClone(msg);
  if (!isPlainObject(msg)) return undefined;
  const out: Record<string, unknown> = {};
  for (const field of desc.fields) {
    const v = fieldFromProto(field, msg[propertyName(field)]);
    if (v !== undefined) out[field.jsonName] = v;
  }
  return out;
}

function fieldFromProto(field: DescField, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  switch (field.fieldKind) {
    case 'list': {
      if (!Array.isArray(value) || value.length === 0) return undefined;
      return value.map((v) => (field.listKind === 'message' ? messageFromProto(field.message, v) : scalarFromProto(v)));
    }
    case 'map': {
      if (!isPlainObject(value)) return undefined;
      const entries = Object.entries(value);
      if (!entries.length) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) out[k] = field.mapKind === 'message' ? messageFromProto(field.message, v) : scalarFromProto(v);
      return out;
    }
    case 'message':
      return messageFromProto(field.message, value);
    default:
      return scalarFromProto(value);
  }
}

function scalarFromProto(v: unknown): unknown {
  return v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
}
