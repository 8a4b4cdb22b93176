/**
 * Writes kubemock's gRPC API and everything generated from it:
 *   proto/kubemock/v1/types.proto     one message per Kubernetes schema the served kinds reach, from the
 *                                     component schemas in openapi/v3/** (field names and json_name are the
 *                                     Kubernetes field names, so JSON ⇄ proto is a rename-free walk)
 *   proto/kubemock/v1/services.proto  one service per kind plus the request/response messages
 *   server/grpc/gen/**                ts-proto output (`buf generate`, see buf.gen.yaml)
 *   server/grpc/gen/descriptors.ts    the FileDescriptorSet (`buf build`) for server reflection and the converter
 *   server/grpc/gen/kinds.ts          the kind table binding each generated service to its resource
 *
 *   node --import tsx scripts/generate-proto.ts          write the files
 *   node --import tsx scripts/generate-proto.ts --check  exit 1 when a committed file is stale
 *
 * Mapping rules (see proto/README.md for the reasons):
 *   string / int32 / int64 / bool / number      optional string / int32 / int64 / bool / double (presence kept)
 *   Quantity, Time, MicroTime                   optional string (their JSON text, unchanged)
 *   IntOrString                                 kubemock.v1.IntOrString { oneof { int32 intVal; string strVal } }
 *   RawExtension                                google.protobuf.Value (any JSON)
 *   FieldsV1 and other free-form objects        google.protobuf.Struct
 *   array / map of X                            repeated X / map<string, X>
 * Field numbers are the 1-based position of the field in the schema's sorted property list.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildResources, defaultClusterConfig } from '../server/registry/kinds/index.js';
import type { ResourceInfo } from '../server/registry/resource.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = 'kubemock.v1';

interface Schema {
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  $ref?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** Every component schema of the preferred-version documents (v1 only: the beta apps documents repeat names). */
function loadSchemas(): Map<string, Schema> {
  const files = [path.join(root, 'openapi/v3/api/v1.json')];
  const apis = path.join(root, 'openapi/v3/apis');
  for (const group of readdirSync(apis).sort()) {
    const v1 = path.join(apis, group, 'v1.json');
    if (existsSync(v1)) files.push(v1);
  }
  const out = new Map<string, Schema>();
  for (const f of files) {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as { components: { schemas: Record<string, Schema> } };
    for (const [name, s] of Object.entries(doc.components.schemas)) out.set(name, s);
  }
  return out;
}

export interface KindEntry {
  service: string;
  kind: string;
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  status: boolean;
  scale: boolean;
  /** Update-only subresources the kind declares (pods/ephemeralcontainers): [subresource, Go name]. */
  subresources: [string, string][];
  schema: string;
}

/**
 * The kinds served over gRPC: every stored registry resource but events.k8s.io (it shares storage and the
 * Event name with core); the create-only reviews answer REST alone. Services are "<Plural>Service": a bare
 * plural clashes with the Endpoints message.
 */
function kindTable(schemas: Map<string, Schema>): KindEntry[] {
  const resources = buildResources(defaultClusterConfig).filter((r) => r.group !== 'events.k8s.io' && !r.strategy.answerCreate);
  return resources.map((r) => {
    const version = r.versions[0].name;
    return {
      service: `${serviceName(r)}Service`,
      kind: r.kind,
      group: r.group,
      version,
      resource: r.resource,
      namespaced: r.namespaced,
      status: !!r.statusSubresource,
      scale: !!r.scale,
      subresources: Object.entries(r.updateSubresources ?? {}).map(([sub, s]): [string, string] => [sub, s.goName]),
      schema: schemaOfKind(schemas, r.group, version, r.kind),
    };
  }).sort((a, b) => a.service.localeCompare(b.service));
}

function serviceName(r: ResourceInfo): string {
  const plural = r.resource.toLowerCase();
  for (const candidate of [`${r.kind}es`, `${r.kind}s`, r.kind]) {
    if (candidate.toLowerCase() === plural) return candidate;
  }
  throw new Error(`cannot name a service for ${r.resource} (${r.kind})`);
}

function schemaOfKind(schemas: Map<string, Schema>, group: string, version: string, kind: string): string {
  for (const [name, s] of schemas) {
    if (s['x-kubernetes-group-version-kind']?.some((g) => g.group === group && g.version === version && g.kind === kind) && !name.endsWith('List')) return name;
  }
  throw new Error(`no schema for ${group}/${version} ${kind}`);
}

// ---------------------------------------------------------------------------------------------
// Schema → proto

