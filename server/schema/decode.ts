import type { BodyDecoder, DecodedFields } from '../registry/generic.js';
import type { ResourceInfo } from '../registry/resource.js';
import { isPlainObject, type KubeObject } from '../meta/types.js';
import { servedSchemas, type SchemaIndex, type SchemaObject } from './schemas.js';

/** Field paths as apimachinery's strict decoder words them: `spec.template.spec.containers[0].bogus`. */
export const fieldPath = {
  key: (parent: string, key: string): string => (parent ? `${parent}.${key}` : key),
  index: (parent: string, index: number): string => `${parent}[${index}]`,
};

const int32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const quantityPattern = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const quantitySchema = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * What kube-apiserver's JSON decoder does to a body of a built-in type, in one walk over it:
 * - drops the fields the schema does not define and lists their paths (unknownFields);
 * - reports the first value whose JSON type the Go type cannot hold (typeError), worded as Go's
 *   encoding/json does: `json: cannot unmarshal string into Go struct field PodSpec.spec.containers
 *   of type []v1.Container`. The struct is the innermost one; the path omits indices and map keys.
 * - replaces null as Go's decoder does: a null field is as if not sent; a null list element or map
 *   value becomes the zero value of its type (`ports: [null]` is one port with every field unset).
 * Objects without declared properties (RawExtension, FieldsV1) and preserve-unknown-fields schemas
 * take anything.
 */
export function decodeFields(index: SchemaIndex, schemaName: string, obj: unknown): DecodedFields {
  const walk = new DecodeWalk(index);
  walk.value(index.get(schemaName), obj, { struct: structName(schemaName) });
  return { unknownFields: walk.unknown, typeError: walk.typeError };
}

/**
 * Where a value is: a step from its parent. Paths are spelled out only for an error, as most bodies
 * have none and every value of every write passes here.
 */
interface Where {
  parent?: Where;
  /** A struct field (in both paths), a map key or a list index (in the indexed path only); one of them. */
  field?: string;
  key?: string;
  index?: number;
  /** The innermost Go struct type around this value. */
  struct: string;
}

/**
 * The path to a value: with indices and map keys for unknown fields (`spec.containers[0].bogus`), or
 * with struct fields only, as Go's type errors give it (`spec.containers.ports`).
 */
function pathOf(at: Where | undefined, fieldsOnly: boolean): string {
  if (!at?.parent) return '';
  const parent = pathOf(at.parent, fieldsOnly);
  if (at.field !== undefined) return fieldPath.key(parent, at.field);
  if (fieldsOnly) return parent;
  return at.index !== undefined ? fieldPath.index(parent, at.index) : fieldPath.key(parent, at.key ?? '');
}

class DecodeWalk {
  readonly unknown: string[] = [];
  typeError?: string;

  constructor(private readonly index: SchemaIndex) {}

