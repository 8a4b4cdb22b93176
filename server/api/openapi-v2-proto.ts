import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { stringify } from 'yaml';

/**
 * Encodes a Swagger 2.0 JSON document as gnostic's openapi.v2.Document protobuf, the form kube-apiserver
 * serves on /openapi/v2 for `Accept: application/com.github.proto-openapi.spec.v2[@.]v1.0+protobuf`
 * (kube-openapi parses its JSON with gnostic's compiler and proto-marshals the result). kubectl before
 * 1.29 only asks for this form when it validates client-side, builds apply patch metadata or explains
 * with plaintext-openapiv2.
 *
 * Field numbers follow gnostic-models' OpenAPIv2.proto. Like gnostic, every `x-` key becomes a NamedAny
 * whose Any carries the value re-serialized as YAML (readers yaml.Unmarshal it), and so do default,
 * enum and example. Keys gnostic has no field for are dropped, as gnostic would reject them. Proto3
 * zero values (false, 0, "") are left out, as Go's proto.Marshal does.
 */
export function encodeOpenApiV2Proto(doc: unknown): Uint8Array {
  const w = new BinaryWriter();
  document(w, asObject(doc));
  return w.finish();
}

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asObject(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

// --- scalar fields -------------------------------------------------------------------------------

function str(w: BinaryWriter, field: number, v: unknown): void {
  if (typeof v === 'string' && v !== '') w.tag(field, WireType.LengthDelimited).string(v);
}

function strings(w: BinaryWriter, field: number, v: unknown): void {
  // A single string where a list is expected still means one element (TypeItem accepts both).
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  for (const s of list) if (typeof s === 'string') w.tag(field, WireType.LengthDelimited).string(s);
}

function bool(w: BinaryWriter, field: number, v: unknown): void {
  if (v === true) w.tag(field, WireType.Varint).bool(true);
}

function double(w: BinaryWriter, field: number, v: unknown): void {
  if (typeof v === 'number' && v !== 0) w.tag(field, WireType.Bit64).double(v);
}

function int64(w: BinaryWriter, field: number, v: unknown): void {
  if (typeof v === 'number' && Number.isInteger(v) && v !== 0) w.tag(field, WireType.Varint).int64(v);
}

function message(w: BinaryWriter, field: number, body: (w: BinaryWriter) => void): void {
  w.tag(field, WireType.LengthDelimited).fork();
  body(w);
  w.join();
}

function objectField(w: BinaryWriter, field: number, v: unknown, body: (w: BinaryWriter, o: JsonObject) => void): void {
  if (isObject(v)) message(w, field, (m) => body(m, v));
}

/** A name/value pair of gnostic's Named* messages: name = 1, value = 2. */
function named(w: BinaryWriter, field: number, name: string, value: (w: BinaryWriter) => void): void {
  message(w, field, (m) => {
    str(m, 1, name);
    message(m, 2, value);
  });
}

// --- Any and vendor extensions ----------------------------------------------------------------------

/**
 * YAML 1.1 quoting keeps strings like "on" or "yes" strings for Go's YAML readers. The same few
 * extension values (list types, merge keys, GVKs) recur thousands of times, so each is stringified once.
 */
const yamlByJson = new Map<string, string>();
function toYaml(v: unknown): string {
  const key = JSON.stringify(v) ?? 'null';
  let text = yamlByJson.get(key);
  if (text === undefined) {
    text = stringify(v, { version: '1.1', lineWidth: 0 });
    yamlByJson.set(key, text);
  }
  return text;
}

/** openapi.v2.Any: yaml = 2 (value = 1, a google.protobuf.Any, is only set by gnostic extensions). */
function any(w: BinaryWriter, field: number, v: unknown): void {
  if (v !== undefined) message(w, field, (m) => str(m, 2, toYaml(v)));
}

function anyList(w: BinaryWriter, field: number, v: unknown): void {
  if (Array.isArray(v)) for (const item of v) any(w, field, item);
}

function vendorExtensions(w: BinaryWriter, field: number, o: JsonObject): void {
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('x-')) named(w, field, k, (m) => str(m, 2, toYaml(v)));
  }
}

// --- messages -------------------------------------------------------------------------------------

