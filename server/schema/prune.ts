import type { BodyDecoder } from '../registry/generic.js';
import type { ResourceInfo } from '../registry/resource.js';
import { isPlainObject, type KubeObject } from '../meta/types.js';
import { servedSchemas, type SchemaIndex, type SchemaObject } from './schemas.js';

/** Field paths as apimachinery's strict decoder words them: `spec.template.spec.containers[0].bogus`. */
export const fieldPath = {
  key: (parent: string, key: string): string => (parent ? `${parent}.${key}` : key),
  index: (parent: string, index: number): string => `${parent}[${index}]`,
};

/**
 * Removes the fields a schema does not define, as kube-apiserver's decoder drops unknown fields of
 * built-in types, and returns their paths. Objects without declared properties (RawExtension,
 * FieldsV1) and preserve-unknown-fields schemas keep everything; values of the wrong JSON type are
 * left for validation to report.
 */
export function pruneUnknownFields(index: SchemaIndex, schemaName: string, obj: unknown): string[] {
  const unknown: string[] = [];
  pruneValue(index, index.get(schemaName), obj, '', unknown);
  return unknown;
}

function pruneValue(index: SchemaIndex, wrapper: SchemaObject | undefined, value: unknown, path: string, unknown: string[]): void {
  const schema = index.resolve(wrapper);
  if (!schema || value === null || value === undefined || schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (schema.type === 'array' && schema.items) value.forEach((item, i) => pruneValue(index, schema.items, item, fieldPath.index(path, i), unknown));
    return;
  }
  if (!isPlainObject(value) || schema.type !== 'object') return;
  if (schema.properties) {
    for (const key of Object.keys(value)) {
      const property = schema.properties[key];
      if (property) pruneValue(index, property, value[key], fieldPath.key(path, key), unknown);
      else {
        unknown.push(fieldPath.key(path, key));
        delete value[key];
      }
    }
  } else if (typeof schema.additionalProperties === 'object') {
    for (const key of Object.keys(value)) pruneValue(index, schema.additionalProperties, value[key], fieldPath.key(path, key), unknown);
  }
}

/**
 * The registry's BodyDecoder backed by the generated schemas. Kinds without a schema (none today)
 * keep every field.
 */
export function schemaBodyDecoder(index: () => SchemaIndex = servedSchemas): BodyDecoder {
  return {
    pruneUnknownFields(info: ResourceInfo, version: string, obj: KubeObject): string[] {
      const schemas = index();
      const name = schemas.nameOf({ group: info.group, version, kind: info.kind });
      return name ? pruneUnknownFields(schemas, name, obj) : [];
    },
  };
}
