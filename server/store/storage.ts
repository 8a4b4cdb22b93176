import type { KubeObject } from '../meta/types.js';

/**
 * The storage interface every backend (memory, write-ahead log, etcd) implements.
 * It knows no kinds: keys are "<resource prefix>/<namespace>/<name>" and values are
 * objects whose metadata.resourceVersion the storage assigns.
 */
export interface Storage {
  get(key: ObjectKey): Promise<KubeObject | undefined>;
  list(prefix: string, namespace?: string): Promise<ListResult>;
  /** Fails with AlreadyExistsError when the key is taken. */
  create(key: ObjectKey, obj: KubeObject): Promise<KubeObject>;
  /** Fails with ConflictError when expectedResourceVersion no longer matches, NotFoundError when absent. */
  update(key: ObjectKey, obj: KubeObject, expectedResourceVersion: string): Promise<KubeObject>;
  delete(key: ObjectKey, expectedResourceVersion?: string): Promise<KubeObject>;
  /**
   * Streams every change under prefix (and namespace, if given) after fromResourceVersion.
   * fromResourceVersion undefined means "from now". A version older than the retained history
   * fails with TooOldError.
   * onError: asynchronous backends (etcd) learn some failures only after watch() returned, such as a
   * compacted start revision (TooOldError); they end the watch and report it here.
   */
  watch(prefix: string, namespace: string | undefined, fromResourceVersion: number | undefined, sink: (e: StorageEvent) => void,
    onError?: (err: Error) => void): StorageWatch;
  currentResourceVersion(): number;
  /** The oldest resourceVersion a watch may still start from. */
  oldestWatchableResourceVersion(): number;
  close(): Promise<void>;
}

export interface ObjectKey {
  prefix: string;
  namespace: string;
  name: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: number;
}

export interface StorageEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object as it was before this change, for MODIFIED and DELETED: watch filters need it. */
  previous?: KubeObject;
  resourceVersion: number;
  key: ObjectKey;
}

export interface StorageWatch {
  stop(): void;
}

export class AlreadyExistsError extends Error {}
/**
 * The store holds as many objects as it may: writes that add one are refused, as etcd refuses them
 * once its database space is exceeded, so the process stays up and everything stored stays served.
 */
export class StoreFullError extends Error {
  constructor(readonly limit: number) {
    super(`the store is full: it holds ${limit} objects, as many as --max-objects allows`);
  }
}
export class ConflictError extends Error {}
export class NotFoundError extends Error {}
export class TooOldError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export function keyString(k: ObjectKey): string {
  return `${k.prefix}/${k.namespace}/${k.name}`;
}