const scalarSchemas = new Set([
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
]);
const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const valueSchemas = new Set(['io.k8s.apimachinery.pkg.runtime.RawExtension']);
const statusSchema = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const deleteOptionsSchema = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const scaleSchema = 'io.k8s.api.autoscaling.v1.Scale';

function refName(s: Schema): string | undefined {
  const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
  return ref?.replace('#/components/schemas/', '');
}

/** Free-form schemas (no properties) that are not one of the named special cases become Struct. */
function isFreeForm(s: Schema): boolean {
  return !s.properties && s.type === 'object';
}

/** Schemas a message is generated for, reached from the roots. */
function reachable(schemas: Map<string, Schema>, roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || scalarSchemas.has(name) || valueSchemas.has(name) || name === intOrString) return;
    const s = schemas.get(name);
    if (!s) throw new Error(`missing schema ${name}`);
    if (!s.properties) return;
    seen.add(name);
    for (const p of Object.values(s.properties)) for (const r of refsOf(p)) visit(r);
  };
  for (const r of roots) visit(r);
  return [...seen].sort();
}

function refsOf(s: Schema): string[] {
  const r = refName(s);
  if (r) return [r];
  if (s.items) return refsOf(s.items);
  if (typeof s.additionalProperties === 'object') return refsOf(s.additionalProperties);
  return [];
}

/** Short message names; a clash outside core/meta is prefixed with its API group and version (DiscoveryV1EndpointPort). */
function messageNames(names: string[]): Map<string, string> {
  const short = (n: string): string => n.slice(n.lastIndexOf('.') + 1);
  const count = new Map<string, number>();
  for (const n of names) count.set(short(n), (count.get(short(n)) ?? 0) + 1);
  const out = new Map<string, string>();
  const taken = new Set<string>();
  const core = (n: string): boolean => n.startsWith('io.k8s.api.core.') || n.startsWith('io.k8s.apimachinery.');
  for (const n of [...names].sort((a, b) => Number(core(b)) - Number(core(a)) || a.localeCompare(b))) {
    let name = short(n);
    if ((count.get(name) ?? 0) > 1 && !core(n)) {
      const parts = n.split('.');
      const pascal = (p: string): string => p.charAt(0).toUpperCase() + p.slice(1);
      name = `${pascal(parts[parts.length - 3])}${pascal(parts[parts.length - 2])}${name}`;
    }
    if (taken.has(name)) throw new Error(`message name ${name} is taken twice`);
    taken.add(name);
    out.set(n, name);
  }
  return out;
}

interface Imports {
  struct: boolean;
}

function fieldType(s: Schema, names: Map<string, string>, imports: Imports, where: string): { type: string; scalar: boolean } {
  const ref = refName(s);
  if (ref) {
    if (scalarSchemas.has(ref)) return { type: 'string', scalar: true };
    if (ref === intOrString) return { type: 'IntOrString', scalar: false };
    if (valueSchemas.has(ref)) {
      imports.struct = true;
      return { type: 'google.protobuf.Value', scalar: false };
    }
    const name = names.get(ref);
    if (name) return { type: name, scalar: false };
    imports.struct = true;
    return { type: 'google.protobuf.Struct', scalar: false };
  }
  switch (s.type) {
    case 'string':
      return { type: 'string', scalar: true };
    case 'boolean':
      return { type: 'bool', scalar: true };
    case 'number':
      return { type: 'double', scalar: true };
    case 'integer':
      return { type: s.format === 'int32' ? 'int32' : 'int64', scalar: true };
    case 'object':
      if (isFreeForm(s) && s.additionalProperties === undefined) {
        imports.struct = true;
        return { type: 'google.protobuf.Struct', scalar: false };
      }
  }
  throw new Error(`unsupported schema at ${where}: ${JSON.stringify(s)}`);
}

function fieldLine(fieldName: string, s: Schema, num: number, names: Map<string, string>, imports: Imports, where: string): string {
  const opts = `[json_name = "${fieldName}"]`;
  if (s.type === 'array' && s.items) {
    const t = fieldType(s.items, names, imports, where);
    return `repeated ${t.type} ${fieldName} = ${num} ${opts};`;
  }
  if (s.type === 'object' && typeof s.additionalProperties === 'object') {
    const t = fieldType(s.additionalProperties, names, imports, where);
    return `map<string, ${t.type}> ${fieldName} = ${num} ${opts};`;
  }
  const t = fieldType(s, names, imports, where);
  return `${t.scalar ? 'optional ' : ''}${t.type} ${fieldName} = ${num} ${opts};`;
}

const header = (what: string): string => `// Code generated by scripts/generate-proto.ts from ${what}. DO NOT EDIT.\n`;

