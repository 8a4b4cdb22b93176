import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { Clock } from '../meta/clock.js';
import { badRequest, methodNotAllowed, pathNotFound, StatusError } from '../meta/errors.js';
import { parseFieldSelector } from '../meta/fields.js';
import type { KubeObject } from '../meta/types.js';
import type { DeleteOptions, ListOptions, Registry, RequestContext } from '../registry/generic.js';
import type { UserInfo } from '../registry/strategy.js';
import { managerFromUserAgent } from '../registry/patch/index.js';
import { getScale, updateScale } from '../registry/scale.js';
import { parseDeleteBody, parseObjectBody, parsePatchBody, readBody } from './body.js';
import { deleteOptionsFromBody, deleteOptionsFromQuery } from './delete-options.js';
import { negotiate } from './negotiate.js';
import type { ResourceTarget } from './paths.js';
import { listJson, objectBytes } from './serialize.js';
import { parseIncludeObject, scaleTableJson, tableJson } from './table-output.js';
import { streamWatch } from './watch-stream.js';
import { validateWriteOptions, type WriteVerb } from './write-options.js';

export interface RestDeps {
  registry: Registry;
  clock: Clock;
  /** Finds duplicate keys in a JSON body, for fieldValidation (from the schema layer). */
  findDuplicateFields?: (json: string, parsed: unknown) => string[];
  bookmarkIntervalMs: number;
  /** Upper bound of a watch's life when the client gives no timeoutSeconds (kube's min-request-timeout). */
  defaultWatchTimeoutSeconds: number;
  /** SetListOptionsDefaults serves a watch from "" or "0" as a WatchList (the reported version's default). */
  watchListByDefault?: boolean;
  /** Who makes a request (the reviews answer with it); anonymous without. */
  userOf?: (req: IncomingMessage) => UserInfo;
}

/**
 * What a handler needs of a request beyond its body: the query (first value of each parameter, as
 * kube reads all but dryRun), every dryRun value, and the Warning headers gathered on the way.
 */
interface Call {
  q: Query;
  dryRun: string[];
  warnings: string[];
}

type Query = Record<string, string | undefined>;

/** The query as express's "simple" parser (node:querystring) reads it. */
function callOf(req: IncomingMessage, warnings: string[]): Call {
  const url = req.url ?? '';
  const at = url.indexOf('?');
  const q: Query = {};
  let dryRun: string[] = [];
  if (at < 0) return { q, dryRun, warnings };
  for (const [k, v] of Object.entries(parseQueryString(url.slice(at + 1)))) {
    q[k] = Array.isArray(v) ? v[0] : v;
    if (k === 'dryRun') dryRun = Array.isArray(v) ? v : v === undefined ? [] : [v];
  }
  return { q, dryRun, warnings };
}

function header(req: IncomingMessage, name: 'accept' | 'content-type' | 'user-agent'): string | undefined {
  return req.headers[name];
}

/** Convert_Slice_string_To_bool: present means true, unless it says "0" or "false". */
function bool(v: string | undefined): boolean {
  return v !== undefined && v !== '0' && v.toLowerCase() !== 'false';
}

