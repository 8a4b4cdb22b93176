/**
 * The shape of our hand-written field tables for Kubernetes' generated protobuf messages.
 * Each table names a field by its JSON API name so the decoder can produce the JSON object form directly.
 */

/** Scalars as gogo-protobuf encodes them in k8s.io generated.proto files. */
export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';

/**
 * Types whose protobuf shape differs from their JSON shape:
 * time (meta/v1 Time {seconds, nanos} → RFC 3339 string), intOrString ({type, intVal, strVal} → number or string),
 * fieldsV1 ({Raw} bytes holding JSON → that JSON), quantity ({string} → string).
 */
export type SpecialType = 'time' | 'intOrString' | 'fieldsV1' | 'quantity';

export type FieldType =
  | ScalarType
  | SpecialType
  | { message: MessageSpec }
  /** map<string, V>: on the wire, repeated entries {key = 1, value = 2}; a quantity value is a resource.Quantity message. */
  | { map: 'string' | 'bytes' | 'quantity' };

export interface FieldSpec {
  json: string;
  type: FieldType;
  repeated?: boolean;
  /**
   * A Go pointer field: gogo writes it only when set, so a zero value on the wire is meaningful (immutable: false).
   * Non-pointer fields are always written, zero or not; we drop their zero values as Go's `omitempty` would.
   */
  nullable?: boolean;
  /**
   * A Go embedded struct (`json:",inline"`), e.g. Probe's ProbeHandler or Volume's VolumeSource: on the wire a message field
   * of its own, in JSON its fields are the enclosing object's. `json` only names it in this table.
   */
  inline?: boolean;
}

export interface MessageSpec {
  /** The protobuf full name, used in error messages. */
  name: string;
  fields: ReadonlyMap<number, FieldSpec>;
}

type FieldRow = [no: number, json: string, type: FieldType, opts?: { repeated?: boolean; nullable?: boolean; inline?: boolean }];

/** Builds a message table from rows of [field number, JSON name, type, options]. */
export function message(name: string, rows: FieldRow[]): MessageSpec {
  const fields = new Map<number, FieldSpec>();
  for (const [no, json, type, opts] of rows) {
    if (fields.has(no)) throw new Error(`${name}: field ${no} listed twice`);
    if (opts?.inline && (typeof type !== 'object' || !('message' in type) || opts.repeated || opts.nullable)) {
      throw new Error(`${name}: field ${no} is inline, so it must be a single non-pointer message`);
    }
    fields.set(no, { json, type, ...opts });
  }
  return { name, fields };
}

export const repeated = { repeated: true } as const;
export const nullable = { nullable: true } as const;
export const inline = { inline: true } as const;
export const msg = (spec: MessageSpec): FieldType => ({ message: spec });