function document(w: BinaryWriter, d: JsonObject): void {
  str(w, 1, d.swagger);
  objectField(w, 2, d.info, info);
  str(w, 3, d.host);
  str(w, 4, d.basePath);
  strings(w, 5, d.schemes);
  strings(w, 6, d.consumes);
  strings(w, 7, d.produces);
  objectField(w, 8, d.paths, paths);
  objectField(w, 9, d.definitions, (m, defs) => namedSchemas(m, 1, defs));
  objectField(w, 10, d.parameters, (m, params) => {
    for (const [k, p] of Object.entries(params)) if (isObject(p)) named(m, 1, k, (v) => parameter(v, p));
  });
  objectField(w, 11, d.responses, (m, responses) => {
    for (const [k, r] of Object.entries(responses)) if (isObject(r)) named(m, 1, k, (v) => response(v, r));
  });
  securityRequirements(w, 12, d.security);
  objectField(w, 13, d.securityDefinitions, securityDefinitions);
  if (Array.isArray(d.tags)) for (const t of d.tags) objectField(w, 14, t, tag);
  objectField(w, 15, d.externalDocs, externalDocs);
  vendorExtensions(w, 16, d);
}

function info(w: BinaryWriter, i: JsonObject): void {
  str(w, 1, i.title);
  str(w, 2, i.version);
  str(w, 3, i.description);
  str(w, 4, i.termsOfService);
  objectField(w, 5, i.contact, (m, c) => {
    str(m, 1, c.name);
    str(m, 2, c.url);
    str(m, 3, c.email);
    vendorExtensions(m, 4, c);
  });
  objectField(w, 6, i.license, (m, l) => {
    str(m, 1, l.name);
    str(m, 2, l.url);
    vendorExtensions(m, 3, l);
  });
  vendorExtensions(w, 7, i);
}

function externalDocs(w: BinaryWriter, e: JsonObject): void {
  str(w, 1, e.description);
  str(w, 2, e.url);
  vendorExtensions(w, 3, e);
}

function tag(w: BinaryWriter, t: JsonObject): void {
  str(w, 1, t.name);
  str(w, 2, t.description);
  objectField(w, 3, t.externalDocs, externalDocs);
  vendorExtensions(w, 4, t);
}

/** SecurityRequirement: a map of scheme name to scopes (NamedStringArray, StringArray.value = 1). */
function securityRequirements(w: BinaryWriter, field: number, v: unknown): void {
  if (!Array.isArray(v)) return;
  for (const req of v) {
    objectField(w, field, req, (m, r) => {
      for (const [name, scopes] of Object.entries(r)) named(m, 1, name, (s) => strings(s, 1, scopes));
    });
  }
}

/** Only the basic and apiKey schemes (kube-apiserver's BearerToken is apiKey); OAuth2 flows are dropped. */
function securityDefinitions(w: BinaryWriter, defs: JsonObject): void {
  for (const [name, d] of Object.entries(defs)) {
    if (!isObject(d)) continue;
    if (d.type === 'basic') {
      named(w, 1, name, (item) => message(item, 1, (m) => {
        str(m, 1, d.type);
        str(m, 2, d.description);
        vendorExtensions(m, 3, d);
      }));
    } else if (d.type === 'apiKey') {
      named(w, 1, name, (item) => message(item, 2, (m) => {
        str(m, 1, d.type);
        str(m, 2, d.name);
        str(m, 3, d.in);
        str(m, 4, d.description);
        vendorExtensions(m, 5, d);
      }));
    }
  }
}

function paths(w: BinaryWriter, p: JsonObject): void {
  vendorExtensions(w, 1, p);
  for (const [path, item] of Object.entries(p)) {
    if (!path.startsWith('x-') && isObject(item)) named(w, 2, path, (m) => pathItem(m, item));
  }
}

const operationFields: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(w: BinaryWriter, item: JsonObject): void {
  str(w, 1, item.$ref);
  for (const [method, field] of Object.entries(operationFields)) objectField(w, field, item[method], operation);
  parametersItems(w, 9, item.parameters);
  vendorExtensions(w, 10, item);
}

function operation(w: BinaryWriter, op: JsonObject): void {
  strings(w, 1, op.tags);
  str(w, 2, op.summary);
  str(w, 3, op.description);
  objectField(w, 4, op.externalDocs, externalDocs);
  str(w, 5, op.operationId);
  strings(w, 6, op.produces);
  strings(w, 7, op.consumes);
  parametersItems(w, 8, op.parameters);
  objectField(w, 9, op.responses, responses);
  strings(w, 10, op.schemes);
  bool(w, 11, op.deprecated);
  securityRequirements(w, 12, op.security);
  vendorExtensions(w, 13, op);
}

/** ParametersItem: parameter = 1, or json_reference = 2 (JsonReference: _ref = 1, description = 2). */
function parametersItems(w: BinaryWriter, field: number, v: unknown): void {
  if (!Array.isArray(v)) return;
  for (const p of v) {
    objectField(w, field, p, (m, param) => {
      if (typeof param.$ref === 'string') {
        message(m, 2, (ref) => {
          str(ref, 1, param.$ref);
          str(ref, 2, param.description);
        });
      } else {
        message(m, 1, (pm) => parameter(pm, param));
      }
    });
  }
}

