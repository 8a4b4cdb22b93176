/**
 * Contract validation of recorded HTTP exchanges (see recorder.ts):
 *   1. the operation: method and path are in openapi/kubemock.json (an error Status for an unserved path is fine);
 *   2. the status code: a success code must be listed for the operation; an error code must be listed or
 *      covered by `default`, and carry a Status;
 *   3. the response body against the operation's schema, strictly (unknown fields fail); watch streams line by
 *      line (WatchEvent, then the object by its kind); the Table and discovery representations kubectl asks for
 *      against their own small schemas (the document describes only the JSON form);
 *   4. every Kubernetes object in the body against the upstream schemas (kubernetes-models), plus what the real
 *      apiserver always returns: apiVersion/kind on single objects and metadata name/uid/resourceVersion/creationTimestamp
 *      on stored ones;
 *   5. the request body of an accepted (2xx) write against the operation's request schema (leniently, see document.ts)
 *      and its Content-Type against the ones the operation lists.
 */
import { parse as parseYaml } from 'yaml';
import { ContractDocument, parseGvk, type Gvk, type JsonSchema, type MatchedOperation } from './document.js';
import { upstreamViolation, modelFor } from './models.js';
import type { Exchange } from './recorder.js';

export interface Violation {
  seq: number;
  request: string;
  status: number;
  check: 'operation' | 'status' | 'response' | 'request' | 'upstream' | 'invariant';
  message: string;
}

export interface ContractStats {
  exchanges: number;
  bodiesChecked: number;
  objectsChecked: number;
  /** Exchanges or parts that were not checked, by reason (protobuf bodies, upgrades, kinds without an upstream model...). */
  unchecked: Record<string, number>;
}