function typesProto(schemas: Map<string, Schema>, messages: string[], names: Map<string, string>): string {
  const imports: Imports = { struct: false };
  const bodies: string[] = [];
  for (const id of [...messages].sort((a, b) => names.get(a)!.localeCompare(names.get(b)!))) {
    const s = schemas.get(id)!;
    const props = Object.keys(s.properties!).sort();
    const lines = props.map((p, i) => {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(p)) throw new Error(`field ${id}.${p} is not a proto identifier`);
      return `  ${fieldLine(p, s.properties![p], i + 1, names, imports, `${id}.${p}`)}`;
    });
    bodies.push(`// ${id}\nmessage ${names.get(id)} {\n${lines.join('\n')}\n}\n`);
  }
  bodies.push([
    `// ${intOrString}: an int32 or a string; JSON carries the bare value.`,
    'message IntOrString {',
    '  oneof value {',
    '    int32 intVal = 1 [json_name = "intVal"];',
    '    string strVal = 2 [json_name = "strVal"];',
    '  }',
    '}',
    '',
  ].join('\n'));
  return [
    header('openapi/v3 component schemas'),
    'syntax = "proto3";',
    '',
    `package ${pkg};`,
    '',
    ...(imports.struct ? ['import "google/protobuf/struct.proto";', ''] : []),
    bodies.join('\n'),
  ].join('\n');
}

