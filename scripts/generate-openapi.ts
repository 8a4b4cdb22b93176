/**
 * Writes kubemock's OpenAPI documents into openapi/:
 *   openapi/v3/<path>.json   one per /openapi/v3/<path> document kube-apiserver serves (api/v1, apis/apps/v1, ...)
 *   openapi/v3/index.json    the /openapi/v3 discovery document with the hashed URLs
 *   openapi/v2/swagger.json  the swagger 2.0 form kubectl explain --output=plaintext-openapiv2 reads
 *   openapi/kubemock.json    one merged OpenAPI 3.0 document of the whole REST API (the SDK is generated from it)
 *   openapi/schemas.json     its component schemas without descriptions: what the server's decoder reads at start-up
 *
 * Schemas come from the kubernetes-types .d.ts files (interfaces with JSDoc descriptions), read with the
 * TypeScript compiler API; the served resources come from the registry's resource list. What the .d.ts files
 * lose (integer widths, patch strategies, list types) comes from the tables at the end of this file, taken from
 * the Go struct tags in k8s.io/api and k8s.io/apimachinery.
 *
 *   node --import tsx scripts/generate-openapi.ts          write the files
 *   node --import tsx scripts/generate-openapi.ts --check  exit 1 when a committed file is stale
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { buildResources, defaultClusterConfig } from '../server/registry/kinds/index.js';
import { allVerbs, type ResourceInfo } from '../server/registry/resource.js';
import { isPlainObject } from '../server/meta/types.js';

// ---------------------------------------------------------------------------------------------
// JSON helpers

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Sorted keys at every level so that the committed files only change when the API does. */
export function stableJson(value: Json): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}

const schemaRef = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

// ---------------------------------------------------------------------------------------------
// kubernetes-types → component schemas

const intOrStringName = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const metaNs = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The Go package (as OpenAPI names it) behind a kubernetes-types module such as "core/v1". */
function namespaceOfModule(module: string): string {
  switch (module) {
    case 'meta/v1':
      return metaNs;
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default:
      return `io.k8s.api.${module.replace('/', '.')}`;
  }
}

/** The kubernetes-types directory of an API group ("" → core, "rbac.authorization.k8s.io" → rbac). */
function packageOfGroup(group: string): string {
  if (group === '') return 'core';
  if (group === 'internal.apiserver.k8s.io') return 'apiserverinternal';
  return group.split('.')[0];
}

/** Schema namespace of a served group-version; groups outside k8s.io are named like CRD schemas (reversed domain). */
function namespaceOfGroup(group: string, version: string): string {
  if (group === '' || !group.includes('.') || group.endsWith('.k8s.io')) return `io.k8s.api.${packageOfGroup(group)}.${version}`;
  return `${group.split('.').reverse().join('.')}.${version}`;
}

interface Declaration {
  module: string;
  name: string;
  node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration;
}

interface TypesModule {
  declarations: Map<string, Declaration>;
  /** Local name → module it is imported from. */
  imports: Map<string, string>;
}

class TypesModel {
  readonly modules = new Map<string, TypesModule>();
  /** "apps/v1/StatefulSet" → declaration, from the literal apiVersion and kind of top-level types. */
  readonly byGvk = new Map<string, Declaration>();

  constructor(root: string) {
    for (const file of listDts(root)) {
      const module = path.relative(root, file).replace(/\.d\.ts$/, '').split(path.sep).join('/');
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      const mod: TypesModule = { declarations: new Map(), imports: new Map() };
      for (const stmt of source.statements) {
        if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(module), stmt.moduleSpecifier.text));
          const bindings = stmt.importClause?.namedBindings;
          if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) mod.imports.set(el.name.text, target);
        } else if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) {
          const decl = { module, name: stmt.name.text, node: stmt };
          mod.declarations.set(decl.name, decl);
          const gvk = literalGvk(stmt);
          if (gvk) this.byGvk.set(`${gvk.apiVersion}/${gvk.kind}`, decl);
        }
      }
      this.modules.set(module, mod);
    }
  }

  resolve(fromModule: string, name: string): Declaration | undefined {
    const mod = this.modules.get(fromModule);
    const local = mod?.declarations.get(name);
    if (local) return local;
    const target = mod?.imports.get(name);
    return target ? this.modules.get(target)?.declarations.get(name) : undefined;
  }

  /** The declaration of a kind in this group, preferring the asked version, else the group's v1 form. */
  findKind(group: string, version: string, kind: string): Declaration | undefined {
    const gv = group ? `${group}/${version}` : version;
    const exact = this.byGvk.get(`${gv}/${kind}`);
    if (exact) return exact;
    const prefix = group ? `${group}/` : '';
    const candidates = [...this.byGvk.entries()]
      .filter(([key]) => key.endsWith(`/${kind}`) && key.startsWith(prefix) && key.split('/').length === (group ? 3 : 2))
      .map(([key, decl]) => ({ version: key.split('/').at(-2) ?? '', decl }))
      .sort((a, b) => versionRank(a.version) - versionRank(b.version));
    return candidates[0]?.decl;
  }
}

function versionRank(version: string): number {
  if (version === 'v1') return 0;
  if (/^v\d+$/.test(version)) return 1;
  return version.includes('beta') ? 2 : 3;
}

