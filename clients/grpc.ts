/**
 * A typed gRPC client for kubemock: Kubernetes objects in and out (kubernetes-types), promise-based
 * calls and async-iterable watches, over the generated kubemock.v1 services.
 *
 *   const km = createKubemockGrpcClient('127.0.0.1:9090');
 *   const sts = await km.statefulSets.create(mySts);
 *   for await (const e of km.pods.watch({ namespace: 'default', labelSelector: 'app=web' })) console.log(e.type, e.object.metadata?.name);
 *   km.close();
 *
 * Errors reject with KubemockGrpcError: the gRPC code plus the Kubernetes Status the server sent.
 */
import { Channel, Client, credentials, Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type {
  ConfigMap, Endpoints, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service, ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { DeleteOptions, ListMeta, Status } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { fromProto, toProto } from '../server/grpc/convert.js';
import { kindServices, type KindService } from '../server/grpc/gen/kinds.js';
import { PatchType } from '../server/grpc/gen/kubemock/v1/services.js';
import { decodeStatusDetails } from '../server/grpc/status.js';

/** The object type behind each client property. */
export interface KindTypes {
  configMaps: ConfigMap;
  controllerRevisions: ControllerRevision;
  endpointSlices: EndpointSlice;
  endpoints: Endpoints;
  events: Event;
  namespaces: Namespace;
  nodes: Node;
  persistentVolumeClaims: PersistentVolumeClaim;
  persistentVolumes: PersistentVolume;
  pods: Pod;
  podDisruptionBudgets: PodDisruptionBudget;
  secrets: Secret;
  serviceAccounts: ServiceAccount;
  services: Service;
  statefulSets: StatefulSet;
  storageClasses: StorageClass;
}

// A compile error here means a service was added to the proto without a typed client property.
const propertyOf: { [S in KindService['serviceName']]: keyof KindTypes } = {
  ConfigMapsService: 'configMaps',
  ControllerRevisionsService: 'controllerRevisions',
  EndpointSlicesService: 'endpointSlices',
  EndpointsService: 'endpoints',
  EventsService: 'events',
  NamespacesService: 'namespaces',
  NodesService: 'nodes',
  PersistentVolumeClaimsService: 'persistentVolumeClaims',
  PersistentVolumesService: 'persistentVolumes',
  PodsService: 'pods',
  PodDisruptionBudgetsService: 'podDisruptionBudgets',
  SecretsService: 'secrets',
  ServiceAccountsService: 'serviceAccounts',
  ServicesService: 'services',
  StatefulSetsService: 'statefulSets',
  StorageClassesService: 'storageClasses',
};

export interface KubeList<T> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type GrpcWatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; status: Status };

export interface Target {
  /** Ignored for cluster-scoped kinds; defaults to the object's namespace, then "default". */
  namespace?: string;
}

export interface WriteOptions extends Target {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface ListOptions extends Target {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions extends Target {
  labelSelector?: string;
  fieldSelector?: string;
  /** Resume after this version; empty replays the current objects as ADDED first. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** Aborting ends the iteration. */
  signal?: AbortSignal;
}

export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends Target {
  fieldManager?: string;
  /** Apply only. */
  force?: boolean;
  dryRun?: boolean;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface KindClient<T> {
  get(name: string, target?: Target): Promise<T>;
  list(opts?: ListOptions): Promise<KubeList<T>>;
  watch(opts?: WatchOptions): AsyncIterable<GrpcWatchEvent<T>>;
  create(obj: T, opts?: WriteOptions): Promise<T>;
  update(obj: T, opts?: WriteOptions): Promise<T>;
  updateStatus(obj: T, opts?: WriteOptions): Promise<T>;
  /** body: a JSON value, or text (YAML is fine for apply). */
  patch(name: string, type: PatchKind, body: unknown, opts?: PatchOptions): Promise<T>;
  patchStatus(name: string, type: PatchKind, body: unknown, opts?: PatchOptions): Promise<T>;
  /** Through a subresource the kind declares (pods: 'ephemeralcontainers', as UpdateEphemeralContainers). */
  updateSubresource(subresource: string, obj: T, opts?: WriteOptions): Promise<T>;
  patchSubresource(subresource: string, name: string, type: PatchKind, body: unknown, opts?: PatchOptions): Promise<T>;
  delete(name: string, opts?: Target & { options?: DeleteOptions }): Promise<{ object: T; removed: boolean }>;
  getScale(name: string, target?: Target): Promise<Scale>;
  updateScale(name: string, replicas: number, opts?: WriteOptions & { resourceVersion?: string }): Promise<Scale>;
  patchScale(name: string, type: PatchKind, body: unknown, opts?: PatchOptions): Promise<Scale>;
}

export type KubemockGrpcClient = { [K in keyof KindTypes]: KindClient<KindTypes[K]> } & {
  /** Closes the shared channel; pending calls fail with CANCELLED. */
  close(): void;
};

/** A failed call: the gRPC code and message, and the Kubernetes Status from the trailer. */
export class KubemockGrpcError extends Error {
  readonly code: number;
  readonly status: Status | undefined;
  readonly metadata: Metadata | undefined;
  constructor(err: Partial<ServiceError> & { message?: string }) {
    super(err.details || err.message || 'gRPC call failed');
    this.name = 'KubemockGrpcError';
    this.code = err.code ?? 2;
    this.metadata = err.metadata;
    this.status = decodeStatusDetails(err.metadata);
  }
}

export interface ClientOptions {
  credentials?: ChannelCredentials;
  /** Sent as the user agent; the server names the field manager after it when none is given. */
  userAgent?: string;
}

export function createKubemockGrpcClient(address: string, opts: ClientOptions = {}): KubemockGrpcClient {
  const channel = new Channel(address, opts.credentials ?? credentials.createInsecure(), {
    'grpc.primary_user_agent': opts.userAgent ?? 'kubemock-grpc-client',
  });
  const out: Partial<Record<keyof KindTypes, KindClient<unknown>>> = {};
  for (const row of kindServices) {
    const client = new Client(address, opts.credentials ?? credentials.createInsecure(), { channelOverride: channel });
    out[propertyOf[row.serviceName]] = kindClient(client, row);
  }
  return { ...(out as { [K in keyof KindTypes]: KindClient<KindTypes[K]> }), close: () => channel.close() };
}

interface MethodDef {
  path: string;
  requestSerialize: (v: never) => Buffer;
  responseDeserialize: (b: Buffer) => unknown;
}

const patchTypes: Record<PatchKind, PatchType> = {
  json: PatchType.PATCH_TYPE_JSON,
  merge: PatchType.PATCH_TYPE_MERGE,
  strategic: PatchType.PATCH_TYPE_STRATEGIC_MERGE,
  apply: PatchType.PATCH_TYPE_APPLY,
};

function kindClient(client: Client, row: KindService): KindClient<unknown> {
  const methods = row.service as unknown as Record<string, MethodDef>;
  const msg = row.message;
  const call = (method: string, req: unknown): Promise<unknown> => {
    const def = methods[method];
    if (!def) return Promise.reject(new KubemockGrpcError({ code: 12, details: `${row.serviceName} has no ${method}` }));
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(def.path, def.requestSerialize as (v: unknown) => Buffer, def.responseDeserialize, req, (err, res) => {
        if (err) reject(new KubemockGrpcError(err));
        else resolve(res);
      });
    });
  };
  const nsOf = (obj: unknown, target?: Target): string => target?.namespace ?? metaOf(obj).namespace ?? '';
  const writeRequest = (obj: unknown, opts: WriteOptions = {}): Record<string, unknown> => ({
    namespace: nsOf(obj, opts), name: metaOf(obj).name ?? '', object: toProto(msg, obj),
    dryRun: !!opts.dryRun, fieldManager: opts.fieldManager ?? '', fieldValidation: opts.fieldValidation ?? '',
  });
  const patchRequest = (name: string, type: PatchKind, body: unknown, opts: PatchOptions = {}): Record<string, unknown> => ({
    namespace: opts.namespace ?? '', name, patchType: patchTypes[type], body: typeof body === 'string' ? body : JSON.stringify(body),
    bodyBytes: new Uint8Array(0), fieldManager: opts.fieldManager ?? '', force: opts.force, dryRun: !!opts.dryRun, fieldValidation: opts.fieldValidation ?? '',
  });
  const obj = (res: unknown): unknown => fromProto(msg, res);
  /** The Go word of a declared subresource: its methods are update<Word> and patch<Word>. */
  const word = (subresource: string): string => (row.subresources as readonly (readonly [string, string])[]).find(([s]) => s === subresource)?.[1] ?? subresource;
  const scale = (res: unknown): Scale => fromProto('kubemock.v1.Scale', res) as Scale;

  return {
    get: async (name, target) => obj(await call('get', { namespace: target?.namespace ?? '', name })),
    list: async (o = {}) => {
      const list = fromProto(`${msg}List`, await call('list', {
        namespace: o.namespace ?? '', labelSelector: o.labelSelector ?? '', fieldSelector: o.fieldSelector ?? '', limit: o.limit ?? 0,
        continue: o.continue ?? '', resourceVersion: o.resourceVersion ?? '', resourceVersionMatch: o.resourceVersionMatch ?? '',
      }));
      // proto cannot tell an empty list from none; a list always has items
      return { ...list, metadata: list.metadata ?? {}, items: list.items ?? [] } as KubeList<unknown>;
    },
    watch: (o = {}) => watch(client, methods.watch, msg, o),
    create: async (o, opts) => {
      const req = writeRequest(o, opts);
      delete req.name;
      return obj(await call('create', req));
    },
    update: async (o, opts) => obj(await call('update', writeRequest(o, opts))),
    updateStatus: async (o, opts) => obj(await call('updateStatus', writeRequest(o, opts))),
    patch: async (name, type, body, opts) => obj(await call('patch', patchRequest(name, type, body, opts))),
    patchStatus: async (name, type, body, opts) => obj(await call('patchStatus', patchRequest(name, type, body, opts))),
    updateSubresource: async (sub, o, opts) => obj(await call(`update${word(sub)}`, writeRequest(o, opts))),
    patchSubresource: async (sub, name, type, body, opts) => obj(await call(`patch${word(sub)}`, patchRequest(name, type, body, opts))),
    delete: async (name, o = {}) => {
      const res = await call('delete', { namespace: o.namespace ?? '', name, options: o.options ? toProto('kubemock.v1.DeleteOptions', o.options) : undefined }) as { object?: unknown; removed: boolean };
      return { object: obj(res.object), removed: res.removed };
    },
    getScale: async (name, target) => scale(await call('getScale', { namespace: target?.namespace ?? '', name })),
    updateScale: async (name, replicas, o = {}) => scale(await call('updateScale', {
      namespace: o.namespace ?? '', name, dryRun: !!o.dryRun, fieldManager: o.fieldManager ?? '',
      object: toProto('kubemock.v1.Scale', { metadata: { name, ...(o.resourceVersion ? { resourceVersion: o.resourceVersion } : {}) }, spec: { replicas } }),
    })),
    patchScale: async (name, type, body, opts) => scale(await call('patchScale', patchRequest(name, type, body, opts))),
  };
}

function metaOf(obj: unknown): { name?: string; namespace?: string } {
  const m = typeof obj === 'object' && obj !== null ? (obj as { metadata?: unknown }).metadata : undefined;
  return typeof m === 'object' && m !== null ? (m as { name?: string; namespace?: string }) : {};
}

/** The server stream as an async iterable; leaving the loop (or the signal) cancels the call. */
async function* watch(client: Client, def: MethodDef, msg: string, o: WatchOptions): AsyncGenerator<GrpcWatchEvent<unknown>> {
  const stream = client.makeServerStreamRequest(def.path, def.requestSerialize as (v: unknown) => Buffer, def.responseDeserialize, {
    namespace: o.namespace ?? '', labelSelector: o.labelSelector ?? '', fieldSelector: o.fieldSelector ?? '',
    resourceVersion: o.resourceVersion ?? '', resourceVersionMatch: '', allowWatchBookmarks: !!o.allowWatchBookmarks,
    sendInitialEvents: !!o.sendInitialEvents, timeoutSeconds: o.timeoutSeconds ?? 0,
  });
  const abort = (): void => stream.cancel();
  o.signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const raw of stream as AsyncIterable<{ type: string; object?: unknown; status?: unknown }>) {
      if (raw.type === 'ERROR') yield { type: 'ERROR', status: fromProto('kubemock.v1.Status', raw.status) as Status };
      else yield { type: raw.type as 'ADDED', object: fromProto(msg, raw.object) };
    }
  } catch (e) {
    const err = e as Partial<ServiceError>;
    if (err.code === 1 && o.signal?.aborted) return; // CANCELLED by our own abort
    throw new KubemockGrpcError(err);
  } finally {
    o.signal?.removeEventListener('abort', abort);
    stream.cancel();
  }
}
