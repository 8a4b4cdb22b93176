/**
 * The OpenAPI document as the contract tests read it: operations found by method and URL, schemas
 * compiled with ajv, and the component schema of every group/version/kind.
 *
 * Schema conversion (OpenAPI 3.0 → the JSON Schema ajv speaks):
 *   - `#/components/schemas/X` refs point into one ajv schema's `definitions`;
 *   - IntOrString (`type: string, format: int-or-string`) accepts integers too, as the wire does;
 *   - meta/v1 Time and MicroTime accept null: the apiserver writes a zero time as null
 *     (`metadata.creationTimestamp: null` inside pod templates), though the document cannot say so;
 *   - a Go pointer field without omitempty is written as null when unset (TokenRequestSpec.boundObjectRef),
 *     which the document cannot say either;
 *   - strict mode (responses) closes every object that lists its properties (additionalProperties: false),
 *     so a field the real API would not return fails; lenient mode (requests) leaves objects open,
 *     because the apiserver accepts and drops unknown fields by default (fieldValidation=Warn), and drops nulls.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';

// ajv is CommonJS: under NodeNext the default import is module.exports, whose `default` is the class.
const Ajv = AjvModule.default;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonSchema = { [key: string]: Json };

export interface OpenApiOperation {
  operationId?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }>; required?: boolean };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
  'x-kubernetes-action'?: string;
  'x-kubernetes-group-version-kind'?: Gvk;
}

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface MatchedOperation {
  template: string;
  method: string;
  operation: OpenApiOperation;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const documentPath = path.join(root, 'openapi/kubemock.json');

const componentPrefix = '#/components/schemas/';
const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const nullableTimes = new Set(['io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']);
/** Properties whose Go field is a pointer without omitempty: null on the wire when unset. */
const nullableProperties: Record<string, string[]> = { 'io.k8s.api.authentication.v1.TokenRequestSpec': ['boundObjectRef'] };

function convert(schema: Json, strict: boolean, id: string): Json {
  if (Array.isArray(schema)) return schema.map((s) => convert(s, strict, id));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith(componentPrefix)) out[k] = `${id}#/definitions/${v.slice(componentPrefix.length)}`;
    else if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, convert(s, strict, id)]));
    } else out[k] = convert(v, strict, id);
  }
  const open = out['x-kubernetes-preserve-unknown-fields'] === true;
  if (strict && out.properties && out.additionalProperties === undefined && !open) out.additionalProperties = false;
  return out;
}

function convertComponent(name: string, schema: JsonSchema, strict: boolean, id: string): Json {
  if (name === intOrString) return { description: schema.description ?? '', anyOf: [{ type: 'integer' }, { type: 'string' }] };
  if (nullableTimes.has(name)) return { anyOf: [convert(schema, strict, id), { type: 'null' }] };
  const out = convert(schema, strict, id) as { properties?: { [key: string]: Json } };
  for (const p of nullableProperties[name] ?? []) {
    if (out.properties?.[p]) out.properties[p] = { anyOf: [out.properties[p], { type: 'null' }] };
  }
  return out as Json;
}

const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function templateRegex(template: string): RegExp {
  const body = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (part === '{path}') return '(.+)';
      if (part.startsWith('{')) return '([^/]+)';
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`);
}

export class ContractDocument {
  readonly document: OpenApiDocument;
  private readonly ajv: InstanceType<typeof Ajv>;
  private readonly routes: { template: string; regex: RegExp; literals: number }[];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly byGvk = new Map<string, string>();

  constructor(file = documentPath) {
    this.document = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('date-time', dateTime);
    this.ajv.addFormat('double', { type: 'number', validate: () => true });
    this.ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
    const schemas = this.document.components.schemas;
    for (const [strict, id] of [[true, 'strict'], [false, 'lenient']] as const) {
      const definitions = Object.fromEntries(Object.entries(schemas).map(([n, s]) => [n, convertComponent(n, s, strict, id)]));
      this.ajv.addSchema({ $id: id, definitions }, id);
    }
    for (const [name, s] of Object.entries(schemas)) {
      const gvks = s['x-kubernetes-group-version-kind'];
      for (const g of (Array.isArray(gvks) ? gvks : []) as unknown as Gvk[]) this.byGvk.set(gvkKey(g), name);
    }
    // Literal segments win over parameters (/api/v1/namespaces/{name}/status vs .../{namespace}/pods).
    this.routes = Object.keys(this.document.paths)
      .map((template) => ({ template, regex: templateRegex(template), literals: template.split('/').filter((s) => s && !s.startsWith('{')).length }))
      .sort((a, b) => b.literals - a.literals || b.template.length - a.template.length);
  }

  /** The path template serving `pathname`, if the document has one. */
  route(pathname: string): string | undefined {
    const found = this.routes.find((r) => r.regex.test(pathname))?.template;
    // the document names discovery paths without their trailing slash; the server answers both (/apis/)
    return found ?? (pathname.length > 1 && pathname.endsWith('/') ? this.route(pathname.slice(0, -1)) : undefined);
  }

  /**
   * Whether kube-apiserver's go-restful router owns the path (/api/..., /apis/<served group>/...),
   * so its 404 is a Status; elsewhere the answer is Go's plain-text http.NotFound.
   */
  routerOwns(pathname: string): boolean {
    if (pathname.startsWith('/api/')) return true;
    const group = /^\/apis\/([^/]+)\//.exec(pathname)?.[1];
    return group !== undefined && Object.keys(this.document.paths).some((t) => t.startsWith(`/apis/${group}/`));
  }

  operation(method: string, pathname: string): MatchedOperation | undefined {
    const template = this.route(pathname);
    if (!template) return undefined;
    const operation = this.document.paths[template]?.[method.toLowerCase()] as OpenApiOperation | undefined;
    return operation ? { template, method: method.toLowerCase(), operation } : undefined;
  }

  /** The component schema name of a group/version/kind (from the schemas' x-kubernetes-group-version-kind). */
  schemaForGvk(gvk: Gvk): string | undefined {
    return this.byGvk.get(gvkKey(gvk));
  }

  schemaForObject(apiVersion: string, kind: string): string | undefined {
    return this.schemaForGvk(parseGvk(apiVersion, kind));
  }

  /** Validates against a schema from the document (an inline one with component refs, or a component name). */
  validate(schema: JsonSchema | string, value: unknown, mode: 'strict' | 'lenient' = 'strict'): string[] {
    const key = `${mode}:${typeof schema === 'string' ? schema : JSON.stringify(schema)}`;
    let fn = this.compiled.get(key);
    if (!fn) {
      const s = typeof schema === 'string' ? { $ref: `${mode}#/definitions/${schema}` } : (convert(schema, mode === 'strict', mode) as JsonSchema);
      const compiled = this.ajv.compile(s);
      this.compiled.set(key, compiled);
      fn = compiled;
    }
    return fn(value) ? [] : formatErrors(fn.errors ?? []);
  }
}

export function gvkKey(g: Gvk): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

export function parseGvk(apiVersion: string, kind: string): Gvk {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

/** ajv's errors, minus the anyOf/allOf noise that only repeats the branch errors. */
function formatErrors(errors: ErrorObject[]): string[] {
  return errors
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'allOf' && e.keyword !== 'if')
    .map((e) => {
      const where = e.instancePath || '/';
      if (e.keyword === 'additionalProperties') return `${where}: unknown field ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
      if (e.keyword === 'required') return `${where}: missing required field ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)}`;
      return `${where}: ${e.message ?? e.keyword}`;
    });
}
