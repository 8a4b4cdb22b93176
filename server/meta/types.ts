import type { ObjectMeta, ListMeta, Status, StatusCause } from 'kubernetes-types/meta/v1.js';

export type { ObjectMeta, ListMeta, Status, StatusCause };

/**
 * The shape every stored API object shares. Kind-specific code narrows it to the
 * kubernetes-types interface of its kind; the generic registry only needs metadata.
 */
/** The server writes the fields kubernetes-types marks read-only for clients. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };
export type ServerObjectMeta = Writable<ObjectMeta>;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ServerObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: { kind?: string; apiVersion?: string; metadata: { resourceVersion: string; annotations?: Record<string, string> } } }
  | { type: 'ERROR'; object: Status };

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}

/** Deep-readonly view used for objects handed out by caches: they are shared and must be cloned before change. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? ReadonlyArray<DeepReadonly<E>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