function servicesProto(kinds: KindEntry[], names: Map<string, string>): string {
  const out: string[] = [
    header('the kind table'),
    'syntax = "proto3";',
    '',
    `package ${pkg};`,
    '',
    'import "kubemock/v1/types.proto";',
    '',
    '// GetRequest names one object; namespace is ignored for cluster-scoped kinds.',
    'message GetRequest {',
    '  string namespace = 1 [json_name = "namespace"];',
    '  string name = 2 [json_name = "name"];',
    '}',
    '',
    '// ListRequest mirrors the REST list query: an empty namespace lists all namespaces.',
    'message ListRequest {',
    '  string namespace = 1 [json_name = "namespace"];',
    '  string labelSelector = 2 [json_name = "labelSelector"];',
    '  string fieldSelector = 3 [json_name = "fieldSelector"];',
    '  int64 limit = 4 [json_name = "limit"];',
    '  string continue = 5 [json_name = "continue"];',
    '  string resourceVersion = 6 [json_name = "resourceVersion"];',
    '  string resourceVersionMatch = 7 [json_name = "resourceVersionMatch"];',
    '}',
    '',
    '// WatchRequest mirrors the REST watch query. A resourceVersion resumes after that version;',
    '// empty or "0" first replays the current objects as ADDED.',
    'message WatchRequest {',
    '  string namespace = 1 [json_name = "namespace"];',
    '  string labelSelector = 2 [json_name = "labelSelector"];',
    '  string fieldSelector = 3 [json_name = "fieldSelector"];',
    '  string resourceVersion = 4 [json_name = "resourceVersion"];',
    '  string resourceVersionMatch = 5 [json_name = "resourceVersionMatch"];',
    '  bool allowWatchBookmarks = 6 [json_name = "allowWatchBookmarks"];',
    '  bool sendInitialEvents = 7 [json_name = "sendInitialEvents"];',
    '  int64 timeoutSeconds = 8 [json_name = "timeoutSeconds"];',
    '}',
    '',
    '// PatchType selects the patch format, as the Content-Type of a REST PATCH does.',
    'enum PatchType {',
    '  PATCH_TYPE_UNSPECIFIED = 0;',
    '  PATCH_TYPE_JSON = 1;',
    '  PATCH_TYPE_MERGE = 2;',
    '  PATCH_TYPE_STRATEGIC_MERGE = 3;',
    '  PATCH_TYPE_APPLY = 4;',
    '}',
    '',
    '// PatchRequest carries the patch document as text (JSON, or YAML for APPLY) or as bytes.',
    'message PatchRequest {',
    '  string namespace = 1 [json_name = "namespace"];',
    '  string name = 2 [json_name = "name"];',
    '  PatchType patchType = 3 [json_name = "patchType"];',
    '  string body = 4 [json_name = "body"];',
    '  bytes bodyBytes = 5 [json_name = "bodyBytes"];',
    '  string fieldManager = 6 [json_name = "fieldManager"];',
    '  optional bool force = 7 [json_name = "force"];',
    '  bool dryRun = 8 [json_name = "dryRun"];',
    '  string fieldValidation = 9 [json_name = "fieldValidation"];',
    '}',
    '',
    '// DeleteRequest: options are the Kubernetes DeleteOptions (grace period, propagation, preconditions).',
    'message DeleteRequest {',
    '  string namespace = 1 [json_name = "namespace"];',
    '  string name = 2 [json_name = "name"];',
    `  ${names.get(deleteOptionsSchema)} options = 3 [json_name = "options"];`,
    '}',
    '',
    '// ScaleUpdateRequest writes spec.replicas through the scale subresource.',
    'message ScaleUpdateRequest {',
    '  string namespace = 1 [json_name = "namespace"];',
    '  string name = 2 [json_name = "name"];',
    `  ${names.get(scaleSchema)} object = 3 [json_name = "object"];`,
    '  bool dryRun = 4 [json_name = "dryRun"];',
    '  string fieldManager = 5 [json_name = "fieldManager"];',
    '}',
    '',
  ];
  const status = names.get(statusSchema)!;
  for (const k of kinds) {
    const msg = names.get(k.schema)!;
    const list = names.get(`${k.schema}List`);
    if (!list) throw new Error(`no list schema for ${k.schema}`);
    out.push(
      `message ${msg}CreateRequest {`,
      '  string namespace = 1 [json_name = "namespace"];',
      `  ${msg} object = 2 [json_name = "object"];`,
      '  bool dryRun = 3 [json_name = "dryRun"];',
      '  string fieldManager = 4 [json_name = "fieldManager"];',
      '  string fieldValidation = 5 [json_name = "fieldValidation"];',
      '}',
      '',
      `message ${msg}UpdateRequest {`,
      '  string namespace = 1 [json_name = "namespace"];',
      '  string name = 2 [json_name = "name"];',
      `  ${msg} object = 3 [json_name = "object"];`,
      '  bool dryRun = 4 [json_name = "dryRun"];',
      '  string fieldManager = 5 [json_name = "fieldManager"];',
      '  string fieldValidation = 6 [json_name = "fieldValidation"];',
      '}',
      '',
      `// ${msg}DeleteResponse: the object with its deletionTimestamp, or as it was when removed.`,
      `message ${msg}DeleteResponse {`,
      `  ${msg} object = 1 [json_name = "object"];`,
      '  bool removed = 2 [json_name = "removed"];',
      '}',
      '',
      `// ${msg}WatchEvent: type is ADDED, MODIFIED, DELETED, BOOKMARK (object holds only metadata.resourceVersion) or ERROR (status set).`,
      `message ${msg}WatchEvent {`,
      '  string type = 1 [json_name = "type"];',
      `  ${msg} object = 2 [json_name = "object"];`,
      `  ${status} status = 3 [json_name = "status"];`,
      '}',
      '',
      `// ${k.service} serves ${k.group ? `${k.group}/` : ''}${k.version} ${k.resource} (${k.namespaced ? 'namespaced' : 'cluster-scoped'}).`,
      `service ${k.service} {`,
      `  rpc Get(GetRequest) returns (${msg});`,
      `  rpc List(ListRequest) returns (${list});`,
      `  rpc Watch(WatchRequest) returns (stream ${msg}WatchEvent);`,
      `  rpc Create(${msg}CreateRequest) returns (${msg});`,
      `  rpc Update(${msg}UpdateRequest) returns (${msg});`,
      `  rpc Patch(PatchRequest) returns (${msg});`,
      `  rpc Delete(DeleteRequest) returns (${msg}DeleteResponse);`,
    );
    if (k.status) {
      out.push(
        `  rpc UpdateStatus(${msg}UpdateRequest) returns (${msg});`,
        `  rpc PatchStatus(PatchRequest) returns (${msg});`,
      );
    }
    for (const [, goName] of k.subresources) {
      out.push(
        `  rpc Update${goName}(${msg}UpdateRequest) returns (${msg});`,
        `  rpc Patch${goName}(PatchRequest) returns (${msg});`,
      );
    }
    if (k.scale) {
      const scale = names.get(scaleSchema)!;
      out.push(
        `  rpc GetScale(GetRequest) returns (${scale});`,
        `  rpc UpdateScale(ScaleUpdateRequest) returns (${scale});`,
        `  rpc PatchScale(PatchRequest) returns (${scale});`,
      );
    }
    out.push('}', '');
  }
  return out.join('\n');
}