  value(wrapper: SchemaObject | undefined, value: unknown, at: Where): void {
    const schema = this.index.resolve(wrapper);
    if (!schema || value === null || value === undefined || schema['x-kubernetes-preserve-unknown-fields']) return;
    const refName = this.index.refName(wrapper);
    if (!this.typeFits(wrapper, schema, refName, value, at)) return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === null) value[i] = this.zero(schema.items);
        else if (typeof item !== 'object') this.leaf(schema.items, item, at, 'index', i, at.struct);
        else this.value(schema.items, item, { parent: at, index: i, struct: at.struct });
      }
      return;
    }
    if (!isPlainObject(value)) return;
    // for-in, not Object.keys, and no Where for a scalar that fits: every value of every write passes here
    if (schema.properties) {
      const struct = refName ? structName(refName) : at.struct;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const property = schema.properties[key];
        const child = value[key];
        // null leaves a Go field at its zero value: the same as not sending it
        if (property && child === null) delete value[key];
        // an empty list or map is dropped by the omitempty every optional one has in the Go types
        else if (property && isEmptyCollection(child) && !schema.required?.includes(key) && !keepsEmpty.has(`${struct}.${key}`) && this.isCollection(property)) delete value[key];
        else if (property && typeof child !== 'object') this.leaf(property, child, at, 'field', key, struct);
        else if (property) this.value(property, child, { parent: at, field: key, struct });
        else {
          this.unknown.push(pathOf({ parent: at, field: key, struct }, false));
          delete value[key];
        }
      }
      if (refName || !at.parent) this.zeroTimes(struct, schema, value);
    } else if (typeof schema.additionalProperties === 'object') {
      const values = schema.additionalProperties;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const child = value[key];
        if (child === null) value[key] = this.zero(values);
        else if (typeof child !== 'object') this.leaf(values, child, at, 'key', key, at.struct);
        else this.value(values, child, { parent: at, key, struct: at.struct });
      }
    }
  }

  /** A Go Time field that is not a pointer is never absent: unset, encoding/json writes it as null. */
  private zeroTimes(struct: string, schema: SchemaObject, value: Record<string, unknown>): void {
    const fields = zeroTimeFields.get(struct);
    if (!fields) return;
    for (const k of fields) if (value[k] === undefined && schema.properties?.[k]) value[k] = null;
  }

  /** A list, or a map of declared values (not a struct, not free-form JSON). */
  private isCollection(wrapper: SchemaObject): boolean {
    const schema = this.index.resolve(wrapper);
    if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return false;
    return schema.type === 'array' || (schema.type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object');
  }

  /** A string, number or boolean: checked against its schema, its place spelled out only if it does not fit. */
  private leaf(wrapper: SchemaObject | undefined, value: unknown, parent: Where, step: 'field' | 'key' | 'index', name: string | number, struct: string): void {
    if (value === undefined) return;
    const schema = this.index.resolve(wrapper);
    if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return;
    if (mismatch(schema, this.index.refName(wrapper), value) === undefined) return;
    const at: Where = step === 'index' ? { parent, index: name as number, struct } : step === 'key' ? { parent, key: String(name), struct } : { parent, field: String(name), struct };
    this.value(wrapper, value, at);
  }

  /** What Go stores for a null list element or map value: the zero value of its type. */
  private zero(wrapper: SchemaObject | undefined): unknown {
    const schema = this.index.resolve(wrapper);
    if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return null;
    if (this.index.refName(wrapper) === quantitySchema) return '0';
    if (schema.format === 'int-or-string') return 0;
    switch (schema.type) {
      case 'object':
        return schema.properties || schema.additionalProperties ? {} : null;
      case 'array':
        return [];
      case 'string':
        return schema.format === 'date-time' ? null : '';
      case 'integer':
      case 'number':
        return 0;
      case 'boolean':
        return false;
      default:
        return null;
    }
  }

  /** Records the first mismatch; a mismatched value is not walked further. */
  private typeFits(wrapper: SchemaObject | undefined, schema: SchemaObject, refName: string | undefined, value: unknown, at: Where): boolean {
    const problem = mismatch(schema, refName, value);
    if (problem === undefined) return true;
    this.typeError ??= problem.startsWith('json: ') ? `${problem} into Go struct field ${at.struct}.${pathOf(at, true)} of type ${this.goType(wrapper)}` : problem;
    return false;
  }

  /** The Go type a schema stands for: v1.PodSpec, []v1.Container, map[string]string, int32. */
  private goType(wrapper: SchemaObject | undefined): string {
    const refName = this.index.refName(wrapper);
    const schema = this.index.resolve(wrapper);
    // a custom unmarshaller reports the type it decodes into
    if (schema?.format === 'int-or-string') return 'int32';
    if (schema?.format === 'date-time') return 'string';
    if (refName && schema?.type === 'object') return goName(refName);
    switch (schema?.type) {
      case 'array':
        return `[]${this.goType(schema.items)}`;
      case 'object':
        return typeof schema.additionalProperties === 'object' ? `map[string]${this.goType(schema.additionalProperties)}` : 'map[string]interface {}';
      case 'integer':
        return schema.format ?? 'int';
      case 'boolean':
        return 'bool';
      case 'number':
        return 'float64';
      default:
        return schema?.type ?? 'interface {}';
    }
  }
}