function listDts(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listDts(full));
    else if (entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function literalOf(member: ts.TypeElement | undefined): string | undefined {
  if (!member || !ts.isPropertySignature(member) || !member.type) return undefined;
  const t = member.type;
  return ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined;
}

function memberNamed(node: ts.InterfaceDeclaration, name: string): ts.TypeElement | undefined {
  return node.members.find((m) => m.name && ts.isIdentifier(m.name) && m.name.text === name);
}

function literalGvk(node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration): { apiVersion: string; kind: string } | undefined {
  if (!ts.isInterfaceDeclaration(node)) return undefined;
  const apiVersion = literalOf(memberNamed(node, 'apiVersion'));
  const kind = literalOf(memberNamed(node, 'kind'));
  return apiVersion && kind ? { apiVersion, kind } : undefined;
}

function docOf(node: ts.Node): string | undefined {
  const texts = ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((d) => ts.getTextOfJSDocComment(d.comment)?.trim())
    .filter((t): t is string => !!t);
  return texts.length ? texts.join('\n') : undefined;
}

function splitGroupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * Builds component schemas on demand. A declaration may be built under another namespace than its own
 * module's (apps/v1beta2 served from the apps/v1 interfaces): references within that module follow it.
 */
class SchemaBuilder {
  readonly schemas = new Map<string, JsonObject>();

  constructor(private readonly types: TypesModel) {
    this.schemas.set(intOrStringName, {
      description:
        'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
      format: 'int-or-string',
      type: 'string',
    });
  }

  /** Schema name of a declaration, building it (and what it references) the first time. */
  ensure(decl: Declaration, namespace = namespaceOfModule(decl.module)): string {
    const name = `${namespace}.${decl.name}`;
    if (this.schemas.has(name)) return name;
    this.schemas.set(name, {}); // placeholder: breaks reference cycles (JSONSchemaProps)
    this.schemas.set(name, this.declarationSchema(decl, namespace, name));
    return name;
  }

  /** Schema name of a kind served at group/version, or undefined when kubernetes-types has no such kind. */
  ensureKind(group: string, version: string, kind: string): string | undefined {
    const decl = this.types.findKind(group, version, kind);
    if (!decl) return undefined;
    const declGv = splitGroupVersion(literalGvk(decl.node)?.apiVersion ?? '');
    const namespace = declGv.version === version ? namespaceOfModule(decl.module) : namespaceOfGroup(group, version);
    return this.ensure(decl, namespace);
  }

  ensureNamed(module: string, name: string): string {
    const decl = this.types.resolve(module, name);
    if (!decl) throw new Error(`kubernetes-types has no ${module}.${name}`);
    return this.ensure(decl);
  }

  private declarationSchema(decl: Declaration, namespace: string, schemaName: string): JsonObject {
    const description = docOf(decl.node);
    const base: JsonObject = description ? { description } : {};
    if (ts.isTypeAliasDeclaration(decl.node)) {
      if (decl.name === 'Time' || decl.name === 'MicroTime') return { ...base, format: 'date-time', type: 'string' };
      return { ...base, ...this.typeSchema(decl.node.type, decl.module, namespace, schemaName, decl.name) };
    }
    const properties: JsonObject = {};
    const required: string[] = [];
    // apps/v1beta1 and v1beta2 default the selector from the template labels, so it is optional there.
    const optionalHere = decl.name === 'StatefulSetSpec' && /\.apps\.v1beta[12]$/.test(namespace) ? new Set(['selector']) : new Set<string>();
    for (const member of decl.node.members) {
      if (!ts.isPropertySignature(member) || !member.type || !ts.isIdentifier(member.name) && !ts.isStringLiteral(member.name)) continue;
      const field = member.name.text;
      if (!member.questionToken && !optionalHere.has(field)) required.push(field);
      properties[field] = this.propertySchema(member, field, decl.module, namespace, schemaName);
    }
    const lost = lostFields[shortSchemaName(schemaName)];
    if (lost) {
      Object.assign(properties, lost.properties);
      required.push(...(lost.required ?? []));
    }
    const schema: JsonObject = { ...base, type: 'object' };
    if (Object.keys(properties).length) schema.properties = properties;
    if (required.length) schema.required = required;
    const gvk = literalGvk(decl.node);
    if (gvk) {
      const gv = splitGroupVersion(gvk.apiVersion);
      const version = namespace === namespaceOfModule(decl.module) ? gv.version : namespace.split('.').at(-1) ?? gv.version;
      schema['x-kubernetes-group-version-kind'] = [{ group: gv.group, kind: gvk.kind, version }];
    }
    return schema;
  }

  private propertySchema(member: ts.PropertySignature, field: string, module: string, namespace: string, owner: string): JsonObject {
    const description = docOf(member);
    const isTypeMeta = field === 'apiVersion' || field === 'kind';
    let schema: JsonObject = isTypeMeta && member.type && ts.isLiteralTypeNode(member.type)
      ? { type: 'string' }
      : this.typeSchema(member.type as ts.TypeNode, module, namespace, owner, field);
    // OpenAPI 3.0 ignores siblings of $ref: kube-openapi wraps references in allOf to keep the description.
    if (typeof schema.$ref === 'string') schema = { allOf: [schema] };
    if (description) schema.description = description;
    Object.assign(schema, fieldTagsFor(owner, field));
    return schema;
  }

  private typeSchema(node: ts.TypeNode, module: string, namespace: string, owner: string, field: string): JsonObject {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return numberSchema(owner, field);
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
        return {};
    }
    if (ts.isParenthesizedTypeNode(node)) return this.typeSchema(node.type, module, namespace, owner, field);
    if (ts.isArrayTypeNode(node)) return { items: this.elementSchema(node.elementType, module, namespace, owner, field), type: 'array' };
    if (ts.isUnionTypeNode(node)) return this.unionSchema(node, module, namespace, owner, field);
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { enum: [node.literal.text], type: 'string' };
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      return index
        ? { additionalProperties: this.elementSchema(index.type, module, namespace, owner, field), type: 'object' }
        : { type: 'object' };
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      if (name === 'Array' && node.typeArguments?.length === 1) {
        return { items: this.elementSchema(node.typeArguments[0], module, namespace, owner, field), type: 'array' };
      }
      const decl = this.types.resolve(module, name);
      if (!decl) throw new Error(`cannot resolve ${name} in ${module}`);
      const target = decl.module === module ? this.ensure(decl, namespace) : this.ensure(decl);
      return schemaRef(target);
    }
    throw new Error(`unsupported type ${ts.SyntaxKind[node.kind]} at ${owner}.${field}`);
  }

  /** Array items and map values: references to structs get kube-openapi's allOf + default {} form. */
  private elementSchema(node: ts.TypeNode, module: string, namespace: string, owner: string, field: string): JsonObject {
    const schema = this.typeSchema(node, module, namespace, owner, field);
    if (typeof schema.$ref !== 'string') return schema;
    const target = this.schemas.get(schema.$ref.slice('#/components/schemas/'.length));
    return target?.type === 'object' && target.properties ? { allOf: [schema], default: {} } : schema;
  }

  private unionSchema(node: ts.UnionTypeNode, module: string, namespace: string, owner: string, field: string): JsonObject {
    const kinds = new Set(node.types.map((t) => t.kind));
    if (kinds.size === 2 && kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) {
      return schemaRef(intOrStringName);
    }
    const literals = node.types.map((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined));
    if (literals.every((l): l is string => l !== undefined)) return { enum: literals, type: 'string' };
    const nonNull = node.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
    if (nonNull.length === 1) return this.typeSchema(nonNull[0], module, namespace, owner, field);
    return {};
  }
}

function shortSchemaName(schemaName: string): string {
  return schemaName.replace('io.k8s.api.', '').replace(`${metaNs}.`, 'meta.v1.');
}

/** kubernetes-types only says "number": the Go type (int32, int64, float64) comes from the table below. */
function numberSchema(owner: string, field: string): JsonObject {
  const wide = int64Fields[shortSchemaName(owner)]?.find((f) => f === field || f === `${field}:double`);
  if (wide?.endsWith(':double')) return { format: 'double', type: 'number' };
  return { format: wide ? 'int64' : 'int32', type: 'integer' };
}

