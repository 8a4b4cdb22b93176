import type { ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { Clock } from '../meta/clock.js';
import { badRequest, methodNotAllowed, notFound, StatusError } from '../meta/errors.js';
import { isPlainObject, type KubeObject } from '../meta/types.js';
import type { DeleteOptions, FieldValidation, ListOptions, Registry, RequestContext } from '../registry/generic.js';
import { applyPatchType, gr } from '../registry/generic.js';
import { getScale, updateScale } from '../registry/scale.js';
import type { PropagationPolicy } from '../registry/strategy.js';
import { parseDeleteBody, parseObjectBody, parsePatchBody, readBody } from './body.js';
import { negotiate } from './negotiate.js';
import type { ResourceTarget } from './paths.js';
import { listJson, objectBytes } from './serialize.js';
import { parseIncludeObject, tableJson } from './table-output.js';
import { streamWatch } from './watch-stream.js';

/** A handler for a subresource the api layer does not implement itself (pods/log, exec, ...). */
export type SubresourceHandler = (req: Request, res: Response, target: ResourceTarget) => Promise<void> | void;

export interface RestDeps {
  registry: Registry;
  clock: Clock;
  subresources: Record<string, SubresourceHandler>;
  /** Finds duplicate keys in a JSON body, for fieldValidation (from the schema layer). */
  findDuplicateFields?: (json: string) => string[];
  bookmarkIntervalMs: number;
  /** Upper bound of a watch's life when the client gives no timeoutSeconds (kube's min-request-timeout). */
  defaultWatchTimeoutSeconds: number;
}

type Query = Record<string, string | undefined>;

function queryOf(req: Request): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries(req.query)) out[k] = Array.isArray(v) ? String(v[0]) : typeof v === 'string' ? v : undefined;
  return out;
}

function bool(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

function int(q: Query, name: string): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${v}`);
  return Number(v);
}

function requestContext(req: Request, q: Query, warnings: string[]): RequestContext {
  const dryRun = req.query.dryRun;
  const values = dryRun === undefined ? [] : (Array.isArray(dryRun) ? dryRun : [dryRun]).map(String);
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: ${v}: Unsupported value: "${v}": supported values: "All"`);
  const fv = q.fieldValidation;
  if (fv !== undefined && fv !== '' && !['Strict', 'Warn', 'Ignore'].includes(fv)) {
    throw badRequest(`fieldValidation must be one of Strict, Warn, or Ignore; got ${fv}`);
  }
  const manager = q.fieldManager;
  if (manager !== undefined && manager.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
  return {
    dryRun: values.length > 0,
    fieldManager: manager || managerFromUserAgent(req.get('user-agent')),
    fieldValidation: (fv || 'Warn') as FieldValidation,
    warnings,
  };
}