/** `json: cannot unmarshal <what>` when the value does not fit, another decoder message, or undefined. */
function mismatch(schema: SchemaObject, refName: string | undefined, value: unknown): string | undefined {
  const json = jsonKind(value);
  if (refName === quantitySchema) {
    return json === 'string' || json === 'number' ? undefined : `quantities must match the regular expression '${quantityPattern}'`;
  }
  // IntOrString decodes a number as an int32
  if (schema.format === 'int-or-string') return json === 'string' ? undefined : integerMismatch(json, value, 'int32');
  switch (schema.type) {
    case 'object':
      // RawExtension and FieldsV1 unmarshal themselves from any JSON
      if (!schema.properties && !schema.additionalProperties) return undefined;
      return json === 'object' ? undefined : `json: cannot unmarshal ${json}`;
    case 'array':
      return json === 'array' ? undefined : `json: cannot unmarshal ${json}`;
    case 'string':
      return json === 'string' ? undefined : `json: cannot unmarshal ${json}`;
    case 'boolean':
      return json === 'bool' ? undefined : `json: cannot unmarshal ${json}`;
    case 'integer':
      return integerMismatch(json, value, schema.format);
    case 'number':
      return json === 'number' ? undefined : `json: cannot unmarshal ${json}`;
    default:
      return undefined;
  }
}

/** Go names a number it cannot store in the integer (a fraction, an overflow) by its text. */
function integerMismatch(json: string, value: unknown, format: string | undefined): string | undefined {
  if (json !== 'number') return `json: cannot unmarshal ${json}`;
  const n = value as number;
  const fits = Number.isInteger(n) && (format !== 'int32' || (n >= int32.min && n <= int32.max));
  return fits ? undefined : `json: cannot unmarshal number ${String(n)}`;
}

/** io.k8s.api.core.v1.PodSpec → PodSpec, the struct name Go's errors use (every object of every write asks). */
function structName(schemaName: string): string {
  let name = structNames.get(schemaName);
  if (name === undefined) {
    name = schemaName.slice(schemaName.lastIndexOf('.') + 1);
    structNames.set(schemaName, name);
  }
  return name;
}

const structNames = new Map<string, string>();

/** io.k8s.api.core.v1.PodSpec → v1.PodSpec, as Go prints a type from another package. */
function goName(schemaName: string): string {
  return schemaName.split('.').slice(-2).join('.');
}

function jsonKind(value: unknown): 'string' | 'number' | 'bool' | 'array' | 'object' {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return 'object';
}

/**
 * The registry's BodyDecoder backed by the generated schemas. Kinds without a schema (none today)
 * keep every field.
 */
export function schemaBodyDecoder(index: () => SchemaIndex = servedSchemas): BodyDecoder {
  return {
    decodeFields(info: ResourceInfo, version: string, obj: KubeObject): DecodedFields {
      const schemas = index();
      const name = schemas.nameOf({ group: info.group, version, kind: info.kind });
      return name ? decodeFields(schemas, name, obj) : { unknownFields: [] };
    },
  };
}

function isEmptyCollection(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : isPlainObject(v) && Object.keys(v).length === 0;
}

/**
 * The metav1.Time and MicroTime fields of the served types that are structs, not pointers: Go writes
 * their zero value as `null` (omitempty does not apply to a struct), so kube 1.27 to 1.33 print
 * `creationTimestamp: null` in a pod template and `lastProbeTime: null` in a pod condition.
 * (Event is core/v1's and events.k8s.io/v1's; each has only some of these.)
 */
const zeroTimeFields = new Map<string, string[]>([
  ['ObjectMeta', ['creationTimestamp']],
  ['PodCondition', ['lastProbeTime', 'lastTransitionTime']],
  ['PersistentVolumeClaimCondition', ['lastProbeTime', 'lastTransitionTime']],
  ['NodeCondition', ['lastHeartbeatTime', 'lastTransitionTime']],
  ['NamespaceCondition', ['lastTransitionTime']],
  ['StatefulSetCondition', ['lastTransitionTime']],
  ['ContainerStateRunning', ['startedAt']],
  ['ContainerStateTerminated', ['startedAt', 'finishedAt']],
  ['Event', ['eventTime', 'firstTimestamp', 'lastTimestamp', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp']],
]);

/**
 * Optional lists the Go types write even when empty (no omitempty): EndpointSlice.ports. The schema
 * cannot tell them from the rest, which all omit an empty value.
 */
const keepsEmpty = new Set(['EndpointSlice.ports']);