/** NonBodyParameter's oneof fields by `in`. */
const nonBodyKinds: Record<string, number> = { header: 1, formData: 2, query: 3, path: 4 };

/** Parameter: body_parameter = 1 or non_body_parameter = 2, chosen by `in` as gnostic's oneof matching does. */
function parameter(w: BinaryWriter, p: JsonObject): void {
  if (p.in === 'body') {
    message(w, 1, (m) => {
      str(m, 1, p.description);
      str(m, 2, p.name);
      str(m, 3, p.in);
      bool(m, 4, p.required);
      objectField(m, 5, p.schema, schema);
      vendorExtensions(m, 6, p);
    });
    return;
  }
  const kind = typeof p.in === 'string' ? nonBodyKinds[p.in] : undefined;
  if (kind === undefined) return;
  message(w, 2, (nb) => message(nb, kind, (m) => nonBodyParameter(m, p)));
}

/**
 * The four *ParameterSubSchema messages share one layout; query and formData have allowEmptyValue at 5,
 * which shifts every later field by one.
 */
function nonBodyParameter(w: BinaryWriter, p: JsonObject): void {
  bool(w, 1, p.required);
  str(w, 2, p.in);
  str(w, 3, p.description);
  str(w, 4, p.name);
  const hasAllowEmpty = p.in === 'query' || p.in === 'formData';
  if (hasAllowEmpty) bool(w, 5, p.allowEmptyValue);
  primitiveFields(w, hasAllowEmpty ? 6 : 5, p);
  vendorExtensions(w, hasAllowEmpty ? 23 : 22, p);
}

/**
 * The run type, format, items, collectionFormat, default, maximum ... multipleOf that parameters,
 * headers and PrimitivesItems share, numbered from `first`.
 */
function primitiveFields(w: BinaryWriter, first: number, p: JsonObject): void {
  str(w, first, p.type);
  str(w, first + 1, p.format);
  objectField(w, first + 2, p.items, primitivesItems);
  str(w, first + 3, p.collectionFormat);
  any(w, first + 4, p.default);
  double(w, first + 5, p.maximum);
  bool(w, first + 6, p.exclusiveMaximum);
  double(w, first + 7, p.minimum);
  bool(w, first + 8, p.exclusiveMinimum);
  int64(w, first + 9, p.maxLength);
  int64(w, first + 10, p.minLength);
  str(w, first + 11, p.pattern);
  int64(w, first + 12, p.maxItems);
  int64(w, first + 13, p.minItems);
  bool(w, first + 14, p.uniqueItems);
  anyList(w, first + 15, p.enum);
  double(w, first + 16, p.multipleOf);
}

function primitivesItems(w: BinaryWriter, items: JsonObject): void {
  primitiveFields(w, 1, items);
  vendorExtensions(w, 18, items);
}

function header(w: BinaryWriter, h: JsonObject): void {
  primitiveFields(w, 1, h);
  str(w, 18, h.description);
  vendorExtensions(w, 19, h);
}

/** Responses: response_code = 1 (ResponseValue: response = 1 or json_reference = 2), extensions = 2. */
function responses(w: BinaryWriter, r: JsonObject): void {
  for (const [code, value] of Object.entries(r)) {
    if (code.startsWith('x-') || !isObject(value)) continue;
    named(w, 1, code, (m) => {
      if (typeof value.$ref === 'string') message(m, 2, (ref) => str(ref, 1, value.$ref));
      else message(m, 1, (resp) => response(resp, value));
    });
  }
  vendorExtensions(w, 2, r);
}

function response(w: BinaryWriter, r: JsonObject): void {
  str(w, 1, r.description);
  // SchemaItem: schema = 1, or file_schema = 2 for `type: file`.
  objectField(w, 2, r.schema, (m, s) => {
    if (s.type === 'file') message(m, 2, (f) => fileSchema(f, s));
    else message(m, 1, (sm) => schema(sm, s));
  });
  objectField(w, 3, r.headers, (m, headers) => {
    for (const [name, h] of Object.entries(headers)) if (isObject(h)) named(m, 1, name, (v) => header(v, h));
  });
  objectField(w, 4, r.examples, (m, examples) => {
    for (const [mime, ex] of Object.entries(examples)) named(m, 1, mime, (v) => str(v, 2, toYaml(ex)));
  });
  vendorExtensions(w, 5, r);
}

function fileSchema(w: BinaryWriter, s: JsonObject): void {
  str(w, 1, s.format);
  str(w, 2, s.title);
  str(w, 3, s.description);
  any(w, 4, s.default);
  strings(w, 5, s.required);
  str(w, 6, s.type);
  bool(w, 7, s.readOnly);
  objectField(w, 8, s.externalDocs, externalDocs);
  any(w, 9, s.example);
  vendorExtensions(w, 10, s);
}