/** x-kubernetes-* extensions of one field, from the struct-tag table. */
function fieldTagsFor(owner: string, field: string): JsonObject {
  const spec = fieldTags[shortSchemaName(owner)]?.[field];
  if (!spec) return {};
  const out: JsonObject = {};
  for (const part of spec.split(' ')) {
    const [key, value] = part.split('=');
    if (key === 'patch') out['x-kubernetes-patch-strategy'] = value;
    else if (key === 'key') out['x-kubernetes-patch-merge-key'] = value;
    else if (key === 'map') out['x-kubernetes-map-type'] = value;
    else if (key === 'list') {
      const m = /^(\w+)(?:\((.*)\))?$/.exec(value);
      if (!m) throw new Error(`bad list tag ${spec}`);
      out['x-kubernetes-list-type'] = m[1];
      if (m[2]) out['x-kubernetes-list-map-keys'] = m[2].split(',');
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths

type Params = JsonObject[];

function queryParam(name: string, type: 'string' | 'boolean' | 'integer', description: string): JsonObject {
  return { description, in: 'query', name, schema: { type, uniqueItems: true } };
}

function pathParam(name: string, description: string): JsonObject {
  return { description, in: 'path', name, required: true, schema: { type: 'string', uniqueItems: true } };
}

const p = {
  allowWatchBookmarks: queryParam('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session.'),
  continue: queryParam('continue', 'string', 'The continue option should be set when retrieving more results from the server. The value is the opaque token returned in metadata.continue of a previous list response; the other list parameters must not change between chunks.'),
  dryRun: queryParam('dryRun', 'string', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: queryParam('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters.'),
  fieldManagerPatch: queryParam('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).'),
  fieldSelector: queryParam('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  fieldValidation: queryParam('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: unknown fields are silently dropped and all but the last duplicate field are ignored. - Warn: a warning is sent in the standard Warning response header for each unknown or duplicate field; the request still succeeds. This is the default. - Strict: the request fails with a BadRequest error listing every unknown and duplicate field.'),
  force: queryParam('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.'),
  gracePeriodSeconds: queryParam('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used.'),
  labelSelector: queryParam('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: queryParam('limit', 'integer', 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.'),
  orphanDependents: queryParam('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.'),
  pretty: queryParam('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  propagationPolicy: queryParam('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  resourceVersion: queryParam('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset.'),
  resourceVersionMatch: queryParam('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set. Defaults to unset.'),
  sendInitialEvents: queryParam('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection, followed by a BOOKMARK event annotated with "k8s.io/initial-events-end": "true".'),
  timeoutSeconds: queryParam('timeoutSeconds', 'integer', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.'),
  watch: queryParam('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.'),
  namespace: pathParam('namespace', 'object name and auth scope, such as for teams and projects'),
};

const listParams = [p.allowWatchBookmarks, p.continue, p.fieldSelector, p.labelSelector, p.limit, p.resourceVersion, p.resourceVersionMatch, p.sendInitialEvents, p.timeoutSeconds, p.watch];
const deleteCollectionParams = [p.continue, p.dryRun, p.fieldSelector, p.gracePeriodSeconds, p.labelSelector, p.limit, p.orphanDependents, p.propagationPolicy, p.resourceVersion, p.resourceVersionMatch, p.sendInitialEvents, p.timeoutSeconds];
const writeParams = [p.dryRun, p.fieldManager, p.fieldValidation];
const patchParams = [p.dryRun, p.fieldManagerPatch, p.fieldValidation, p.force];
const deleteParams = [p.dryRun, p.gracePeriodSeconds, p.orphanDependents, p.propagationPolicy];

const sortParams = (params: Params): Params => [...params].sort((a, b) => String(a.name).localeCompare(String(b.name)));

/** kubemock answers JSON only (protobuf requests get JSON too), so that is all the documents promise. */
function jsonContent(schemaName: string, extraTypes: string[] = []): JsonObject {
  const content: JsonObject = {};
  for (const type of ['application/json', ...extraTypes]) content[type] = { schema: schemaRef(schemaName) };
  return content;
}

const statusName = `${metaNs}.Status`;
const errorResponse: JsonObject = { content: jsonContent(statusName), description: 'Error: a Status with the reason and code' };

function responses(codes: Record<string, string>, schemaName: string, extraTypes: string[] = []): JsonObject {
  const out: JsonObject = { '401': { description: 'Unauthorized' }, default: errorResponse };
  const words: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  for (const code of Object.keys(codes)) out[code] = { content: jsonContent(codes[code] || schemaName, extraTypes), description: words[code] };
  return out;
}

/**
 * DELETE answers with the object while its deletion is pending (finalizers, graceful deletion) and for
 * kinds that return what they removed (pods, services, ...), and with a Success Status otherwise, so
 * the honest schema is either. (Upstream's document says Status alone, which its server contradicts.)
 */
function deleteResponses(kindSchema: string): JsonObject {
  const out = responses({ '200': statusName, '202': statusName }, statusName);
  const either = { 'application/json': { schema: { anyOf: [schemaRef(kindSchema), schemaRef(statusName)] } } };
  out['200'] = { content: either, description: 'OK' };
  out['202'] = { content: either, description: 'Accepted' };
  return out;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

interface OperationSpec {
  action: string;
  operationId: string;
  description: string;
  gvk: Gvk;
  tag: string;
  parameters?: Params;
  requestBody?: JsonObject;
  responses: JsonObject;
}

function operation(spec: OperationSpec): JsonObject {
  const op: JsonObject = {
    description: spec.description,
    operationId: spec.operationId,
    responses: spec.responses,
    tags: [spec.tag],
    'x-kubernetes-action': spec.action,
    'x-kubernetes-group-version-kind': { group: spec.gvk.group, kind: spec.gvk.kind, version: spec.gvk.version },
  };
  if (spec.parameters?.length) op.parameters = sortParams(spec.parameters);
  if (spec.requestBody) op.requestBody = spec.requestBody;
  return op;
}

const bodyOf = (schemaName: string): JsonObject => ({ content: { '*/*': { schema: schemaRef(schemaName) } }, required: true });
const patchBody: JsonObject = {
  content: Object.fromEntries(
    ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].map((t) => [
      t,
      { schema: schemaRef(`${metaNs}.Patch`) },
    ]),
  ),
  required: true,
};

/** "apps" → "Apps", "rbac.authorization.k8s.io" → "RbacAuthorization", "" → "Core": operationId prefixes. */
function groupCamel(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
}

const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

interface ServedKind {
  info: ResourceInfo;
  version: string;
  schema: string;
  listSchema: string;
}

class PathBuilder {
  readonly paths: JsonObject = {};

  constructor(
    private readonly root: string,
    private readonly group: string,
    private readonly version: string,
  ) {}

  private get prefix(): string {
    return `${groupCamel(this.group)}${upperFirst(this.version)}`;
  }

  private get tag(): string {
    return `${lowerFirst(groupCamel(this.group))}_${this.version}`;
  }

  private add(route: string, method: string, spec: Omit<OperationSpec, 'tag'>, pathParams: Params): void {
    const item = (this.paths[route] ??= {}) as JsonObject;
    item[method] = operation({ ...spec, tag: this.tag });
    item.parameters = sortParams(pathParams);
  }

  resource(served: ServedKind, builder: SchemaBuilder): void {
    const { info, schema, listSchema } = served;
    const verbs = new Set(info.verbs ?? allVerbs);
    const gvk: Gvk = { group: info.group, version: this.version, kind: info.kind };
    const kind = info.kind;
    const ns = info.namespaced ? 'Namespaced' : '';
    const nsPath = info.namespaced ? '/namespaces/{namespace}' : '';
    const collection = `${this.root}${nsPath}/${info.resource}`;
    const item = `${collection}/{name}`;
    const nameParam = pathParam('name', `name of the ${kind}`);
    const scopeParams = info.namespaced ? [p.namespace] : [];
    const id = (verb: string, suffix = ''): string => `${verb}${this.prefix}${ns}${kind}${suffix}`;

    if (verbs.has('list')) {
      this.add(collection, 'get', {
        action: 'list', operationId: id('list'), description: `list or watch objects of kind ${kind}`, gvk, parameters: listParams,
        responses: responses({ '200': listSchema }, listSchema, ['application/json;stream=watch']),
      }, [...scopeParams, p.pretty]);
      if (info.namespaced) {
        this.add(`${this.root}/${info.resource}`, 'get', {
          action: 'list', operationId: `list${this.prefix}${kind}ForAllNamespaces`, description: `list or watch objects of kind ${kind}`, gvk,
          responses: responses({ '200': listSchema }, listSchema, ['application/json;stream=watch']),
        }, [...listParams, p.pretty]);
      }
    }
    if (verbs.has('create')) {
      this.add(collection, 'post', {
        action: 'post', operationId: id('create'), description: `create a ${kind}`, gvk, parameters: writeParams, requestBody: bodyOf(schema),
        responses: responses({ '200': schema, '201': schema, '202': schema }, schema),
      }, [...scopeParams, p.pretty]);
    }
    if (verbs.has('deletecollection')) {
      this.add(collection, 'delete', {
        action: 'deletecollection', operationId: id('delete', '').replace(`delete${this.prefix}`, `delete${this.prefix}Collection`),
        description: `delete collection of ${kind}`, gvk, parameters: deleteCollectionParams, requestBody: { ...bodyOf(`${metaNs}.DeleteOptions`), required: false },
        responses: deleteResponses(listSchema),
      }, [...scopeParams, p.pretty]);
    }
    const itemParams = [nameParam, ...scopeParams, p.pretty];
    if (verbs.has('get')) {
      this.add(item, 'get', { action: 'get', operationId: id('read'), description: `read the specified ${kind}`, gvk, responses: responses({ '200': schema }, schema) }, itemParams);
    }
    if (verbs.has('update')) {
      this.add(item, 'put', {
        action: 'put', operationId: id('replace'), description: `replace the specified ${kind}`, gvk, parameters: writeParams, requestBody: bodyOf(schema),
        responses: responses({ '200': schema, '201': schema }, schema),
      }, itemParams);
    }
    if (verbs.has('patch')) {
      this.add(item, 'patch', {
        action: 'patch', operationId: id('patch'), description: `partially update the specified ${kind}`, gvk, parameters: patchParams, requestBody: patchBody,
        responses: responses({ '200': schema, '201': schema }, schema),
      }, itemParams);
    }
    if (verbs.has('delete')) {
      this.add(item, 'delete', {
        action: 'delete', operationId: id('delete'), description: `delete a ${kind}`, gvk, parameters: deleteParams,
        requestBody: { ...bodyOf(`${metaNs}.DeleteOptions`), required: false },
        responses: deleteResponses(schema),
      }, itemParams);
    }
    if (verbs.has('watch')) this.watchPaths(served, nameParam, gvk);
    if (info.statusSubresource) this.subresource(served, 'status', 'Status', gvk, schema, itemParams);
    for (const sub of Object.keys(info.updateSubresources ?? {})) this.subresource(served, sub, upperFirst(sub), gvk, schema, itemParams);
    if (info.scale) {
      const scale = builder.ensureNamed('autoscaling/v1', 'Scale');
      this.subresource(served, 'scale', 'Scale', { group: 'autoscaling', version: 'v1', kind: 'Scale' }, scale, itemParams);
    }
    for (const extra of streamingSubresources[`${info.group}/${info.resource}`] ?? []) extra(this, { collection, item, kind, id, itemParams, builder });
  }

  private watchPaths(served: ServedKind, nameParam: JsonObject, gvk: Gvk): void {
    const { info } = served;
    const kind = info.kind;
    const watchEvent = `${metaNs}.WatchEvent`;
    const watchResponses = responses({ '200': watchEvent }, watchEvent, ['application/json;stream=watch']);
    const ns = info.namespaced ? 'Namespaced' : '';
    const base = info.namespaced ? `${this.root}/watch/namespaces/{namespace}/${info.resource}` : `${this.root}/watch/${info.resource}`;
    const scope = info.namespaced ? [p.namespace] : [];
    this.add(base, 'get', {
      action: 'watchlist', operationId: `watch${this.prefix}${ns}${kind}List`, gvk, responses: watchResponses,
      description: `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
    }, [...listParams, ...scope, p.pretty]);
    this.add(`${base}/{name}`, 'get', {
      action: 'watch', operationId: `watch${this.prefix}${ns}${kind}`, gvk, responses: watchResponses,
      description: `watch changes to an object of kind ${kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
    }, [...listParams, nameParam, ...scope, p.pretty]);
    if (info.namespaced) {
      this.add(`${this.root}/watch/${info.resource}`, 'get', {
        action: 'watchlist', operationId: `watch${this.prefix}${kind}ListForAllNamespaces`, gvk, responses: watchResponses,
        description: `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
      }, [...listParams, p.pretty]);
    }
  }

  private subresource(served: ServedKind, sub: string, word: string, gvk: Gvk, schema: string, itemParams: Params): void {
    const { info } = served;
    const ns = info.namespaced ? 'Namespaced' : '';
    const route = `${this.root}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}/{name}/${sub}`;
    const id = (verb: string): string => `${verb}${this.prefix}${ns}${info.kind}${word}`;
    this.add(route, 'get', { action: 'get', operationId: id('read'), description: `read ${sub} of the specified ${info.kind}`, gvk, responses: responses({ '200': schema }, schema) }, itemParams);
    this.add(route, 'put', {
      action: 'put', operationId: id('replace'), description: `replace ${sub} of the specified ${info.kind}`, gvk, parameters: writeParams, requestBody: bodyOf(schema),
      responses: responses({ '200': schema, '201': schema }, schema),
    }, itemParams);
    this.add(route, 'patch', {
      action: 'patch', operationId: id('patch'), description: `partially update ${sub} of the specified ${info.kind}`, gvk, parameters: patchParams, requestBody: patchBody,
      responses: responses({ '200': schema, '201': schema }, schema),
    }, itemParams);
  }

  /** Adds an operation outside the CRUD set (connect and streaming subresources). */
  custom(route: string, method: string, spec: Omit<OperationSpec, 'tag'>, pathParams: Params): void {
    this.add(route, method, spec, pathParams);
  }

  resourceList(): void {
    this.paths[`${this.root}/`] = {
      get: operation({
        action: '', operationId: `get${this.prefix}APIResources`, description: 'get available resources', tag: this.tag,
        gvk: { group: '', version: 'v1', kind: 'APIResourceList' },
        responses: responses({ '200': `${metaNs}.APIResourceList` }, `${metaNs}.APIResourceList`),
      }),
    };
    // Discovery operations carry no GVK in the real documents.
    delete ((this.paths[`${this.root}/`] as JsonObject).get as JsonObject)['x-kubernetes-action'];
    delete ((this.paths[`${this.root}/`] as JsonObject).get as JsonObject)['x-kubernetes-group-version-kind'];
  }
}

interface SubresourceContext {
  collection: string;
  item: string;
  kind: string;
  id(verb: string, suffix?: string): string;
  itemParams: Params;
  builder: SchemaBuilder;
}

type SubresourceAdder = (paths: PathBuilder, ctx: SubresourceContext) => void;

const stringResponse = (type: string): JsonObject => ({
  '200': { content: { [type]: { schema: { type: 'string' } } }, description: 'OK' },
  '401': { description: 'Unauthorized' },
  default: errorResponse,
});

/** A connect subresource (exec, attach, portforward, proxy); a proxy also has its `.../proxy/{path}` twin. */
function connect(sub: string, optionsKind: string, params: Params, methods: string[], withPath = false): SubresourceAdder {
  return (paths, ctx) => {
    const pathParams = ctx.itemParams.filter((x) => x !== p.pretty).map((x) => (x.name === 'name' ? pathParam('name', `name of the ${optionsKind}`) : x));
    for (const [route, suffix, extra] of [[`${ctx.item}/${sub}`, '', []], ...(withPath ? [[`${ctx.item}/${sub}/{path}`, 'WithPath', [pathParam('path', 'path to the resource')]]] : [])] as [string, string, Params][]) {
      for (const method of methods) {
        paths.custom(route, method, {
          action: 'connect', operationId: ctx.id(`connect${upperFirst(method)}`, `${upperFirst(sub)}${suffix}`),
          description: `connect ${method.toUpperCase()} requests to ${sub} of ${ctx.kind}`, gvk: { group: '', version: 'v1', kind: optionsKind },
          parameters: params, responses: stringResponse('*/*'),
        }, [...pathParams, ...extra]);
      }
    }
  };
}

const proxyMethods = ['delete', 'get', 'head', 'options', 'patch', 'post', 'put'];

const streamParams = {
  container: queryParam('container', 'string', 'The container in which to execute the command. Defaults to only container if there is only one container in the pod.'),
  command: queryParam('command', 'string', 'Command is the remote command to execute. argv array. Not executed within a shell.'),
  stdin: queryParam('stdin', 'boolean', 'Redirect the standard input stream of the pod for this call. Defaults to false.'),
  stdout: queryParam('stdout', 'boolean', 'Redirect the standard output stream of the pod for this call.'),
  stderr: queryParam('stderr', 'boolean', 'Redirect the standard error stream of the pod for this call.'),
  tty: queryParam('tty', 'boolean', 'TTY if true indicates that a tty will be allocated for the exec call. Defaults to false.'),
  ports: queryParam('ports', 'integer', 'List of ports to forward. Required when using WebSockets'),
};

/** Subresources the api layer serves beside the registry's (pods/log, exec, ...), as the real documents list them. */
/** A create-only subresource with a body of its own kind (pods/eviction, serviceaccounts/token). */
function postSubresource(subresource: string, idWord: string, gvk: Gvk, module: string, answer?: string): SubresourceAdder {
  return (paths, ctx) => {
    const body = ctx.builder.ensureNamed(module, gvk.kind);
    paths.custom(`${ctx.item}/${subresource}`, 'post', {
      action: 'post', operationId: ctx.id('create', idWord), description: `create ${subresource} of a ${ctx.kind}`,
      gvk, parameters: writeParams, requestBody: bodyOf(body), responses: responses({ '201': answer ?? body }, answer ?? body),
    }, ctx.itemParams.map((x) => (x.name === 'name' ? pathParam('name', `name of the ${gvk.kind}`) : x)));
  };
}

const streamingSubresources: Record<string, SubresourceAdder[]> = {
  '/pods': [
    (paths, ctx) =>
      paths.custom(`${ctx.item}/log`, 'get', {
        action: 'get', operationId: ctx.id('read', 'Log'), description: `read log of the specified ${ctx.kind}`,
        gvk: { group: '', version: 'v1', kind: 'Pod' },
        parameters: [
          queryParam('container', 'string', 'The container for which to stream logs. Defaults to only container if there is one container in the pod.'),
          queryParam('follow', 'boolean', 'Follow the log stream of the pod. Defaults to false.'),
          queryParam('insecureSkipTLSVerifyBackend', 'boolean', 'insecureSkipTLSVerifyBackend indicates that the apiserver should not confirm the validity of the serving certificate of the backend it is connecting to.'),
          queryParam('limitBytes', 'integer', 'If set, the number of bytes to read from the server before terminating the log output.'),
          queryParam('previous', 'boolean', 'Return previous terminated container logs. Defaults to false.'),
          queryParam('sinceSeconds', 'integer', 'A relative time in seconds before the current time from which to show logs.'),
          queryParam('tailLines', 'integer', 'If set, the number of lines from the end of the logs to show.'),
          queryParam('timestamps', 'boolean', 'If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false.'),
        ],
        responses: stringResponse('text/plain'),
      }, ctx.itemParams),
    connect('exec', 'PodExecOptions', [streamParams.command, streamParams.container, streamParams.stderr, streamParams.stdin, streamParams.stdout, streamParams.tty], ['get', 'post']),
    connect('attach', 'PodAttachOptions', [streamParams.container, streamParams.stderr, streamParams.stdin, streamParams.stdout, streamParams.tty], ['get', 'post']),
    connect('portforward', 'PodPortForwardOptions', [streamParams.ports], ['get', 'post']),
    connect('proxy', 'PodProxyOptions', [queryParam('path', 'string', 'Path is the URL path to use for the current proxy request to pod.')], proxyMethods, true),
    // EvictionREST and BindingREST answer with a Success Status (upstream's document names the body's kind, which its server contradicts)
    postSubresource('binding', 'Binding', { group: '', version: 'v1', kind: 'Binding' }, 'core/v1', statusName),
    postSubresource('eviction', 'Eviction', { group: 'policy', version: 'v1', kind: 'Eviction' }, 'policy/v1', statusName),
  ],
  '/services': [
    connect('proxy', 'ServiceProxyOptions', [queryParam('path', 'string', 'Path is the part of URLs that include service endpoints, suffixes, and parameters to use for the current proxy request to service. For example, the whole request URL is http://localhost/api/v1/namespaces/kube-system/services/elasticsearch-logging/_search?q=user:kimchy. Path is _search?q=user:kimchy.')], proxyMethods, true),
  ],
  '/serviceaccounts': [
    postSubresource('token', 'Token', { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, 'authentication/v1'),
  ],
};

// ---------------------------------------------------------------------------------------------
// Documents

interface GroupVersion {
  group: string;
  version: string;
  resources: ServedKind[];
}

/** Collects every schema name referenced (transitively) from a value. */
function referencedSchemas(value: Json, schemas: Map<string, JsonObject>, seen = new Set<string>()): Set<string> {
  const visit = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
          const name = child.slice('#/components/schemas/'.length);
          if (!seen.has(name)) {
            seen.add(name);
            const target = schemas.get(name);
            if (!target) throw new Error(`dangling reference ${name}`);
            visit(target);
          }
        } else visit(child);
      }
    }
  };
  visit(value);
  return seen;
}

function documentOf(paths: JsonObject, schemas: Map<string, JsonObject>, info: JsonObject): JsonObject {
  const used = [...referencedSchemas(paths, schemas)].sort();
  return {
    components: { schemas: Object.fromEntries(used.map((n) => [n, schemas.get(n) as JsonObject])) },
    info,
    openapi: '3.0.0',
    paths,
  };
}

/** Meta kinds every group registers: the real documents list one GVK per group-version on them. */
function addSharedMetaGvks(builder: SchemaBuilder, groupVersions: GroupVersion[]): void {
  const perGv = [{ group: '', version: 'v1' }, ...groupVersions.filter((gv) => gv.group !== '')];
  const gvks = (kind: string): Json =>
    perGv.map((gv) => ({ group: gv.group, kind, version: gv.version })).sort((a, b) => `${a.group}/${a.version}`.localeCompare(`${b.group}/${b.version}`));
  const set = (name: string, value: Json): void => {
    const schema = builder.schemas.get(`${metaNs}.${name}`);
    if (schema) schema['x-kubernetes-group-version-kind'] = value;
  };
  set('DeleteOptions', gvks('DeleteOptions'));
  set('WatchEvent', gvks('WatchEvent'));
  for (const kind of ['Status', 'APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions']) set(kind, [{ group: '', kind, version: 'v1' }]);
}

function groupVersionsOf(resources: ResourceInfo[], builder: SchemaBuilder): GroupVersion[] {
  const byGv = new Map<string, GroupVersion>();
  for (const info of resources) {
    for (const { name: version } of info.versions) {
      const key = `${info.group}/${version}`;
      const gv = byGv.get(key) ?? { group: info.group, version, resources: [] };
      byGv.set(key, gv);
      const schema = builder.ensureKind(info.group, version, info.kind) ?? opaqueKind(builder, info, version);
      const listSchema = builder.ensureKind(info.group, version, `${info.kind}List`) ?? opaqueKind(builder, { ...info, kind: `${info.kind}List` }, version);
      gv.resources.push({ info, version, schema, listSchema });
    }
  }
  return [...byGv.values()].sort((a, b) => gvPath(a).localeCompare(gvPath(b)));
}

/** A kind kubernetes-types does not know: any fields are kept, only the object metadata is described. */
function opaqueKind(builder: SchemaBuilder, info: Pick<ResourceInfo, 'group' | 'kind'>, version: string): string {
  const name = `${namespaceOfGroup(info.group, version)}.${info.kind}`;
  const objectMeta = builder.ensureNamed('meta/v1', info.kind.endsWith('List') ? 'ListMeta' : 'ObjectMeta');
  builder.schemas.set(name, {
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { allOf: [schemaRef(objectMeta)] } },
    type: 'object',
    'x-kubernetes-group-version-kind': [{ group: info.group, kind: info.kind, version }],
    'x-kubernetes-preserve-unknown-fields': true,
  });
  return name;
}

const gvPath = (gv: { group: string; version: string }): string => (gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`);

export interface GeneratedFiles {
  /** Repository-relative path → file content. */
  files: Map<string, string>;
}

/** Builds every file in memory; `resources` defaults to the registry's list (tests pass their own). */
export function generate(resources: ResourceInfo[] = buildResources(defaultClusterConfig)): GeneratedFiles {
  const require = createRequire(import.meta.url);
  const typesRoot = path.dirname(require.resolve('kubernetes-types/package.json'));
  const types = new TypesModel(typesRoot);
  const builder = new SchemaBuilder(types);
  for (const name of ['Status', 'DeleteOptions', 'WatchEvent', 'Patch', 'APIResourceList', 'APIGroupList', 'APIGroup', 'APIVersions']) builder.ensureNamed('meta/v1', name);
  builder.ensureNamed('version', 'Info');

  const groupVersions = groupVersionsOf(resources, builder);
  addSharedMetaGvks(builder, groupVersions);
  const info: JsonObject = { title: 'Kubernetes', version: `v1.${defaultClusterConfig.kubernetesMinor}.0` };
  const docs = new Map<string, JsonObject>(); // /openapi/v3 path → document

  for (const gv of groupVersions) {
    const root = `/${gvPath(gv)}`;
    const paths = new PathBuilder(root, gv.group, gv.version);
    paths.resourceList();
    for (const served of [...gv.resources].sort((a, b) => a.info.resource.localeCompare(b.info.resource))) paths.resource(served, builder);
    docs.set(gvPath(gv), documentOf(paths.paths, builder.schemas, info));
  }
  for (const [docPath, paths] of discoveryPaths(groupVersions)) docs.set(docPath, documentOf(paths, builder.schemas, info));

  const files = new Map<string, string>();
  const index: JsonObject = {};
  for (const [docPath, doc] of [...docs.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const text = stableJson(doc);
    files.set(`openapi/v3/${docPath}.json`, text);
    index[docPath] = { serverRelativeURL: `/openapi/v3/${docPath}?hash=${openapiHash(text)}` };
  }
  files.set('openapi/v3/index.json', stableJson({ paths: index }));
  const merged = mergedDocument(docs, builder.schemas, info);
  files.set('openapi/kubemock.json', stableJson(merged));
  files.set('openapi/schemas.json', stableJson(withoutDescriptions((merged.components as { schemas: Record<string, JsonObject> }).schemas)));
  files.set('openapi/v2/swagger.json', stableJson(toSwagger2(merged)));
  return { files };
}

/**
 * A schema tree without its `description` keywords (a property named description stays): a tenth of the
 * size, so the server parses it at start-up in about a millisecond instead of sixteen.
 */
function withoutDescriptions(schemas: Record<string, JsonObject>): Record<string, JsonObject> {
  const schema = (s: JsonObject): JsonObject => {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'description') continue;
      if (k === 'properties' && isPlainObject(v)) out[k] = Object.fromEntries(Object.entries(v as JsonObject).map(([name, p]) => [name, isPlainObject(p) ? schema(p as JsonObject) : p]));
      else if ((k === 'items' || k === 'additionalProperties') && isPlainObject(v)) out[k] = schema(v as JsonObject);
      else if ((k === 'allOf' || k === 'oneOf' || k === 'anyOf') && Array.isArray(v)) out[k] = v.map((x) => (isPlainObject(x) ? schema(x as JsonObject) : x));
      else out[k] = v;
    }
    return out;
  };
  return Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, schema(s)]));
}

/** Component schemas of the merged document for a resource list (tests build schema indexes from it). */
export function componentSchemasFor(resources: ResourceInfo[]): Record<string, JsonObject> {
  const merged = JSON.parse(generate(resources).files.get('openapi/kubemock.json') ?? '{}') as { components: { schemas: Record<string, JsonObject> } };
  return merged.components.schemas;
}

/** The hash kube-apiserver puts in serverRelativeURL: upper-case hex SHA-512 of the served bytes. */
export function openapiHash(text: string): string {
  return createHash('sha512').update(text).digest('hex').toUpperCase();
}

function discoveryPaths(groupVersions: GroupVersion[]): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const get = (operationId: string, description: string, tag: string, schema: string): JsonObject => ({
    get: { description, operationId, responses: responses({ '200': `${metaNs}.${schema}` }, `${metaNs}.${schema}`), tags: [tag] },
  });
  out.set('api', { '/api/': get('getCoreAPIVersions', 'get available API versions', 'core', 'APIVersions') });
  out.set('apis', { '/apis/': get('getAPIVersions', 'get available API versions', 'apis', 'APIGroupList') });
  for (const group of [...new Set(groupVersions.map((gv) => gv.group).filter(Boolean))].sort()) {
    const camel = groupCamel(group);
    out.set(`apis/${group}`, { [`/apis/${group}/`]: get(`get${camel}APIGroup`, 'get information of a group', lowerFirst(camel), 'APIGroup') });
  }
  out.set('version', {
    '/version/': {
      get: {
        description: 'get the version information for this server', operationId: 'getCodeVersion', tags: ['version'],
        responses: { '200': { content: jsonContent('io.k8s.apimachinery.pkg.version.Info'), description: 'OK' }, '401': { description: 'Unauthorized' } },
      },
    },
  });
  return out;
}

/** kubemock's own failure-injection endpoints (server/nodes/admin-router.ts). */
function adminPaths(): JsonObject {
  const result = {
    type: 'object',
    properties: { ok: { type: 'boolean' }, message: { type: 'string' }, node: { type: 'string' }, action: { type: 'string' }, containers: { type: 'array', items: { type: 'string' } } },
    required: ['ok'],
  };
  const answers = {
    '200': { content: { 'application/json': { schema: result } }, description: 'done' },
    '400': { content: { 'application/json': { schema: result } }, description: 'the action does not apply' },
    '404': { content: { 'application/json': { schema: result } }, description: 'no such simulated node, pod or container' },
  };
  const action = (operationId: string, description: string, actions: string[], params: JsonObject[], body?: JsonObject): JsonObject => ({
    parameters: [...params, { ...pathParam('action', `one of ${actions.join(', ')}`), schema: { type: 'string', enum: actions } }],
    post: {
      description, operationId, tags: ['kubemock'], responses: answers,
      ...(body ? { requestBody: { content: { 'application/json': { schema: body } }, required: false } } : {}),
    },
  });
  const nodesList = {
    type: 'object', required: ['nodes'],
    properties: { nodes: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, running: { type: 'boolean' }, internalIP: { type: 'string' }, podCIDR: { type: 'string' } } } } },
  };
  return {
    '/kubemock/v1/nodes': { get: { description: 'the simulated worker nodes', operationId: 'listKubemockNodes', tags: ['kubemock'], responses: { '200': { content: { 'application/json': { schema: nodesList } }, description: 'OK' } } } },
    '/kubemock/v1/nodes/{node}/{action}': action('injectNodeFailure', 'stop, start, delete or crash (stop and delete) a simulated node', ['stop', 'start', 'delete', 'crash'], [pathParam('node', 'node name')]),
    '/kubemock/v1/namespaces/{namespace}/pods/{pod}/{action}': action('injectPodFailure', 'crash a container (optionally in a loop), end a crash loop, or make a pod unready or ready', ['crash', 'recover', 'unready', 'ready'],
      [pathParam('namespace', 'namespace'), pathParam('pod', 'pod name')],
      { type: 'object', properties: { container: { type: 'string' }, exitCode: { type: 'integer' }, loop: { type: 'boolean' } } }),
  };
}

/**
 * kube-apiserver's health endpoints: "ok", or with ?verbose a line per check; a 500 names the failed
 * checks (their reasons only on /<endpoint>/<check>).
 */
function healthPaths(): JsonObject {
  const plain = (description: string): JsonObject => ({ content: { 'text/plain': { schema: { type: 'string' } } }, description });
  const responses = { '200': plain('OK'), '500': plain('a check failed') };
  const endpoints: [string, string, string][] = [
    ['healthz', 'Healthz', 'health of the server (deprecated form of livez and readyz)'],
    ['livez', 'Livez', 'whether the server is alive'],
    ['readyz', 'Readyz', 'whether the server is ready to serve'],
  ];
  const paths: JsonObject = {};
  for (const [endpoint, name, description] of endpoints) {
    paths[`/${endpoint}`] = {
      get: { description, operationId: `get${name}`, responses, tags: ['health'] },
      parameters: [
        queryParam('verbose', 'boolean', 'list every check, "[+]name ok" or "[-]name failed: reason withheld"'),
        queryParam('exclude', 'string', 'a check to skip (repeatable)'),
      ],
    };
    paths[`/${endpoint}/{check}`] = {
      get: { description: `one check of ${endpoint}: ping, log, etcd (on etcd)${endpoint === 'readyz' ? ', shutdown' : ''}`, operationId: `get${name}Check`, responses: { ...responses, '404': plain('no such check') }, tags: ['health'] },
      parameters: [pathParam('check', 'the check\'s name')],
    };
  }
  return paths;
}

/** Everything the REST API serves in one document (the SDK's source): discovery paths lose their trailing slash. */
function mergedDocument(docs: Map<string, JsonObject>, schemas: Map<string, JsonObject>, info: JsonObject): JsonObject {
  const paths: JsonObject = {};
  for (const doc of docs.values()) {
    for (const [route, item] of Object.entries(doc.paths as JsonObject)) paths[route.length > 1 ? route.replace(/\/$/, '') : route] = item;
  }
  Object.assign(paths, healthPaths());
  const document = (operationId: string, description: string): JsonObject => ({
    get: { description, operationId, responses: { '200': { content: { 'application/json': { schema: { type: 'object' } } }, description: 'OK' }, '406': { description: 'Not Acceptable' } }, tags: ['openapi'] },
  });
  Object.assign(paths, adminPaths());
  paths['/openapi/v2'] = document('getOpenAPIV2', 'the swagger 2.0 document of the whole API');
  paths['/openapi/v3'] = document('getOpenAPIV3Index', 'the OpenAPI v3 discovery document');
  paths['/openapi/v3/{path}'] = {
    ...document('getOpenAPIV3Document', 'the OpenAPI v3 document of one group-version (api/v1, apis/apps/v1, ...)'),
    parameters: [pathParam('path', 'the group-version path, as listed in the discovery document'), queryParam('hash', 'string', 'the hash from the discovery document; makes the answer immutable')],
  };
  return { ...documentOf(paths, schemas, { ...info, title: 'kubemock' }) };
}

// ---------------------------------------------------------------------------------------------
// Swagger 2.0

/** Rewrites a 3.0 schema for swagger 2.0: definitions instead of components, $ref with siblings instead of allOf. */
function swaggerSchema(value: Json): Json {
  if (Array.isArray(value)) return value.map(swaggerSchema);
  if (!value || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string') out.$ref = child.replace('#/components/schemas/', '#/definitions/');
    else out[key] = swaggerSchema(child);
  }
  const allOf = out.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && allOf[0] && typeof allOf[0] === 'object' && !Array.isArray(allOf[0]) && '$ref' in allOf[0]) {
    delete out.allOf;
    delete out.default;
    out.$ref = allOf[0].$ref;
  }
  return out;
}

function swaggerParameter(param: JsonObject): JsonObject {
  const { schema, ...rest } = param;
  return { ...rest, ...(schema as JsonObject) };
}

function swaggerOperation(op: JsonObject): JsonObject {
  const { requestBody, responses: resp, parameters, ...rest } = op;
  const out: JsonObject = { ...rest, schemes: ['https'] };
  const params = ((parameters as JsonObject[] | undefined) ?? []).map(swaggerParameter);
  const produces = new Set<string>();
  if (requestBody && typeof requestBody === 'object' && !Array.isArray(requestBody)) {
    const content = requestBody.content as JsonObject;
    out.consumes = Object.keys(content);
    params.unshift({ in: 'body', name: 'body', required: true, schema: swaggerSchema((Object.values(content)[0] as JsonObject).schema) });
  }
  if (params.length) out.parameters = params;
  const responsesOut: JsonObject = {};
  for (const [code, response] of Object.entries(resp as JsonObject)) {
    if (code === 'default') continue;
    const r = response as JsonObject;
    const content = r.content as JsonObject | undefined;
    responsesOut[code] = content
      ? { description: r.description, schema: swaggerSchema((Object.values(content)[0] as JsonObject).schema) }
      : { description: r.description };
    for (const type of Object.keys(content ?? {})) produces.add(type);
  }
  out.responses = responsesOut;
  if (produces.size) out.produces = [...produces].sort();
  return out;
}

function toSwagger2(doc: JsonObject): JsonObject {
  const paths: JsonObject = {};
  for (const [route, item] of Object.entries(doc.paths as JsonObject)) {
    const out: JsonObject = {};
    for (const [method, value] of Object.entries(item as JsonObject)) {
      out[method] = method === 'parameters' ? (value as JsonObject[]).map(swaggerParameter) : swaggerOperation(value as JsonObject);
    }
    paths[route] = out;
  }
  const schemas = (doc.components as JsonObject).schemas as JsonObject;
  return { definitions: swaggerSchema(schemas), info: doc.info, paths, swagger: '2.0' };
}

// ---------------------------------------------------------------------------------------------
// Writing and checking

function main(argv: string[]): number {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const check = argv.includes('--check');
  const { files } = generate();
  const onDisk = listJson(path.join(repoRoot, 'openapi')).map((f) => path.relative(repoRoot, f).split(path.sep).join('/'));
  const stale = onDisk.filter((f) => !files.has(f));
  const changed = [...files.entries()].filter(([file, text]) => {
    const full = path.join(repoRoot, file);
    return !existsSync(full) || readFileSync(full, 'utf8') !== text;
  });
  if (check) {
    for (const [file] of changed) console.error(`stale: ${file}`);
    for (const file of stale) console.error(`not generated: ${file}`);
    if (changed.length || stale.length) {
      console.error('openapi/ is out of date: run node --import tsx scripts/generate-openapi.ts');
      return 1;
    }
    console.log(`openapi/ is up to date (${files.size} files)`);
    return 0;
  }
  for (const file of stale) rmSync(path.join(repoRoot, file));
  for (const [file, text] of changed) {
    mkdirSync(path.dirname(path.join(repoRoot, file)), { recursive: true });
    writeFileSync(path.join(repoRoot, file), text);
  }
  console.log(`wrote ${changed.length} of ${files.size} files, removed ${stale.length}`);
  return 0;
}

function listJson(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listJson(full) : e.name.endsWith('.json') ? [full] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// What the .d.ts files do not carry, from the Go struct tags and markers of k8s.io/api and
// k8s.io/apimachinery (patchStrategy/patchMergeKey tags, +listType/+listMapKey/+mapType markers).
// Only fields kubernetes-types 1.30 has. Format: patch=<strategy> key=<merge key> list=<type>(<map keys>) map=<type>.

/**
 * Fields kubernetes-types lost: a Go doc comment holding "*" + "/foo" ends its JSDoc comment early, and the
 * fields declared after it vanish from the .d.ts. Written from k8s.io/api's types.go and swagger docs.
 */
const atomicStrings = (description: string): JsonObject => ({ description, items: { type: 'string' }, type: 'array', 'x-kubernetes-list-type': 'atomic' });
const lostFields: Record<string, { properties: JsonObject; required?: string[] }> = {
  'authorization.v1.ResourceRule': {
    properties: {
      resources: atomicStrings('resources is a list of resources this rule applies to.  "*" means all in the specified apiGroups.\n "*/foo" represents the subresource \'foo\' for all resources in the specified apiGroups.'),
      verbs: atomicStrings('verbs is a list of kubernetes resource API verbs, like: get, list, watch, create, update, delete, proxy.  "*" means all.'),
    },
    required: ['verbs'],
  },
};

const fieldTags: Record<string, Record<string, string>> = {
  'apps.v1.DaemonSetStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'apps.v1.DeploymentSpec': { strategy: 'patch=retainKeys' },
  'apps.v1.DeploymentStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'apps.v1.ReplicaSetStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'apps.v1.StatefulSetSpec': { volumeClaimTemplates: 'list=atomic' },
  'apps.v1.StatefulSetStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'batch.v1.CronJobStatus': { active: 'list=atomic' },
  'batch.v1.JobStatus': { conditions: 'patch=merge key=type list=atomic' },
  'batch.v1.PodFailurePolicy': { rules: 'list=atomic' },
  'batch.v1.PodFailurePolicyOnExitCodesRequirement': { values: 'list=set' },
  'batch.v1.PodFailurePolicyRule': { onPodConditions: 'list=atomic' },
  'batch.v1.SuccessPolicy': { rules: 'list=atomic' },
  'batch.v1.UncountedTerminatedPods': { succeeded: 'list=set', failed: 'list=set' },
  'core.v1.Capabilities': { add: 'list=atomic', drop: 'list=atomic' },
  'core.v1.CephFSPersistentVolumeSource': { monitors: 'list=atomic' },
  'core.v1.CephFSVolumeSource': { monitors: 'list=atomic' },
  'core.v1.ComponentStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'core.v1.ConfigMapProjection': { items: 'list=atomic' },
  'core.v1.ConfigMapVolumeSource': { items: 'list=atomic' },
  'core.v1.Container': { command: 'list=atomic', args: 'list=atomic', ports: 'patch=merge key=containerPort list=map(containerPort,protocol)', envFrom: 'list=atomic', env: 'patch=merge key=name list=map(name)', resizePolicy: 'list=atomic', volumeMounts: 'patch=merge key=mountPath list=map(mountPath)', volumeDevices: 'patch=merge key=devicePath list=map(devicePath)' },
  'core.v1.ContainerImage': { names: 'list=atomic' },
  'core.v1.ContainerStatus': { volumeMounts: 'patch=merge key=mountPath list=map(mountPath)' },
  'core.v1.DownwardAPIProjection': { items: 'list=atomic' },
  'core.v1.DownwardAPIVolumeSource': { items: 'list=atomic' },
  'core.v1.EndpointSubset': { addresses: 'list=atomic', notReadyAddresses: 'list=atomic', ports: 'list=atomic' },
  'core.v1.Endpoints': { subsets: 'list=atomic' },
  'core.v1.ExecAction': { command: 'list=atomic' },
  'core.v1.FCVolumeSource': { targetWWNs: 'list=atomic', wwids: 'list=atomic' },
  'core.v1.HTTPGetAction': { httpHeaders: 'list=atomic' },
  'core.v1.HostAlias': { hostnames: 'list=atomic' },
  'core.v1.ISCSIPersistentVolumeSource': { portals: 'list=atomic' },
  'core.v1.ISCSIVolumeSource': { portals: 'list=atomic' },
  'core.v1.LimitRangeSpec': { limits: 'list=atomic' },
  'core.v1.LoadBalancerIngress': { ports: 'list=atomic' },
  'core.v1.LoadBalancerStatus': { ingress: 'list=atomic' },
  'core.v1.NamespaceSpec': { finalizers: 'list=atomic' },
  'core.v1.NamespaceStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'core.v1.NodeAffinity': { preferredDuringSchedulingIgnoredDuringExecution: 'list=atomic' },
  'core.v1.NodeSelector': { nodeSelectorTerms: 'list=atomic' },
  'core.v1.NodeSelectorRequirement': { values: 'list=atomic' },
  'core.v1.NodeSelectorTerm': { matchExpressions: 'list=atomic', matchFields: 'list=atomic' },
  'core.v1.NodeSpec': { podCIDRs: 'patch=merge list=set', taints: 'list=atomic' },
  'core.v1.NodeStatus': { conditions: 'patch=merge key=type list=map(type)', addresses: 'patch=merge key=type list=map(type)', images: 'list=atomic', volumesInUse: 'list=atomic', volumesAttached: 'list=atomic', runtimeHandlers: 'list=atomic' },
  'core.v1.PersistentVolumeClaimSpec': { accessModes: 'list=atomic' },
  'core.v1.PersistentVolumeClaimStatus': { accessModes: 'list=atomic', conditions: 'patch=merge key=type list=map(type)', allocatedResourceStatuses: 'map=granular' },
  'core.v1.PersistentVolumeSpec': { accessModes: 'list=atomic', mountOptions: 'list=atomic' },
  'core.v1.PodAffinity': { requiredDuringSchedulingIgnoredDuringExecution: 'list=atomic', preferredDuringSchedulingIgnoredDuringExecution: 'list=atomic' },
  'core.v1.PodAffinityTerm': { namespaces: 'list=atomic', matchLabelKeys: 'list=atomic', mismatchLabelKeys: 'list=atomic' },
  'core.v1.PodAntiAffinity': { requiredDuringSchedulingIgnoredDuringExecution: 'list=atomic', preferredDuringSchedulingIgnoredDuringExecution: 'list=atomic' },
  'core.v1.PodDNSConfig': { nameservers: 'list=atomic', searches: 'list=atomic', options: 'list=atomic' },
  'core.v1.PodSecurityContext': { supplementalGroups: 'list=atomic', sysctls: 'list=atomic' },
  'core.v1.PodSpec': { volumes: 'patch=merge,retainKeys key=name list=map(name)', initContainers: 'patch=merge key=name list=map(name)', containers: 'patch=merge key=name list=map(name)', ephemeralContainers: 'patch=merge key=name list=map(name)', nodeSelector: 'map=atomic', imagePullSecrets: 'patch=merge key=name list=map(name)', tolerations: 'list=atomic', hostAliases: 'patch=merge key=ip list=map(ip)', readinessGates: 'list=atomic', topologySpreadConstraints: 'patch=merge key=topologyKey list=map(topologyKey,whenUnsatisfiable)', schedulingGates: 'patch=merge key=name list=map(name)', resourceClaims: 'patch=merge,retainKeys key=name list=map(name)' },
  'core.v1.PodStatus': { conditions: 'patch=merge key=type list=map(type)', hostIPs: 'patch=merge key=ip list=atomic', podIPs: 'patch=merge key=ip list=map(ip)', initContainerStatuses: 'list=atomic', containerStatuses: 'list=atomic', ephemeralContainerStatuses: 'list=atomic', resourceClaimStatuses: 'patch=merge,retainKeys key=name list=map(name)' },
  'core.v1.ProjectedVolumeSource': { sources: 'list=atomic' },
  'core.v1.RBDPersistentVolumeSource': { monitors: 'list=atomic' },
  'core.v1.RBDVolumeSource': { monitors: 'list=atomic' },
  'core.v1.ReplicationControllerSpec': { selector: 'map=atomic' },
  'core.v1.ReplicationControllerStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'core.v1.ResourceQuotaSpec': { scopes: 'list=atomic' },
  'core.v1.ResourceRequirements': { claims: 'list=map(name)' },
  'core.v1.ScopeSelector': { matchExpressions: 'list=atomic' },
  'core.v1.ScopedResourceSelectorRequirement': { values: 'list=atomic' },
  'core.v1.SecretProjection': { items: 'list=atomic' },
  'core.v1.SecretVolumeSource': { items: 'list=atomic' },
  'core.v1.ServiceAccount': { secrets: 'patch=merge key=name list=map(name)', imagePullSecrets: 'list=atomic' },
  'core.v1.ServiceSpec': { ports: 'patch=merge key=port list=map(port,protocol)', selector: 'map=atomic', clusterIPs: 'list=atomic', externalIPs: 'list=atomic', loadBalancerSourceRanges: 'list=atomic', ipFamilies: 'list=atomic' },
  'core.v1.ServiceStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'core.v1.TopologySelectorLabelRequirement': { values: 'list=atomic' },
  'core.v1.TopologySelectorTerm': { matchLabelExpressions: 'list=atomic' },
  'core.v1.TopologySpreadConstraint': { matchLabelKeys: 'list=atomic' },
  'discovery.v1.Endpoint': { addresses: 'list=set' },
  'discovery.v1.EndpointHints': { forZones: 'list=atomic' },
  'discovery.v1.EndpointSlice': { endpoints: 'list=atomic', ports: 'list=atomic' },
  'meta.v1.APIGroup': { versions: 'list=atomic', serverAddressByClientCIDRs: 'list=atomic' },
  'meta.v1.APIGroupList': { groups: 'list=atomic' },
  'meta.v1.APIResource': { shortNames: 'list=atomic', categories: 'list=atomic' },
  'meta.v1.APIResourceList': { resources: 'list=atomic' },
  'meta.v1.APIVersions': { versions: 'list=atomic', serverAddressByClientCIDRs: 'list=atomic' },
  'meta.v1.DeleteOptions': { dryRun: 'list=atomic' },
  'meta.v1.LabelSelector': { matchExpressions: 'list=atomic' },
  'meta.v1.LabelSelectorRequirement': { values: 'list=atomic' },
  'meta.v1.ObjectMeta': { ownerReferences: 'patch=merge key=uid list=map(uid)', finalizers: 'patch=merge list=set', managedFields: 'list=atomic' },
  'meta.v1.StatusDetails': { causes: 'list=atomic' },
  'networking.v1.HTTPIngressRuleValue': { paths: 'list=atomic' },
  'networking.v1.IPBlock': { except: 'list=atomic' },
  'networking.v1.IngressLoadBalancerIngress': { ports: 'list=atomic' },
  'networking.v1.IngressLoadBalancerStatus': { ingress: 'list=atomic' },
  'networking.v1.IngressSpec': { tls: 'list=atomic', rules: 'list=atomic' },
  'networking.v1.IngressTLS': { hosts: 'list=atomic' },
  'networking.v1.NetworkPolicyEgressRule': { ports: 'list=atomic', to: 'list=atomic' },
  'networking.v1.NetworkPolicyIngressRule': { ports: 'list=atomic', from: 'list=atomic' },
  'networking.v1.NetworkPolicySpec': { ingress: 'list=atomic', egress: 'list=atomic', policyTypes: 'list=atomic' },
  'node.v1.Scheduling': { nodeSelector: 'map=atomic', tolerations: 'list=atomic' },
  'policy.v1.PodDisruptionBudgetSpec': { selector: 'patch=replace' },
  'policy.v1.PodDisruptionBudgetStatus': { conditions: 'patch=merge key=type list=map(type)' },
  'rbac.v1.AggregationRule': { clusterRoleSelectors: 'list=atomic' },
  'rbac.v1.ClusterRole': { rules: 'list=atomic' },
  'rbac.v1.ClusterRoleBinding': { subjects: 'list=atomic' },
  'rbac.v1.PolicyRule': { verbs: 'list=atomic', apiGroups: 'list=atomic', resources: 'list=atomic', resourceNames: 'list=atomic', nonResourceURLs: 'list=atomic' },
  'rbac.v1.Role': { rules: 'list=atomic' },
  'rbac.v1.RoleBinding': { subjects: 'list=atomic' },
  'storage.v1.CSIDriverSpec': { volumeLifecycleModes: 'list=set', tokenRequests: 'list=atomic' },
  'storage.v1.CSINodeDriver': { topologyKeys: 'list=atomic' },
  'storage.v1.CSINodeSpec': { drivers: 'patch=merge key=name list=map(name)' },
  'storage.v1.StorageClass': { mountOptions: 'list=atomic', allowedTopologies: 'list=atomic' },
};

/** Fields whose Go type is int64 (or float64, marked :double); every other number is an int32. */
const int64Fields: Record<string, string[]> = {
  'apps.v1.ControllerRevision': ['revision'],
  'apps.v1.DaemonSetStatus': ['observedGeneration'],
  'apps.v1.DeploymentStatus': ['observedGeneration'],
  'apps.v1.ReplicaSetStatus': ['observedGeneration'],
  'apps.v1.StatefulSetStatus': ['observedGeneration'],
  'authentication.v1.TokenRequestSpec': ['expirationSeconds'],
  'autoscaling.v1.HorizontalPodAutoscalerStatus': ['observedGeneration'],
  'batch.v1.CronJobSpec': ['startingDeadlineSeconds'],
  'batch.v1.JobSpec': ['activeDeadlineSeconds'],
  'core.v1.ContainerImage': ['sizeBytes'],
  'core.v1.PodSecurityContext': ['runAsUser', 'runAsGroup', 'supplementalGroups', 'fsGroup'],
  'core.v1.PodSpec': ['terminationGracePeriodSeconds', 'activeDeadlineSeconds'],
  'core.v1.Probe': ['terminationGracePeriodSeconds'],
  'core.v1.ReplicationControllerStatus': ['observedGeneration'],
  'core.v1.SecurityContext': ['runAsUser', 'runAsGroup'],
  'core.v1.ServiceAccountTokenProjection': ['expirationSeconds'],
  'core.v1.SleepAction': ['seconds'],
  'core.v1.Toleration': ['tolerationSeconds'],
  'policy.v1.PodDisruptionBudgetStatus': ['observedGeneration'],
  'storage.v1.TokenRequest': ['expirationSeconds'],
  'meta.v1.Condition': ['observedGeneration'],
  'meta.v1.DeleteOptions': ['gracePeriodSeconds'],
  'meta.v1.ListMeta': ['remainingItemCount'],
  'meta.v1.ObjectMeta': ['generation', 'deletionGracePeriodSeconds'],
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
