/**
 * kubemock's typed REST client: openapi-fetch over the types generated from openapi/kubemock.json.
 *
 *   const km = createKubemockClient({ baseUrl: 'http://127.0.0.1:8080' });
 *   const sts = await km.GET('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { params: { path: { namespace: 'default', name: 'web' } } });
 *
 * GET/POST/PUT/DELETE return the response body typed by the OpenAPI document and throw KubemockApiError (carrying the
 * Kubernetes Status) when the server answers with an error; `raw` is the plain openapi-fetch client for callers who
 * prefer {data, error, response}.
 */
import createClient, { type Client, type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch';
import type { components, paths } from './generated/kubemock.js';
import { KubemockApiError } from './errors.js';
import type { Patch } from './patches.js';
import { openWatch, type Watch, type WatchOptions } from './watch.js';

export type { components, operations, paths } from './generated/kubemock.js';
export { KubemockApiError, isStatus, type Status } from './errors.js';
export { labelSelector, fromLabelSelector, fieldSelector, type LabelRequirement, type LabelSelectorInput } from './selectors.js';
export {
  mergePatch, strategicMergePatch, jsonPatch, applyPatch, patchContentTypes,
  type Patch, type PatchType, type MergePatchOf, type ApplyConfigurationOf, type JsonPatchOperation,
} from './patches.js';
export type { Watch, WatchEvent, WatchEventType, WatchOptions, BookmarkObject } from './watch.js';

/** Every schema in the document by its OpenAPI name, e.g. Schema<'io.k8s.api.apps.v1.StatefulSet'>. */
export type Schemas = components['schemas'];
export type Schema<Name extends keyof Schemas> = Schemas[Name];

export type Namespace = Schemas['io.k8s.api.core.v1.Namespace'];
export type Pod = Schemas['io.k8s.api.core.v1.Pod'];
export type Service = Schemas['io.k8s.api.core.v1.Service'];
export type Endpoints = Schemas['io.k8s.api.core.v1.Endpoints'];
export type PersistentVolumeClaim = Schemas['io.k8s.api.core.v1.PersistentVolumeClaim'];
export type PersistentVolume = Schemas['io.k8s.api.core.v1.PersistentVolume'];
export type StorageClass = Schemas['io.k8s.api.storage.v1.StorageClass'];
export type StatefulSet = Schemas['io.k8s.api.apps.v1.StatefulSet'];
export type ControllerRevision = Schemas['io.k8s.api.apps.v1.ControllerRevision'];
export type Scale = Schemas['io.k8s.api.autoscaling.v1.Scale'];
export type Event = Schemas['io.k8s.api.core.v1.Event'];

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type Media = `${string}/${string}`;

/** Paths that have an operation for `M`. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P] extends { [K in M]: unknown } ? P : never;
}[keyof paths];

type Operation<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]: infer O extends Record<string | number, unknown> } ? O : never;

type InitArgs<Init> = Record<string, never> extends Init ? [init?: Init] : [init: Init];

/** The success body of `M path` (for instance a StatefulSet for a GET of /statefulsets/{name}). */
export type ResponseOf<P extends keyof paths, M extends Method> = NonNullable<FetchResponse<Operation<P, M>, object, Media>['data']>;

/** The request options (params, body, headers, signal) of `M path`. */
export type RequestOf<P extends keyof paths, M extends Method> = MaybeOptionalInit<paths[P], M>;

type Call<M extends Method> = <P extends PathsWith<M>>(path: P, ...init: InitArgs<RequestOf<P, M>>) => Promise<ResponseOf<P, M>>;

/** Paths whose GET returns a list: the ones that can be watched. */
export type ListPath = {
  [P in PathsWith<'get'>]: ResponseOf<P, 'get'> extends { items: readonly unknown[] } ? P : never;
}[PathsWith<'get'>];

export type ItemOf<P extends ListPath> = ResponseOf<P, 'get'> extends { items: readonly (infer T)[] } ? T : never;

type ParamsOf<P extends keyof paths, M extends Method> = Operation<P, M> extends { parameters: infer Params } ? Params : never;
type PathParamsOf<P extends keyof paths, M extends Method> = ParamsOf<P, M> extends { path: infer X } ? X : never;
type QueryParamsOf<P extends keyof paths, M extends Method> = ParamsOf<P, M> extends { query?: infer X } ? X : never;

export type WatchParams<P extends ListPath> = ([PathParamsOf<P, 'get'>] extends [never] ? { path?: undefined } : { path: PathParamsOf<P, 'get'> }) & {
  query?: Omit<NonNullable<QueryParamsOf<P, 'get'>>, 'watch'>;
};

export type PatchParams<P extends PathsWith<'patch'>> = ([PathParamsOf<P, 'patch'>] extends [never] ? { path?: undefined } : { path: PathParamsOf<P, 'patch'> }) & {
  query?: NonNullable<QueryParamsOf<P, 'patch'>>;
};

export interface KubemockClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one (a recording or mocking fetch in tests). */
  fetch?: typeof fetch;
}

export interface KubemockClient {
  readonly baseUrl: string;
  /** The underlying openapi-fetch client: {data, error, response} with no throwing. */
  readonly raw: Client<paths, Media>;
  GET: Call<'get'>;
  POST: Call<'post'>;
  PUT: Call<'put'>;
  DELETE: Call<'delete'>;
  /** PATCH with a body from mergePatch / strategicMergePatch / jsonPatch / applyPatch and its Content-Type. */
  patch<P extends PathsWith<'patch'>>(path: P, params: PatchParams<P>, patch: Patch<ResponseOf<P, 'patch'>>): Promise<ResponseOf<P, 'patch'>>;
  /** Watches a list path: typed ADDED/MODIFIED/DELETED events; BOOKMARKs keep resourceVersion current; ERROR throws. */
  watch<P extends ListPath>(path: P, params: WatchParams<P>, opts?: WatchOptions): Watch<ItemOf<P>>;
}

function expandPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === '') throw new TypeError(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

interface RawResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

function unwrap(result: RawResult): unknown {
  if (!result.response.ok) throw KubemockApiError.fromBody(result.response.status, result.error, result.response.statusText);
  return result.data;
}

export function createKubemockClient(options: KubemockClientOptions): KubemockClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const raw = createClient<paths, Media>({ baseUrl, headers, fetch: (request: Request) => fetchImpl(request) });

  // openapi-fetch's generic signatures are checked at the public types above; inside, the calls are untyped.
  type Untyped = (path: string, init?: object) => Promise<RawResult>;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH') => {
    const fn = raw[method] as unknown as Untyped;
    return async (path: string, init?: object): Promise<unknown> => unwrap(await fn(path, init));
  };

  return {
    baseUrl,
    raw,
    GET: call('GET') as Call<'get'>,
    POST: call('POST') as Call<'post'>,
    PUT: call('PUT') as Call<'put'>,
    DELETE: call('DELETE') as Call<'delete'>,
    patch(path, params, patch) {
      const query = { ...(params.query as Record<string, unknown> | undefined), ...patch.query };
      return call('PATCH')(path, {
        params: { path: params.path, query },
        body: patch.body,
        headers: { 'Content-Type': patch.contentType },
      }) as Promise<never>;
    },
    watch(path, params, opts) {
      const query = { ...(params.query as Record<string, unknown> | undefined), watch: 'true', allowWatchBookmarks: 'true' };
      const url = baseUrl + expandPath(path, params.path as Record<string, unknown> | undefined) + queryString(query);
      return openWatch(url, { fetch: fetchImpl, headers }, opts);
    },
  };
}