export interface ContractReport {
  violations: Violation[];
  stats: ContractStats;
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** meta.k8s.io/v1 Table, as kubectl get receives it (rows' objects are checked separately). */
const tableSchema: JsonSchema = {
  type: 'object',
  required: ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows'],
  additionalProperties: false,
  properties: {
    kind: { enum: ['Table'] },
    apiVersion: { enum: ['meta.k8s.io/v1', 'meta.k8s.io/v1beta1'] },
    metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' },
    columnDefinitions: {
      type: 'array',
      items: {
        type: 'object', required: ['name', 'type', 'format', 'description', 'priority'], additionalProperties: false,
        properties: { name: { type: 'string' }, type: { type: 'string' }, format: { type: 'string' }, description: { type: 'string' }, priority: { type: 'integer' } },
      },
    },
    rows: {
      type: 'array',
      items: {
        type: 'object', required: ['cells'], additionalProperties: false,
        properties: { cells: { type: 'array' }, conditions: { type: 'array' }, object: { type: 'object' } },
      },
    },
  },
};

/** apidiscovery.k8s.io/v2(beta1) APIGroupDiscoveryList, kubectl's aggregated discovery. */
const discoveryListSchema: JsonSchema = {
  type: 'object',
  required: ['kind', 'apiVersion', 'items'],
  properties: {
    kind: { enum: ['APIGroupDiscoveryList'] },
    apiVersion: { enum: ['apidiscovery.k8s.io/v2', 'apidiscovery.k8s.io/v2beta1'] },
    metadata: { type: 'object' },
    items: {
      type: 'array',
      items: {
        type: 'object', required: ['versions'],
        properties: {
          metadata: { type: 'object' },
          versions: {
            type: 'array',
            items: {
              type: 'object', required: ['version', 'resources'],
              properties: {
                version: { type: 'string' }, freshness: { type: 'string' },
                resources: {
                  type: 'array',
                  items: {
                    type: 'object', required: ['resource', 'scope', 'verbs'], additionalProperties: true,
                    properties: { resource: { type: 'string' }, scope: { enum: ['Cluster', 'Namespaced'] }, verbs: { type: 'array', items: { type: 'string' } } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const jsonPatchSchema: JsonSchema = {
  type: 'array',
  items: { type: 'object', required: ['op', 'path'], properties: { op: { enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] }, path: { type: 'string' } } },
};

const statusSchema = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const watchEventSchema = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
/** Kinds that are not stored objects (the reviews among them): no uid/resourceVersion/creationTimestamp expected. */
const unstoredKinds = new Set(['Status', 'Table', 'Scale', 'Eviction', 'APIVersions', 'APIGroupList', 'APIGroup', 'APIResourceList', 'PartialObjectMetadata', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SelfSubjectReview', 'TokenRequest']);

function mediaType(header: string | string[] | undefined): string {
  const h = Array.isArray(header) ? header[0] : header;
  return (h ?? '').split(';')[0]!.trim().toLowerCase();
}

function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]));
}

function isWatch(ex: Exchange, url: URL): boolean {
  const w = url.searchParams.get('watch');
  // as kube reads a bool query parameter: present and not "0" or "false"
  return url.pathname.includes('/watch/') || (w !== null && w !== '0' && w.toLowerCase() !== 'false');
}

function contentSchema(content: Record<string, { schema?: JsonSchema }> | undefined, type: string): JsonSchema | undefined {
  if (!content) return undefined;
  return (content[type] ?? content['application/json'] ?? content['*/*'] ?? Object.values(content)[0])?.schema;
}

export class ContractValidator {
  readonly doc: ContractDocument;
  private readonly violations: Violation[] = [];
  private readonly stats: ContractStats = { exchanges: 0, bodiesChecked: 0, objectsChecked: 0, unchecked: {} };
  /** The exchange being checked was a dry run: nothing was stored, so no resourceVersion (as upstream). */
  private dryRun = false;

  constructor(doc = new ContractDocument()) {
    this.doc = doc;
  }

  report(): ContractReport {
    return { violations: [...this.violations], stats: structuredClone(this.stats) };
  }

  private checkNotFoundPage(ex: Exchange, add: (check: Violation['check'], message: string) => void): void {
    if (ex.responseBody.toString('utf8') !== '404 page not found\n' || mediaType(ex.responseHeaders['content-type']) !== 'text/plain') add('response', `a 404 outside the API router that is not Go's "404 page not found" page`);
  }

  /** Validates one exchange; returns the violations it found (also kept for report()). */
  check(ex: Exchange): Violation[] {
    const found: Violation[] = [];
    const add = (check: Violation['check'], message: string): void => {
      found.push({ seq: ex.seq, request: `${ex.method} ${ex.url}`, status: ex.status, check, message });
    };
    this.stats.exchanges++;
    if (ex.upgraded) return this.skip('connection upgrade (exec/attach/port-forward)', found);
    const url = new URL(ex.url, 'http://kubemock');
    this.dryRun = url.searchParams.has('dryRun');
    const pathname = decodeURIComponent(url.pathname);
    const op = this.doc.operation(ex.method, pathname);
    if (!op) {
      const body = this.json(ex.responseBody);
      if (ex.status >= 400 && isObject(body) && body.kind === 'Status') this.doc.validate(statusSchema, body).forEach((m) => add('response', m));
      else if (ex.status === 404 && !this.doc.routerOwns(pathname)) this.checkNotFoundPage(ex, add);
      else if (ex.status >= 400 && ex.status !== 405) add('response', `error ${ex.status} for an unserved path without a Status body`);
      else if (ex.status < 400) add('operation', `${ex.method} ${pathname} is served but not in the OpenAPI document`);
      this.violations.push(...found);
      return found;
    }
    this.checkStatusCode(ex, op, add);
    this.checkResponse(ex, url, op, add);
    if (ex.status >= 200 && ex.status < 300) this.checkRequest(ex, op, add);
    this.violations.push(...found);
    return found;
  }

  private skip(reason: string, found: Violation[]): Violation[] {
    this.stats.unchecked[reason] = (this.stats.unchecked[reason] ?? 0) + 1;
    return found;
  }

  private json(body: Buffer): unknown {
    try {
      return body.length ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      return undefined;
    }
  }

  private checkStatusCode(ex: Exchange, op: MatchedOperation, add: (c: Violation['check'], m: string) => void): void {
    const listed = Object.keys(op.operation.responses);
    if (listed.includes(String(ex.status))) return;
    // a proxy answers with whatever the pod answered (and the root's redirect to its slash)
    if (isProxy(op)) return;
    // A conditional GET (kubectl's cached OpenAPI) may be answered 304; HTTP allows it for any GET.
    if (ex.status === 304 && ex.method === 'GET' && (ex.requestHeaders['if-none-match'] || ex.requestHeaders['if-modified-since'])) return;
    if (ex.status >= 400 && listed.includes('default')) return;
    add('status', `status ${ex.status} is not a response of ${op.operation.operationId ?? op.template} (lists ${listed.join(', ')})`);
  }

  private checkResponse(ex: Exchange, url: URL, op: MatchedOperation, add: (c: Violation['check'], m: string) => void): void {
    const type = mediaType(ex.responseHeaders['content-type']);
    if (type.includes('protobuf')) return void this.skip('protobuf body', []);
    if (ex.status === 101) return void this.skip('connection upgrade (exec/attach/port-forward)', []);
    if (isProxy(op) && !(ex.status >= 400 && type === 'application/json')) return void this.skip('proxied response (pods/proxy, services/proxy)', []);
    const response = op.operation.responses[String(ex.status)] ?? (ex.status >= 400 ? op.operation.responses.default : undefined);
    if (!response) return;
    if (isWatch(ex, url) && ex.status === 200) return this.checkWatch(ex, op, add);
    if (!response.content) {
      if (ex.status >= 400 && ex.responseBody.length) {
        const body = this.json(ex.responseBody);
        if (isObject(body) && body.kind === 'Status') this.doc.validate(statusSchema, body).forEach((m) => add('response', m));
      }
      return;
    }
    if (type !== 'application/json' && !type.endsWith('+json')) {
      if (op.template.startsWith('/openapi/') || op.operation.operationId?.startsWith('readCoreV1NamespacedPodLog')) return void this.skip(`non-JSON body (${type})`, []);
      if (!Object.keys(response.content).some((t) => mediaType(t) === type)) add('response', `content type ${type || '(none)'} is not listed (${Object.keys(response.content).join(', ')})`);
      return void this.skip(`non-JSON body (${type})`, []);
    }
    const body = this.json(ex.responseBody);
    if (body === undefined) return add('response', 'response body is not JSON');
    this.stats.bodiesChecked++;
    if (isObject(body) && body.kind === 'Table') return this.checkTable(body, op, add);
    if (isObject(body) && body.kind === 'APIGroupDiscoveryList') {
      this.doc.validate(discoveryListSchema, body).forEach((m) => add('response', `APIGroupDiscoveryList ${m}`));
      return;
    }
    const schema = contentSchema(response.content, type);
    if (schema) this.doc.validate(schema, body).forEach((m) => add('response', m));
    const gvk = op.operation['x-kubernetes-group-version-kind'];
    const kubeObject = gvk !== undefined || (isObject(body) && typeof body.kind === 'string');
    if (ex.status < 300 && kubeObject) this.checkObjects(body, gvk, add, true);
    else if (ex.status >= 300 && isObject(body) && body.kind !== 'Status') add('response', `error ${ex.status} body is a ${String(body.kind)}, not a Status`);
  }

  private checkWatch(ex: Exchange, op: MatchedOperation, add: (c: Violation['check'], m: string) => void): void {
    const text = ex.responseBody.toString('utf8');
    const lines = text.split('\n');
    // A watch the client cut off may end mid-line.
    if (!ex.complete && !text.endsWith('\n')) lines.pop();
    const gvk = op.operation['x-kubernetes-group-version-kind'];
    lines.filter((l) => l.trim()).forEach((line, i) => {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        return add('response', `watch line ${i + 1} is not JSON`);
      }
      this.stats.bodiesChecked++;
      this.doc.validate(watchEventSchema, event).forEach((m) => add('response', `watch event ${i + 1}: ${m}`));
      if (!isObject(event) || !isObject(event.object)) return;
      const o = event.object;
      switch (event.type) {
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED':
          if (o.kind === 'Table') this.checkTable(o, op, add, `watch event ${i + 1}: `);
          else this.checkObjects(o, gvk, add, true, `watch event ${i + 1} `);
          break;
        case 'BOOKMARK': {
          const meta = isObject(o.metadata) ? o.metadata : {};
          if (typeof meta.resourceVersion !== 'string') add('response', `watch event ${i + 1}: BOOKMARK without metadata.resourceVersion`);
          const extra = Object.keys(meta).filter((k) => k !== 'resourceVersion' && k !== 'annotations');
          if (extra.length) add('response', `watch event ${i + 1}: BOOKMARK metadata carries ${extra.join(', ')}`);
          break;
        }
        case 'ERROR':
          this.doc.validate(statusSchema, o).forEach((m) => add('response', `watch ERROR event: ${m}`));
          break;
        default:
          add('response', `watch event ${i + 1}: unknown type ${JSON.stringify(event.type)}`);
      }
    });
  }

  private checkTable(table: JsonObject, op: MatchedOperation, add: (c: Violation['check'], m: string) => void, prefix = ''): void {
    this.doc.validate(tableSchema, table).forEach((m) => add('response', `${prefix}Table ${m}`));
    const columns = Array.isArray(table.columnDefinitions) ? table.columnDefinitions.length : undefined;
    const rows = Array.isArray(table.rows) ? table.rows : [];
    rows.forEach((row, i) => {
      if (!isObject(row)) return;
      if (columns !== undefined && columns > 0 && Array.isArray(row.cells) && row.cells.length !== columns) {
        add('response', `${prefix}Table row ${i}: ${row.cells.length} cells for ${columns} columns`);
      }
      if (isObject(row.object) && row.object.kind !== 'PartialObjectMetadata') this.checkObjects(row.object, op.operation['x-kubernetes-group-version-kind'], add, true, `${prefix}Table row ${i} `);
    });
  }

  /** Upstream-model and apiserver-invariant checks for the object(s) a successful response carries. */
  private checkObjects(body: unknown, gvk: Gvk | undefined, add: (c: Violation['check'], m: string) => void, top: boolean, prefix = ''): void {
    if (!isObject(body)) return;
    const kind = typeof body.kind === 'string' ? body.kind : undefined;
    const apiVersion = typeof body.apiVersion === 'string' ? body.apiVersion : undefined;
    if (top && (!kind || !apiVersion)) return add('invariant', `${prefix}object without apiVersion/kind`);
    if (!kind || !apiVersion || kind === 'Status') return;
    if (kind.endsWith('List') && Array.isArray(body.items)) {
      const itemKind = kind.slice(0, -'List'.length);
      body.items.forEach((item, i) => {
        if (isObject(item) && ('apiVersion' in item || 'kind' in item)) add('invariant', `${prefix}items[${i}] carries apiVersion/kind (typed lists omit them)`);
        this.checkOne({ apiVersion, kind: itemKind, ...(isObject(item) ? item : {}) }, add, `${prefix}items[${i}] `);
      });
      return;
    }
    if (gvk && top && gvk.kind !== kind && !['Status', 'Table'].includes(kind)) {
      const { group, version } = parseGvk(apiVersion, kind);
      if (group !== gvk.group || version !== gvk.version) add('invariant', `${prefix}${apiVersion} ${kind} returned by an operation on ${gvk.group}/${gvk.version} ${gvk.kind}`);
    }
    this.checkOne(body, add, prefix);
  }

  private checkOne(object: JsonObject, add: (c: Violation['check'], m: string) => void, prefix: string): void {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    this.stats.objectsChecked++;
    const meta = isObject(object.metadata) ? object.metadata : undefined;
    const id = `${prefix}${kind} ${meta?.namespace ? `${String(meta.namespace)}/` : ''}${String(meta?.name ?? '?')}`;
    if (!modelFor(apiVersion, kind)) this.skip(`no upstream model for ${apiVersion} ${kind}`, []);
    const upstream = upstreamViolation(apiVersion, kind, object);
    if (upstream) add('upstream', `${id}: ${upstream}`);
    if (!unstoredKinds.has(kind) && this.doc.schemaForObject(apiVersion, kind)) {
      const required = this.dryRun ? ['name', 'uid', 'creationTimestamp'] : ['name', 'uid', 'resourceVersion', 'creationTimestamp'];
      const missing = required.filter((f) => !meta || meta[f] === undefined || meta[f] === null || meta[f] === '');
      if (missing.length) add('invariant', `${id}: metadata lacks ${missing.join(', ')}`);
    }
  }

  private checkRequest(ex: Exchange, op: MatchedOperation, add: (c: Violation['check'], m: string) => void): void {
    const rb = op.operation.requestBody;
    if (!rb?.content || !ex.requestBody.length) {
      if (rb?.required && !ex.requestBody.length && ex.method !== 'DELETE') add('request', 'accepted a request without its required body');
      return;
    }
    const type = mediaType(ex.requestHeaders['content-type']);
    if (type.includes('protobuf')) return void this.skip('protobuf request body', []);
    const listed = Object.keys(rb.content);
    if (!listed.includes('*/*') && !listed.includes(type)) add('request', `accepted Content-Type ${type || '(none)'}; the operation lists ${listed.join(', ')}`);
    const text = ex.requestBody.toString('utf8');
    let body: unknown;
    try {
      body = type === 'application/apply-patch+yaml' ? parseYaml(text) : JSON.parse(text);
    } catch {
      return add('request', `accepted a ${type} body that does not parse`);
    }
    if (type === 'application/json-patch+json') {
      this.doc.validate(jsonPatchSchema, body, 'lenient').forEach((m) => add('request', `JSON patch ${m}`));
      return;
    }
    if (op.method === 'patch') {
      if (!isObject(body)) add('request', `accepted a ${type} body that is not an object`);
      return;
    }
    const schema = contentSchema(rb.content, type);
    if (schema) this.doc.validate(schema, stripNulls(body), 'lenient').forEach((m) => add('request', m));
  }
}

/** Validates every exchange; a convenience for tests that assert an empty list. */
export function validateExchanges(exchanges: readonly Exchange[], validator = new ContractValidator()): ContractReport {
  for (const ex of [...exchanges].sort((a, b) => a.seq - b.seq)) validator.check(ex);
  return validator.report();
}

/** One line per violation, for assertion messages. */
export function formatViolations(violations: readonly Violation[], max = 40): string {
  const lines = violations.slice(0, max).map((v) => `#${v.seq} ${v.request} → ${v.status} [${v.check}] ${v.message}`);
  if (violations.length > max) lines.push(`... and ${violations.length - max} more`);
  return lines.join('\n');
}

/** pods/proxy and services/proxy: the body and status are the pod's, only the API's own errors are the document's. */
function isProxy(op: MatchedOperation): boolean {
  return op.operation['x-kubernetes-action'] === 'connect' && /Proxy(WithPath)?$/.test(op.operation.operationId ?? '');
}