function kindsTs(kinds: KindEntry[], names: Map<string, string>): string {
  const rows = kinds.map((k) => [
    '  {',
    `    service: ${k.service}Service,`,
    `    serviceName: '${k.service}',`,
    `    message: '${pkg}.${names.get(k.schema)}',`,
    `    kind: '${k.kind}',`,
    `    group: '${k.group}',`,
    `    version: '${k.version}',`,
    `    resource: '${k.resource}',`,
    `    namespaced: ${k.namespaced},`,
    `    status: ${k.status},`,
    `    scale: ${k.scale},`,
    `    subresources: [${k.subresources.map(([sub, goName]) => `['${sub}', '${goName}']`).join(', ')}],`,
    '  },',
  ].join('\n'));
  return [
    header('the kind table').replace('//', '//'),
    'import {',
    ...kinds.map((k) => `  ${k.service}Service,`),
    "} from './kubemock/v1/services.js';",
    '',
    '/** One row per gRPC service: the generated grpc-js definition and the resource it serves. */',
    'export const kindServices = [',
    ...rows,
    '] as const;',
    '',
    'export type KindService = (typeof kindServices)[number];',
    '',
  ].join('\n');
}

function descriptorsTs(set: Buffer): string {
  const b64 = set.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 100) lines.push(`  '${b64.slice(i, i + 100)}'`);
  return [
    header('`buf build --exclude-source-info`'),
    '/** The FileDescriptorSet of proto/ (imports included), base64: served by reflection, read by the converter. */',
    'export const descriptorSetBase64 = [',
    lines.join(',\n'),
    "].join('');",
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Writing and checking

const buf = path.join(root, 'node_modules/.bin/buf');

function runBuf(args: string[], cwd: string): Buffer {
  return execFileSync(buf, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
}

/** Every generated file, keyed by path relative to `dir` (a scratch copy of the repo layout). */
function generateInto(dir: string): void {
  const schemas = loadSchemas();
  const kinds = kindTable(schemas);
  const roots = [...kinds.flatMap((k) => [k.schema, `${k.schema}List`]), statusSchema, deleteOptionsSchema, scaleSchema];
  const messages = reachable(schemas, roots);
  const names = messageNames(messages);
  const protoDir = path.join(dir, 'proto/kubemock/v1');
  mkdirSync(protoDir, { recursive: true });
  writeFileSync(path.join(protoDir, 'types.proto'), typesProto(schemas, messages, names));
  writeFileSync(path.join(protoDir, 'services.proto'), servicesProto(kinds, names));
  if (dir !== root) {
    // the hand-written protos and the buf configuration, so that buf sees the same module
    for (const f of ['buf.yaml', 'buf.gen.yaml']) writeFileSync(path.join(dir, f), readFileSync(path.join(root, f)));
    copyTree(path.join(root, 'proto'), path.join(dir, 'proto'), (rel) => !rel.startsWith('kubemock/v1/'));
    symlinkNodeModules(dir);
  }
  runBuf(['generate'], dir);
  const set = runBuf(['build', '--exclude-source-info', '-o', '-#format=binpb'], dir);
  const gen = path.join(dir, 'server/grpc/gen');
  writeFileSync(path.join(gen, 'descriptors.ts'), descriptorsTs(set));
  writeFileSync(path.join(gen, 'kinds.ts'), kindsTs(kinds, names));
}

function copyTree(from: string, to: string, include: (rel: string) => boolean, rel = ''): void {
  for (const entry of readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) copyTree(from, to, include, r);
    else if (include(r)) {
      mkdirSync(path.dirname(path.join(to, r)), { recursive: true });
      writeFileSync(path.join(to, r), readFileSync(path.join(from, r)));
    }
  }
}

function symlinkNodeModules(dir: string): void {
  execFileSync('ln', ['-s', path.join(root, 'node_modules'), path.join(dir, 'node_modules')]);
}

function listFiles(dir: string, rel = ''): string[] {
  if (!existsSync(path.join(dir, rel))) return [];
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out.sort();
}

function main(argv: string[]): number {
  if (!argv.includes('--check')) {
    generateInto(root);
    return 0;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'kubemock-proto-'));
  try {
    generateInto(scratch);
    const stale: string[] = [];
    for (const sub of ['proto/kubemock/v1', 'server/grpc/gen']) {
      const fresh = listFiles(path.join(scratch, sub));
      const committed = listFiles(path.join(root, sub));
      for (const f of new Set([...fresh, ...committed])) {
        const a = path.join(scratch, sub, f);
        const b = path.join(root, sub, f);
        if (!existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b))) stale.push(`${sub}/${f}`);
      }
    }
    if (stale.length) {
      console.error(`stale generated gRPC files (run node --import tsx scripts/generate-proto.ts):\n  ${stale.join('\n  ')}`);
      return 1;
    }
    console.log('gRPC generated files are up to date');
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
