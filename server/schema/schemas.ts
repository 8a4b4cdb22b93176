import { readOpenapiFile } from './openapi-files.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The parts of an OpenAPI schema object the runtime reads (the generated documents hold more). */
export interface SchemaObject {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  additionalProperties?: SchemaObject | boolean;
  allOf?: SchemaObject[];
  $ref?: string;
  enum?: string[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
}

const refPrefix = '#/components/schemas/';

const gvkKey = (gvk: GroupVersionKind): string => `${gvk.group}/${gvk.version}/${gvk.kind}`;

/** Component schemas by name and by the kind they describe. */
export class SchemaIndex {
  private readonly byGvk = new Map<string, string>();

  constructor(readonly schemas: Readonly<Record<string, SchemaObject>>) {
    for (const [name, schema] of Object.entries(schemas)) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
        // Shared meta kinds (DeleteOptions, WatchEvent) list every group: the first schema wins.
        if (!this.byGvk.has(gvkKey(gvk))) this.byGvk.set(gvkKey(gvk), name);
      }
    }
  }

  /** The schema name of a kind, e.g. apps/v1 StatefulSet → io.k8s.api.apps.v1.StatefulSet. */
  nameOf(gvk: GroupVersionKind): string | undefined {
    return this.byGvk.get(gvkKey(gvk));
  }

  get(name: string): SchemaObject | undefined {
    return this.schemas[name];
  }

  /**
   * Follows $ref and kube-openapi's single-element allOf wrapper to the schema that says what the value
   * is. The wrapper's own keys (description, x-kubernetes-patch-*) stay on the wrapper: read them there.
   */
  resolve(schema: SchemaObject | undefined): SchemaObject | undefined {
    if (!schema) return undefined;
    // every value of every write is checked against its schema: follow each wrapper once
    if (this.resolved.has(schema)) return this.resolved.get(schema);
    const target = this.follow(schema);
    this.resolved.set(schema, target);
    return target;
  }

  private readonly resolved = new WeakMap<SchemaObject, SchemaObject | undefined>();

  private follow(schema: SchemaObject): SchemaObject | undefined {
    let current: SchemaObject | undefined = schema;
    for (let depth = 0; current && depth < 8; depth++) {
      if (current.$ref) current = this.schemas[current.$ref.slice(refPrefix.length)];
      else if (current.allOf?.length === 1 && !current.type && !current.properties) current = current.allOf[0];
      else return current;
    }
    return current;
  }

  /** Name of the component a (possibly wrapped) reference points at. */
  refName(schema: SchemaObject | undefined): string | undefined {
    if (!schema) return undefined;
    // asked for every value of every write, like resolve(): sliced once per wrapper
    if (this.refNames.has(schema)) return this.refNames.get(schema);
    const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0].$ref : undefined);
    const name = ref?.startsWith(refPrefix) ? ref.slice(refPrefix.length) : undefined;
    this.refNames.set(schema, name);
    return name;
  }

  private readonly refNames = new WeakMap<SchemaObject, string | undefined>();
}

let loaded: SchemaIndex | undefined;

/**
 * The schemas of everything kubemock serves, read the first time they are needed from
 * openapi/schemas.json: kubemock.json's component schemas without descriptions (parsing all of
 * kubemock.json took 16 ms of start-up, this takes one).
 */
export function servedSchemas(): SchemaIndex {
  if (!loaded) {
    loaded = new SchemaIndex(JSON.parse(readOpenapiFile('schemas.json').toString('utf8')) as Record<string, SchemaObject>);
  }
  return loaded;
}