function int(q: Query, name: string): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${v}`);
  return Number(v);
}

const writeVerbs: Record<string, WriteVerb> = { POST: 'Create', PUT: 'Update', PATCH: 'Patch' };

/** The write's options, validated; a PATCH also passes its type, for the apply-only options. */
function requestContext(req: IncomingMessage, { q, dryRun, warnings }: Call, patchType?: string): RequestContext {
  const fieldValidation = validateWriteOptions(writeVerbs[req.method ?? ''] ?? 'Create', {
    fieldManager: q.fieldManager, fieldValidation: q.fieldValidation, dryRun, forceSent: q.force !== undefined, patchType,
  });
  return { dryRun: dryRun.length > 0, fieldManager: q.fieldManager || managerFromUserAgent(header(req, 'user-agent')), fieldValidation, warnings };
}

/**
 * Writes the status line, headers and body with one end() (Node corks them into one socket write),
 * not through express's send(), whose helpers cost more than a GET itself (docs/performance.md).
 */
export function writeJson(res: ServerResponse, code: number, body: string | Buffer): void {
  res.statusCode = code;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.end(body);
}

/** A Status as the body of an error answer; after the headers have gone, only the end is left to send. */
export function writeStatus(res: ServerResponse, err: StatusError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // ErrorNegotiated: a Status that names a wait says it in the header too
  const wait = err.status.details?.retryAfterSeconds;
  if (wait && wait > 0) res.setHeader('Retry-After', String(wait));
  writeJson(res, err.code, JSON.stringify(err.status));
}

function sendJson(res: ServerResponse, code: number, body: string | Buffer, warnings: string[]): void {
  appendWarnings(res, warnings);
  writeJson(res, code, body);
}

function appendWarnings(res: ServerResponse, warnings: string[]): void {
  for (const w of warnings) res.appendHeader('Warning', `299 - ${JSON.stringify(w)}`);
}

function listOptions(q: Query): ListOptions {
  return {
    labelSelector: q.labelSelector,
    fieldSelector: q.fieldSelector,
    limit: int(q, 'limit'),
    continue: q.continue,
    resourceVersion: q.resourceVersion,
    resourceVersionMatch: q.resourceVersionMatch,
  };
}

/** The subresources rest.ts answers itself; others (pods/exec, pods/log, ...) have a SubresourceHandler. */
export function isBuiltInSubresource(target: ResourceTarget): boolean {
  const { subresource } = target;
  return subresource === undefined || subresource === 'status' || subresource === 'scale' || (subresource === 'finalize' && !!target.ref.info.finalizeSubresource) ||
    !!ownSubresource(target);
}

/** A subresource the kind declares with its own update strategy (pods/ephemeralcontainers). */
function ownSubresource(target: ResourceTarget): string | undefined {
  const { subresource } = target;
  return subresource && Object.hasOwn(target.ref.info.updateSubresources ?? {}, subresource) ? subresource : undefined;
}

/** The subresource a PUT or PATCH writes through; scale has its own path. */
function writeSubresource(target: ResourceTarget, ...generic: string[]): string | undefined {
  return generic.includes(target.subresource ?? '') ? target.subresource : ownSubresource(target);
}

/** The verb each method asks for on a collection and on a named object, as kube's installer routes them. */
const collectionVerbs: Record<string, string[]> = { GET: ['list', 'watch'], POST: ['create'], DELETE: ['deletecollection'] };
const itemVerbs: Record<string, string[]> = { GET: ['get'], PUT: ['update'], PATCH: ['patch'], DELETE: ['delete'] };

/**
 * For a kind that serves some verbs only: no route at all for the path is a 404, a route for
 * other methods a 405, as go-restful answers them.
 */
function checkVerb(method: string, target: ResourceTarget, verbs: string[]): void {
  const routes = target.name && !target.watchPath ? itemVerbs : target.watchPath ? { GET: ['watch'] } : collectionVerbs;
  const served = (vs: string[] | undefined): boolean => !!vs?.some((v) => verbs.includes(v));
  if (!Object.values(routes).some(served)) throw pathNotFound();
  if (!served(routes[method])) throw methodNotAllowed();
}

/**
 * One request for a resource or a built-in subresource, on Node's own request and response: express
 * adds nothing these need and cost more than a create (docs/performance.md).
 */
export async function handleResource(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, deps: RestDeps): Promise<void> {
  const { ref, name, subresource } = target;
  const deprecation = ref.info.versions.find((v) => v.name === ref.version)?.deprecationWarning;
  const call = callOf(req, deprecation ? [deprecation] : []);
  if (subresource === 'finalize' && name && ref.info.finalizeSubresource) {
    if (req.method !== 'PUT') throw methodNotAllowed();
    return update(req, res, target, deps, call);
  }
  const served = subresource === 'scale' ? !!ref.info.scale : subresource === 'status' ? !!ref.info.statusSubresource : subresource !== 'finalize' && isBuiltInSubresource(target);
  if (!served) throw pathNotFound();
  if (!subresource && ref.info.verbs) checkVerb(req.method ?? '', target, ref.info.verbs);
  switch (req.method) {
    case 'GET':
      return name && !target.watchPath ? getOne(req, res, target, deps, call) : getCollection(req, res, target, deps, call);
    case 'POST':
      if (name || subresource) throw methodNotAllowed();
      return create(req, res, target, deps, call);
    case 'PUT':
      if (!name) throw methodNotAllowed();
      return update(req, res, target, deps, call);
    case 'PATCH':
      if (!name) throw methodNotAllowed();
      return patch(req, res, target, deps, call);
    case 'DELETE':
      if (subresource) throw methodNotAllowed();
      return name ? deleteOne(req, res, target, deps, call) : deleteCollection(req, res, target, deps, call);
    default:
      throw methodNotAllowed();
  }
}

async function getOne(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, deps: RestDeps, call: Call): Promise<void> {
  const { registry } = deps;
  const { ref } = target;
  const { warnings } = call;
  const rep = negotiate(header(req, 'accept'));
  if (target.subresource === 'scale') {
    const scale = await getScale(registry, ref, target.namespace, target.name!);
    if (rep.kind !== 'table') return sendJson(res, 200, JSON.stringify(scale), warnings);
    const table = scaleTableJson(scale, { version: rep.version, include: parseIncludeObject(call.q.includeObject), now: deps.clock.now(), listMeta: { resourceVersion: scale.metadata.resourceVersion } });
    return sendJson(res, 200, table, warnings);
  }
  const obj = await registry.get(ref, target.namespace, target.name!);
  if (rep.kind === 'table') {
    const table = tableJson(registry, ref, [obj], { version: rep.version, include: parseIncludeObject(call.q.includeObject), now: deps.clock.now(), listMeta: { resourceVersion: obj.metadata.resourceVersion } });
    return sendJson(res, 200, table, warnings);
  }
  sendJson(res, 200, objectBytes(registry, ref, obj), warnings);
}

async function getCollection(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, deps: RestDeps, { q, warnings }: Call): Promise<void> {
  const { registry } = deps;
  const { ref } = target;
  const ns = ref.info.namespaced && target.namespaced ? target.namespace : undefined;
  const rep = negotiate(header(req, 'accept'));
  if (bool(q.watch) || target.watchPath) {
    appendWarnings(res, warnings);
    const timeoutSeconds = int(q, 'timeoutSeconds') ?? deps.defaultWatchTimeoutSeconds;
    return streamWatch(registry, deps.clock, ref, ns, res, {
      labelSelector: q.labelSelector,
      fieldSelector: target.name ? namedWatchSelector(target.name, q.fieldSelector) : q.fieldSelector,
      resourceVersion: q.resourceVersion,
      resourceVersionMatch: q.resourceVersionMatch,
      sendInitialEvents: sendsInitialEvents(q, deps),
      allowWatchBookmarks: bool(q.allowWatchBookmarks),
      timeoutSeconds: timeoutSeconds > 0 ? timeoutSeconds : deps.defaultWatchTimeoutSeconds,
      bookmarkIntervalMs: deps.bookmarkIntervalMs,
      representation: rep,
      include: parseIncludeObject(q.includeObject),
    });
  }
  const page = await registry.list(ref, ns, listOptions(q));
  const listMeta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) listMeta.continue = page.continue;
  if (page.remainingItemCount !== undefined) listMeta.remainingItemCount = page.remainingItemCount;
  if (rep.kind === 'table') {
    return sendJson(res, 200, tableJson(registry, ref, page.items, { version: rep.version, include: parseIncludeObject(q.includeObject), now: deps.clock.now(), listMeta }), warnings);
  }
  sendJson(res, 200, listJson(ref, page.items, listMeta), warnings);
}

/** Keys the JSON body repeats; `parsed` is what the body parser made of it. */
function bodyDuplicates(deps: RestDeps, raw: Buffer, contentType: string | undefined, parsed: unknown): string[] {
  if (!deps.findDuplicateFields) return [];
  const type = (contentType ?? '').split(';')[0].trim();
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) return [];
  return deps.findDuplicateFields(raw.toString('utf8'), parsed);
}

async function create(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, deps: RestDeps, call: Call): Promise<void> {
  const rc = { ...requestContext(req, call), user: deps.userOf?.(req) };
  const raw = await readBody(req);
  const body = parseObjectBody(raw, header(req, 'content-type'));
  rc.duplicateFields = bodyDuplicates(deps, raw, header(req, 'content-type'), body);
  const created = await deps.registry.create(target.ref, target.namespace, body, rc);
  sendJson(res, 201, objectBytes(deps.registry, target.ref, created), call.warnings);
}

async function update(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, deps: RestDeps, call: Call): Promise<void> {
  const { registry } = deps;
  const { warnings } = call;
  const rc = requestContext(req, call);
  const raw = await readBody(req);
  const body = parseObjectBody(raw, header(req, 'content-type'));
  rc.duplicateFields = bodyDuplicates(deps, raw, header(req, 'content-type'), body);
  if (target.subresource === 'scale') {
    return sendJson(res, 200, JSON.stringify(await updateScale(registry, target.ref, target.namespace, target.name!, body, rc)), warnings);
  }
  const sub = writeSubresource(target, 'status', 'finalize');
  const { object, created } = await registry.replace(target.ref, target.namespace, target.name!, body, rc, sub);
  sendJson(res, created ? 201 : 200, objectBytes(registry, target.ref, object), warnings);
}

async function patch(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, deps: RestDeps, call: Call): Promise<void> {
  const { registry } = deps;
  const { q, warnings } = call;
  const raw = await readBody(req);
  const { patchType, body } = parsePatchBody(raw, header(req, 'content-type'));
  const rc = { ...requestContext(req, call, patchType), force: bool(q.force) };
  rc.duplicateFields = bodyDuplicates(deps, raw, header(req, 'content-type'), body);
  if (target.subresource === 'scale') {
    const current = await getScale(registry, target.ref, target.namespace, target.name!);
    const patcher = registry.patchWith;
    // The patch applies to the autoscaling/v1 Scale view, not to the object behind it.
    const scaleRef = { info: { ...target.ref.info, group: 'autoscaling', kind: 'Scale', statusSubresource: false }, version: 'v1' };
    const patched = patcher({ ref: scaleRef, patchType, current: current as unknown as KubeObject, body, manager: rc.fieldManager ?? 'unknown', force: rc.force, now: deps.clock.now(), subresource: 'scale' });
    const scale = await updateScale(registry, target.ref, target.namespace, target.name!, patched, rc);
    return sendJson(res, 200, JSON.stringify(scale), warnings);
  }
  const sub = writeSubresource(target, 'status');
  const { object, created } = await registry.patch(target.ref, target.namespace, target.name!, patchType, body, rc, sub);
  sendJson(res, created ? 201 : 200, objectBytes(registry, target.ref, object), warnings);
}

/**
 * SetListOptionsDefaults with WatchList on: a ?watch from "" or "0" that names neither
 * sendInitialEvents nor resourceVersionMatch is a WatchList, so with bookmarks its initial events end
 * with the annotated bookmark. The deprecated /watch/ paths are not ?watch and keep the old way.
 */
function sendsInitialEvents(q: Query, deps: RestDeps): boolean {
  if (q.sendInitialEvents !== undefined) return bool(q.sendInitialEvents);
  const legacy = !q.resourceVersion || q.resourceVersion === '0';
  return !!deps.watchListByDefault && bool(q.watch) && legacy && q.resourceVersionMatch === undefined;
}

/**
 * The deprecated /watch/.../{name} path watches that one object, as a metadata.name field selector;
 * a selector the client sends must name the same object.
 */
function namedWatchSelector(name: string, sent: string | undefined): string {
  if (!sent) return `metadata.name=${name}`;
  const pinned = parseFieldSelector(sent).find((r) => r.field === 'metadata.name' && r.op === '=');
  if (pinned?.value !== name) throw badRequest("fieldSelector metadata.name doesn't match requested name");
  return sent;
}

/**
 * DeleteOptions from the body when there is one, else from the query (kube reads one or the other),
 * and the context of the delete: a dry run is asked for in DeleteOptions, wherever it came from.
 */
async function deleteRequest(req: IncomingMessage, { q, dryRun, warnings }: Call): Promise<{ options: DeleteOptions; rc: RequestContext }> {
  const raw = await readBody(req);
  const asked = raw.length
    ? deleteOptionsFromBody(parseDeleteBody(raw, header(req, 'content-type')))
    : deleteOptionsFromQuery({
      gracePeriodSeconds: int(q, 'gracePeriodSeconds'),
      propagationPolicy: q.propagationPolicy || undefined,
      orphanDependents: q.orphanDependents === undefined ? undefined : bool(q.orphanDependents),
      dryRun,
    });
  return { options: asked.options, rc: { dryRun: asked.dryRun, fieldManager: managerFromUserAgent(header(req, 'user-agent')), warnings } };
}

async function deleteOne(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, deps: RestDeps, call: Call): Promise<void> {
  const { registry } = deps;
  const { options, rc } = await deleteRequest(req, call);
  const { warnings } = call;
  const { object, removed } = await registry.delete(target.ref, target.namespace, target.name!, options, rc);
  const accepted = !removed && options.orphanDependents === false;
  if (removed && !target.ref.info.strategy.returnDeletedObject) {
    const status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: { name: object.metadata.name, ...(target.ref.info.group ? { group: target.ref.info.group } : {}), kind: target.ref.info.resource, uid: object.metadata.uid },
    };
    return sendJson(res, 200, JSON.stringify(status), warnings);
  }
  sendJson(res, accepted ? 202 : 200, objectBytes(registry, target.ref, object), warnings);
}

async function deleteCollection(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, deps: RestDeps, call: Call): Promise<void> {
  const { registry } = deps;
  const { ref } = target;
  const { q, warnings } = call;
  const { options, rc } = await deleteRequest(req, call);
  const ns = ref.info.namespaced && target.namespaced ? target.namespace : undefined;
  const deleted = await registry.deleteCollection(ref, ns, listOptions(q), options, rc);
  sendJson(res, 200, listJson(ref, deleted, { resourceVersion: String(registry.storage.currentResourceVersion()) }), warnings);
}
