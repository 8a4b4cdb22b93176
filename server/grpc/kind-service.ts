import type { Metadata, ServerUnaryCall, ServerWritableStream, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import { badRequest } from '../meta/errors.js';
import { isPlainObject, type KubeObject } from '../meta/types.js';
import type { Registry, RegistryWatchEvent, RequestContext } from '../registry/generic.js';
import { applyPatchType } from '../registry/generic.js';
import type { ResourceRef } from '../registry/resource.js';
import { getScale, updateScale } from '../registry/scale.js';
import { managerFromUserAgent } from '../registry/patch/index.js';
import { parsePatchBody } from '../api/body.js';
import { deleteOptionsFromBody } from '../api/delete-options.js';
import { validateWriteOptions, type WriteVerb } from '../api/write-options.js';
import { fromProto, toProto } from './convert.js';
import type { KindService } from './gen/kinds.js';
import {
  PatchType, type DeleteRequest, type GetRequest, type ListRequest, type PatchRequest, type ScaleUpdateRequest, type WatchRequest,
} from './gen/kubemock/v1/services.js';
import { toServiceError } from './status.js';

/** What every kind's handlers share: the registry and how often idle watches get a BOOKMARK. */
export interface KindServiceDeps {
  registry: Registry;
  bookmarkIntervalMs: number;
}

/** The fields Create/Update/UpdateStatus requests have in common, after conversion to JSON. */
interface WriteRequest {
  namespace?: string;
  name?: string;
  object?: unknown;
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: string;
}

const patchContentTypes: Record<number, string> = {
  [PatchType.PATCH_TYPE_JSON]: 'application/json-patch+json',
  [PatchType.PATCH_TYPE_MERGE]: 'application/merge-patch+json',
  [PatchType.PATCH_TYPE_STRATEGIC_MERGE]: 'application/strategic-merge-patch+json',
  [PatchType.PATCH_TYPE_APPLY]: applyPatchType,
};

/**
 * Stored objects never change in place (every write stores a new object), so their proto form is
 * cached by identity, as api/serialize.ts caches their JSON: a Get converts an object version once
 * rather than per call, and one event reaching many watchers is converted once. The message type
 * is kept beside it because a stored object is presented through its kind's one served message.
 */
const protoCache = new WeakMap<KubeObject, { msg: string; proto: Record<string, unknown> }>();

function presentProto(msg: string, ref: ResourceRef, registry: KindServiceDeps['registry'], stored: KubeObject): Record<string, unknown> {
  const hit = protoCache.get(stored);
  if (hit?.msg === msg) return hit.proto;
  const proto = toProto(msg, registry.present(ref, stored));
  protoCache.set(stored, { msg, proto });
  return proto;
}

/**
 * The handlers of one kind's service over the shared Registry: the same pipeline as REST, with
 * requests and responses converted between proto and Kubernetes JSON by the descriptor walk.
 */
export function kindServiceImplementation(row: KindService, deps: KindServiceDeps): UntypedServiceImplementation {
  const { registry } = deps;
  const ref: ResourceRef = registry.ref(row.group, row.resource);
  if (ref.version !== row.version) throw new Error(`${row.serviceName}: registry serves ${ref.version}, proto has ${row.version}`);
  const msg = row.message;
  const present = (o: KubeObject): Record<string, unknown> => presentProto(msg, ref, registry, o);
  const ns = (namespace: string | undefined): string => (row.namespaced ? namespace || 'default' : '');

  const impl: UntypedServiceImplementation = {
    get: unary<GetRequest>(async (req) => present(await registry.get(ref, ns(req.namespace), req.name))),

    list: unary<ListRequest>(async (req) => {
      const page = await registry.list(ref, row.namespaced && req.namespace ? req.namespace : undefined, {
        labelSelector: req.labelSelector || undefined,
        fieldSelector: req.fieldSelector || undefined,
        limit: req.limit || undefined,
        continue: req.continue || undefined,
        resourceVersion: req.resourceVersion || undefined,
        resourceVersionMatch: req.resourceVersionMatch || undefined,
      });
      const list = {
        apiVersion: row.group ? `${row.group}/${row.version}` : row.version,
        kind: `${row.kind}List`,
        metadata: { resourceVersion: page.resourceVersion, continue: page.continue, remainingItemCount: page.remainingItemCount },
        items: page.items.map((o) => registry.present(ref, o)),
      };
      return toProto(`${msg}List`, list);
    }),

    watch: (call: ServerWritableStream<WatchRequest, unknown>) => watch(call, row, ref, deps),

    create: unary<unknown>(async (raw, md) => {
      const req = fromProto(`${msg}CreateRequest`, raw) as WriteRequest;
      const rc = requestContext('Create', req, md);
      const body = req.object ?? {};
      const namespace = ns(req.namespace || namespaceOf(body));
      return present(await registry.create(ref, namespace, body, rc));
    }),

    update: unary<unknown>(async (raw, md) => write(raw, md, undefined)),

    patch: unary<PatchRequest>(async (req, md) => present(await patch(req, md, undefined))),

    delete: unary<DeleteRequest>(async (req, md) => {
      const { options, dryRun } = deleteOptionsFromBody(req.options ? fromProto('kubemock.v1.DeleteOptions', req.options) : {});
      const rc: RequestContext = { dryRun, fieldManager: managerOf(md), warnings: [] };
      const { object, removed } = await registry.delete(ref, ns(req.namespace), req.name, options, rc);
      return { object: present(object), removed };
    }),
  };

  async function write(raw: unknown, md: Metadata, subresource: string | undefined): Promise<Record<string, unknown>> {
    const req = fromProto(`${msg}UpdateRequest`, raw) as WriteRequest;
    const sent = isPlainObject(req.object) ? req.object : {};
    const name = req.name || nameOf(sent);
    // the request's name stands for the URL's, so the object may leave it out (checkName would refuse that over REST)
    const metadata = isPlainObject(sent.metadata) ? sent.metadata : {};
    const body = metadata.name ? sent : { ...sent, metadata: { ...metadata, name } };
    return present((await registry.replace(ref, ns(req.namespace || namespaceOf(body)), name, body, requestContext('Update', req, md), subresource)).object);
  }

  async function patch(req: PatchRequest, md: Metadata, subresource: string | undefined): Promise<KubeObject> {
    const { patchType, body, rc } = decodePatch(req, md);
    return (await registry.patch(ref, ns(req.namespace), req.name, patchType, body, rc, subresource)).object;
  }

  if (row.status) {
    impl.updateStatus = unary<unknown>(async (raw, md) => write(raw, md, 'status'));
    impl.patchStatus = unary<PatchRequest>(async (req, md) => present(await patch(req, md, 'status')));
  }
  // UpdateEphemeralContainers and PatchEphemeralContainers, as the REST subresource (grpc-js names methods in lower camel case)
  for (const [sub, goName] of row.subresources) {
    impl[`update${goName}`] = unary<unknown>(async (raw, md) => write(raw, md, sub));
    impl[`patch${goName}`] = unary<PatchRequest>(async (req, md) => present(await patch(req, md, sub)));
  }
  if (row.scale) {
    const scaleMsg = 'kubemock.v1.Scale';
    impl.getScale = unary<GetRequest>(async (req) => toProto(scaleMsg, await getScale(registry, ref, ns(req.namespace), req.name)));
    impl.updateScale = unary<ScaleUpdateRequest>(async (req, md) => {
      const body = req.object ? fromProto(scaleMsg, req.object) : {};
      const rc: RequestContext = { dryRun: req.dryRun, fieldManager: req.fieldManager || managerOf(md), warnings: [] };
      return toProto(scaleMsg, await updateScale(registry, ref, ns(req.namespace), req.name, body, rc));
    });
    impl.patchScale = unary<PatchRequest>(async (req, md) => {
      const { patchType, body, rc } = decodePatch(req, md);
      const namespace = ns(req.namespace);
      const current = await getScale(registry, ref, namespace, req.name);
      // the patch applies to the autoscaling/v1 Scale view, not to the object behind it (as REST)
      const scaleRef = { info: { ...ref.info, group: 'autoscaling', kind: 'Scale', statusSubresource: false }, version: 'v1' };
      const patched = registry.patchWith({
        ref: scaleRef, patchType, current: current as unknown as KubeObject, body, manager: rc.fieldManager ?? 'unknown', force: !!rc.force, now: registry.clock.now(), subresource: 'scale',
      });
      return toProto(scaleMsg, await updateScale(registry, ref, namespace, req.name, patched, rc));
    });
  }
  return impl;
}

/** Wraps an async handler: results go to the callback, thrown errors become gRPC status codes. */
function unary<Req>(fn: (req: Req, md: Metadata) => Promise<unknown>) {
  return (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>): void => {
    fn(call.request, call.metadata).then((res) => callback(null, res), (e: unknown) => callback(toServiceError(e)));
  };
}

function namespaceOf(body: unknown): string {
  const meta = isPlainObject(body) && isPlainObject(body.metadata) ? body.metadata : {};
  return typeof meta.namespace === 'string' ? meta.namespace : '';
}

function nameOf(body: unknown): string {
  const meta = isPlainObject(body) && isPlainObject(body.metadata) ? body.metadata : {};
  if (typeof meta.name !== 'string' || !meta.name) throw badRequest('name is required: set it on the request or in object.metadata.name');
  return meta.name;
}

/**
 * Without a fieldManager, kube names the manager after the user agent's program, as REST does; grpc-js
 * sends "<primary agent> grpc-node-js/<version>", so the program is the first word.
 */
function managerOf(md: Metadata): string {
  const ua = md.get('user-agent')[0];
  return managerFromUserAgent(typeof ua === 'string' ? ua.split(' ')[0] : undefined);
}

/** The same option checks as REST: one 422 on the verb's options kind. */
function requestContext(verb: WriteVerb, req: { dryRun?: boolean; fieldManager?: string; fieldValidation?: string; force?: boolean }, md: Metadata, patchType?: string): RequestContext {
  const fieldValidation = validateWriteOptions(verb, {
    fieldManager: req.fieldManager || undefined, fieldValidation: req.fieldValidation || undefined, dryRun: req.dryRun ? ['All'] : [], forceSent: req.force !== undefined, patchType,
  });
  return { dryRun: !!req.dryRun, fieldManager: req.fieldManager || managerOf(md), fieldValidation, warnings: [] };
}

/** The same checks and body decoding as a REST PATCH with the matching Content-Type. */
function decodePatch(req: PatchRequest, md: Metadata): { patchType: string; body: unknown; rc: RequestContext & { force?: boolean } } {
  const contentType = patchContentTypes[req.patchType];
  if (!contentType) throw badRequest(`patchType is required: one of PATCH_TYPE_JSON, PATCH_TYPE_MERGE, PATCH_TYPE_STRATEGIC_MERGE, PATCH_TYPE_APPLY`);
  const rc = requestContext('Patch', req, md, contentType);
  const raw = req.bodyBytes.length ? Buffer.from(req.bodyBytes) : Buffer.from(req.body, 'utf8');
  const { patchType, body } = parsePatchBody(raw, contentType);
  return { patchType, body, rc: { ...rc, force: !!req.force } };
}

/**
 * A server-streaming watch: ADDED/MODIFIED/DELETED as the registry reports them, BOOKMARKs (an
 * object holding only metadata.resourceVersion) when asked for, and a terminal ERROR event with
 * the Status when the watch breaks, as the REST watch stream does.
 */
function watch(call: ServerWritableStream<WatchRequest, unknown>, row: KindService, ref: ResourceRef, deps: KindServiceDeps): void {
  const { registry } = deps;
  const req = call.request;
  const apiVersion = row.group ? `${row.group}/${row.version}` : row.version;
  let closed = false;
  const timers: { cancel(): void }[] = [];
  const send = (type: string, object: unknown, status?: unknown): void => {
    if (!closed) call.write({ type, object, status });
  };
  const bookmark = (rv: string, initialEventsEnd = false): void => send('BOOKMARK', toProto(row.message, {
    kind: row.kind, apiVersion,
    metadata: { resourceVersion: rv, ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
  }));
  const onEvent = (e: RegistryWatchEvent): void => {
    try {
      switch (e.type) {
        case 'BOOKMARK':
          bookmark(e.resourceVersion, e.initialEventsEnd);
          return;
        case 'ERROR':
          send('ERROR', undefined, toProto('kubemock.v1.Status', e.error.status));
          finish();
          return;
        default:
          send(e.type, presentProto(row.message, ref, registry, e.object));
      }
    } catch (err) {
      fail(err);
    }
  };
  let handle: { stop(): void } | undefined;
  function finish(): void {
    if (closed) return;
    closed = true;
    handle?.stop();
    for (const t of timers) t.cancel();
    call.end();
  }
  function fail(err: unknown): void {
    if (closed) return;
    closed = true;
    handle?.stop();
    for (const t of timers) t.cancel();
    call.emit('error', toServiceError(err));
  }
  call.on('cancelled', () => {
    closed = true;
    handle?.stop();
    for (const t of timers) t.cancel();
  });
  try {
    handle = registry.watch(ref, row.namespaced && req.namespace ? req.namespace : undefined, {
      labelSelector: req.labelSelector || undefined,
      fieldSelector: req.fieldSelector || undefined,
      resourceVersion: req.resourceVersion || undefined,
      resourceVersionMatch: req.resourceVersionMatch || undefined,
      sendInitialEvents: req.sendInitialEvents,
      allowWatchBookmarks: req.allowWatchBookmarks,
      bookmarkIntervalMs: deps.bookmarkIntervalMs,
    }, onEvent);
  } catch (err) {
    fail(err);
    return;
  }
  if (closed) handle.stop();
  if (req.timeoutSeconds > 0) timers.push(registry.clock.setTimer(req.timeoutSeconds * 1000, finish));
}