/** Definitions and Properties are both `repeated NamedSchema additional_properties = 1`. */
function namedSchemas(w: BinaryWriter, field: number, schemas: JsonObject): void {
  for (const [name, s] of Object.entries(schemas)) if (isObject(s)) named(w, field, name, (m) => schema(m, s));
}

function schema(w: BinaryWriter, s: JsonObject): void {
  str(w, 1, s.$ref);
  str(w, 2, s.format);
  str(w, 3, s.title);
  str(w, 4, s.description);
  any(w, 5, s.default);
  double(w, 6, s.multipleOf);
  double(w, 7, s.maximum);
  bool(w, 8, s.exclusiveMaximum);
  double(w, 9, s.minimum);
  bool(w, 10, s.exclusiveMinimum);
  int64(w, 11, s.maxLength);
  int64(w, 12, s.minLength);
  str(w, 13, s.pattern);
  int64(w, 14, s.maxItems);
  int64(w, 15, s.minItems);
  bool(w, 16, s.uniqueItems);
  int64(w, 17, s.maxProperties);
  int64(w, 18, s.minProperties);
  strings(w, 19, s.required);
  anyList(w, 20, s.enum);
  additionalProperties(w, 21, s.additionalProperties);
  if (s.type !== undefined) message(w, 22, (m) => strings(m, 1, s.type));
  // ItemsItem: repeated Schema schema = 1 (a tuple's items become several).
  const items = Array.isArray(s.items) ? s.items : isObject(s.items) ? [s.items] : undefined;
  if (items) message(w, 23, (m) => { for (const it of items) objectField(m, 1, it, schema); });
  if (Array.isArray(s.allOf)) for (const part of s.allOf) objectField(w, 24, part, schema);
  objectField(w, 25, s.properties, (m, props) => namedSchemas(m, 1, props));
  str(w, 26, s.discriminator);
  bool(w, 27, s.readOnly);
  objectField(w, 28, s.xml, (m, x) => {
    str(m, 1, x.name);
    str(m, 2, x.namespace);
    str(m, 3, x.prefix);
    bool(m, 4, x.attribute);
    bool(m, 5, x.wrapped);
    vendorExtensions(m, 6, x);
  });
  objectField(w, 29, s.externalDocs, externalDocs);
  any(w, 30, s.example);
  vendorExtensions(w, 31, s);
}

/** AdditionalPropertiesItem: schema = 1 or boolean = 2 (false is still sent: the oneof says which). */
function additionalProperties(w: BinaryWriter, field: number, v: unknown): void {
  if (isObject(v)) message(w, field, (m) => message(m, 1, (sm) => schema(sm, v)));
  else if (typeof v === 'boolean') message(w, field, (m) => m.tag(2, WireType.Varint).bool(v));
}

/** What kube-apiserver answers for the protobuf form, whichever of the two spellings was asked for. */
export const openApiV2ProtoContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

// kube-openapi's served forms in its order of preference: the first that a clause matches wins.
const v2Forms: { subtype: string; form: 'json' | 'protobuf' }[] = [
  { subtype: 'json', form: 'json' },
  { subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', form: 'protobuf' },
  { subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', form: 'protobuf' },
];

/**
 * Picks the /openapi/v2 form as kube-openapi's handler does: Accept clauses by falling q (goautoneg's
 * sort, then the more specific first; q=0 clauses never match), each tried against JSON then the two protobuf spellings, wildcards
 * allowed; no Accept means JSON. Undefined means 406.
 */
export function negotiateOpenApiV2(accept: string | undefined): 'json' | 'protobuf' | undefined {
  const clauses = (accept && accept.trim() !== '' ? accept : '*/*').split(',').map((part, index) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim());
    const qParam = params.find((p) => /^q\s*=/i.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(qParam.indexOf('=') + 1));
    const [type = '', subtype = ''] = range.toLowerCase().split('/');
    return { type, subtype, q: Number.isNaN(q) ? 0 : q, index };
  });
  const wildcards = (c: { type: string; subtype: string }) => Number(c.type === '*') + Number(c.subtype === '*');
  clauses.sort((a, b) => b.q - a.q || wildcards(a) - wildcards(b) || a.index - b.index);
  for (const c of clauses) {
    if (c.q <= 0 || (c.type !== 'application' && c.type !== '*')) continue;
    const match = v2Forms.find((f) => c.subtype === '*' || c.subtype === f.subtype);
    if (match) return match.form;
  }
  return undefined;
}