/** Without ?fieldManager, kube names the manager after the user agent's program name. */
function managerFromUserAgent(ua: string | undefined): string {
  return (ua ?? 'unknown').split('/')[0].slice(0, 128) || 'unknown';
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

function sendJson(res: Response, code: number, body: string | Buffer, warnings: string[] = []): void {
  for (const w of warnings) res.append('Warning', `299 - ${JSON.stringify(w)}`);
  writeJson(res, code, body);
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

export async function handleResource(req: Request, res: Response, target: ResourceTarget, deps: RestDeps, warnings: string[]): Promise<void> {
  const { ref, name, subresource } = target;
  const ns = ref.info.namespaced ? target.namespace : '';
  if (subresource === 'finalize' && ref.info.finalizeSubresource && name && req.method === 'PUT') {
    return update(req, res, target, deps, warnings);
  }
  if (subresource && subresource !== 'status' && subresource !== 'scale') {
    const handler = deps.subresources[`${ref.info.resource}/${subresource}`];
    if (!handler || !name) throw notFound(gr(ref), name ?? '');
    return handler(req, res, target);
  }
  if (subresource === 'scale' && !ref.info.scale) throw notFound(gr(ref), name ?? '');
  if (subresource === 'status' && !ref.info.statusSubresource) throw notFound(gr(ref), name ?? '');
  switch (req.method) {
    case 'GET':
      return name ? getOne(req, res, target, deps, warnings) : getCollection(req, res, target, deps, warnings);
    case 'POST':
      if (name) throw methodNotAllowed();
      return create(req, res, target, deps, warnings);
    case 'PUT':
      if (!name) throw methodNotAllowed();
      return update(req, res, target, deps, warnings);
    case 'PATCH':
      if (!name) throw methodNotAllowed();
      return patch(req, res, target, deps, warnings);
    case 'DELETE':
      if (subresource) throw methodNotAllowed();
      return name ? deleteOne(req, res, target, deps, warnings) : deleteCollection(req, res, target, deps, warnings, ns);
    default:
      throw methodNotAllowed();
  }
}

async function getOne(req: Request, res: Response, target: ResourceTarget, deps: RestDeps, warnings: string[]): Promise<void> {
  const { registry } = deps;
  const { ref } = target;
  if (target.subresource === 'scale') {
    return sendJson(res, 200, JSON.stringify(await getScale(registry, ref, target.namespace, target.name!)), warnings);
  }
  const obj = await registry.get(ref, target.namespace, target.name!);
  const rep = negotiate(req.get('accept'));
  if (rep.kind === 'table') {
    const table = tableJson(registry, ref, [obj], { version: rep.version, include: parseIncludeObject(queryOf(req).includeObject), now: deps.clock.now(), listMeta: { resourceVersion: obj.metadata.resourceVersion } });
    return sendJson(res, 200, table, warnings);
  }
  sendJson(res, 200, objectBytes(registry, ref, obj), warnings);
}

async function getCollection(req: Request, res: Response, target: ResourceTarget, deps: RestDeps, warnings: string[]): Promise<void> {
  const { registry } = deps;
  const { ref } = target;
  const q = queryOf(req);
  const ns = ref.info.namespaced && target.namespaced ? target.namespace : undefined;
  const rep = negotiate(req.get('accept'));
  if (bool(q.watch) || target.watchPath) {
    for (const w of warnings) res.append('Warning', `299 - ${JSON.stringify(w)}`);
    const timeoutSeconds = int(q, 'timeoutSeconds') ?? deps.defaultWatchTimeoutSeconds;
    return streamWatch(registry, deps.clock, ref, ns, res, {
      labelSelector: q.labelSelector,
      fieldSelector: q.fieldSelector,
      resourceVersion: q.resourceVersion,
      resourceVersionMatch: q.resourceVersionMatch,
      sendInitialEvents: bool(q.sendInitialEvents),
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

async function bodyDuplicates(deps: RestDeps, raw: Buffer, contentType: string | undefined): Promise<string[]> {
  if (!deps.findDuplicateFields) return [];
  const type = (contentType ?? '').split(';')[0].trim();
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) return [];
  return deps.findDuplicateFields(raw.toString('utf8'));
}

async function create(req: Request, res: Response, target: ResourceTarget, deps: RestDeps, warnings: string[]): Promise<void> {
  const q = queryOf(req);
  const rc = requestContext(req, q, warnings);
  const raw = await readBody(req);
  const body = parseObjectBody(raw, req.get('content-type'));
  rc.duplicateFields = await bodyDuplicates(deps, raw, req.get('content-type'));
  const created = await deps.registry.create(target.ref, target.namespace, body, rc);
  sendJson(res, 201, objectBytes(deps.registry, target.ref, created), warnings);
}

async function update(req: Request, res: Response, target: ResourceTarget, deps: RestDeps, warnings: string[]): Promise<void> {
  const { registry } = deps;
  const q = queryOf(req);
  const rc = requestContext(req, q, warnings);
  const raw = await readBody(req);
  const body = parseObjectBody(raw, req.get('content-type'));
  rc.duplicateFields = await bodyDuplicates(deps, raw, req.get('content-type'));
  if (target.subresource === 'scale') {
    return sendJson(res, 200, JSON.stringify(await updateScale(registry, target.ref, target.namespace, target.name!, body, rc)), warnings);
  }
  const sub = target.subresource === 'status' || target.subresource === 'finalize' ? target.subresource : undefined;
  const updated = await registry.update(target.ref, target.namespace, target.name!, body, rc, sub);
  sendJson(res, 200, objectBytes(registry, target.ref, updated), warnings);
}

async function patch(req: Request, res: Response, target: ResourceTarget, deps: RestDeps, warnings: string[]): Promise<void> {
  const { registry } = deps;
  const q = queryOf(req);
  const rc = { ...requestContext(req, q, warnings), force: bool(q.force) };
  const raw = await readBody(req);
  const { patchType, body } = parsePatchBody(raw, req.get('content-type'));
  if (patchType === applyPatchType && !q.fieldManager) {
    throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  }
  if (patchType !== applyPatchType && q.force !== undefined) {
    throw badRequest('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  }
  rc.duplicateFields = await bodyDuplicates(deps, raw, req.get('content-type'));
  if (target.subresource === 'scale') {
    const current = await getScale(registry, target.ref, target.namespace, target.name!);
    const patcher = registry.patchWith;
    // The patch applies to the autoscaling/v1 Scale view, not to the object behind it.
    const scaleRef = { info: { ...target.ref.info, group: 'autoscaling', kind: 'Scale', statusSubresource: false }, version: 'v1' };
    const patched = patcher({ ref: scaleRef, patchType, current: current as unknown as KubeObject, body, manager: rc.fieldManager ?? 'unknown', force: rc.force, now: deps.clock.now(), subresource: 'scale' });
    const scale = await updateScale(registry, target.ref, target.namespace, target.name!, patched, rc);
    return sendJson(res, 200, JSON.stringify(scale), warnings);
  }
  const sub = target.subresource === 'status' ? 'status' : undefined;
  const { object, created } = await registry.patch(target.ref, target.namespace, target.name!, patchType, body, rc, sub);
  sendJson(res, created ? 201 : 200, objectBytes(registry, target.ref, object), warnings);
}

function deleteOptions(q: Query, body: unknown): DeleteOptions {
  const o: DeleteOptions = {};
  if (isPlainObject(body)) {
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${String(body.kind)}`);
    if (typeof body.gracePeriodSeconds === 'number') o.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === 'string') o.propagationPolicy = body.propagationPolicy as PropagationPolicy;
    if (typeof body.orphanDependents === 'boolean') o.orphanDependents = body.orphanDependents;
    if (isPlainObject(body.preconditions)) {
      const p = body.preconditions;
      o.preconditions = { uid: typeof p.uid === 'string' ? p.uid : undefined, resourceVersion: typeof p.resourceVersion === 'string' ? p.resourceVersion : undefined };
    }
  }
  const grace = int(q, 'gracePeriodSeconds');
  if (grace !== undefined) o.gracePeriodSeconds = grace;
  if (q.propagationPolicy) o.propagationPolicy = q.propagationPolicy as PropagationPolicy;
  if (q.orphanDependents !== undefined) o.orphanDependents = bool(q.orphanDependents);
  if (o.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)) {
    throw new StatusError({ code: 422, reason: 'Invalid', message: `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${o.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`, details: { causes: [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${o.propagationPolicy}"` }] } });
  }
  if (o.propagationPolicy && o.orphanDependents !== undefined) {
    throw new StatusError({ code: 422, reason: 'Invalid', message: 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "' + o.propagationPolicy + '": orphanDependents and deletionPropagation cannot be both set', details: { causes: [{ reason: 'FieldValueInvalid', field: 'propagationPolicy' }] } });
  }
  if (o.gracePeriodSeconds !== undefined && o.gracePeriodSeconds < 0) o.gracePeriodSeconds = 1;
  return o;
}

async function readDeleteBody(req: Request): Promise<unknown> {
  const raw = await readBody(req);
  return raw.length ? parseDeleteBody(raw, req.get('content-type')) : undefined;
}

async function deleteOne(req: Request, res: Response, target: ResourceTarget, deps: RestDeps, warnings: string[]): Promise<void> {
  const { registry } = deps;
  const q = queryOf(req);
  const rc = requestContext(req, q, warnings);
  const options = deleteOptions(q, await readDeleteBody(req));
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

async function deleteCollection(req: Request, res: Response, target: ResourceTarget, deps: RestDeps, warnings: string[], ns: string): Promise<void> {
  const { registry, } = deps;
  const { ref } = target;
  const q = queryOf(req);
  const rc = requestContext(req, q, warnings);
  const options = deleteOptions(q, await readDeleteBody(req));
  const deleted = await registry.deleteCollection(ref, ref.info.namespaced && target.namespaced ? ns : undefined, listOptions(q), options, rc);
  sendJson(res, 200, listJson(ref, deleted, { resourceVersion: String(registry.storage.currentResourceVersion()) }), warnings);
}
