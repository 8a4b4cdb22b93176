import { Etcd3, type IEvent, type IKeyValue, type IResponseHeader, type IWatchResponse, type Watcher } from 'etcd3';
import type { KubeObject } from '../meta/types.js';
import {
  AlreadyExistsError, ConflictError, NotFoundError, TooOldError,
  type ListResult, type ObjectKey, type Storage, type StorageEvent, type StorageWatch,
} from './storage.js';

export interface EtcdStorageOptions {
  endpoints: string[];
  /** Key prefix every object lives under, as kube-apiserver's --etcd-prefix. */
  prefix?: string;
}

/**
 * Where kube-apiserver keeps a resource under its etcd prefix, keyed by our storage prefix. Most
 * resources are "<prefix>/<resource>"; these are the historical exceptions (and the resources of
 * groups whose keys carry the group name), so that a kubemock etcd looks like a cluster's.
 */
const upstreamResourceKeys: Record<string, string> = {
  'core/services': 'services/specs',
  'core/endpoints': 'services/endpoints',
  'core/nodes': 'minions',
  'core/replicationcontrollers': 'controllers',
  'networking.k8s.io/ingresses': 'ingress',
  'apiextensions.k8s.io/customresourcedefinitions': 'apiextensions.k8s.io/customresourcedefinitions',
  'apiregistration.k8s.io/apiservices': 'apiregistration.k8s.io/apiservices',
};

/** Groups whose objects kube-apiserver stores without the group in the key (built-in groups). */
function isBuiltInGroup(group: string): boolean {
  return group === 'core' || !group.includes('.') || group.endsWith('.k8s.io');
}

/** The etcd key directory of a storage prefix such as "core/pods" (→ "/registry/pods"). */
export function etcdResourceKey(etcdPrefix: string, storagePrefix: string): string {
  const mapped = upstreamResourceKeys[storagePrefix];
  if (mapped) return `${etcdPrefix}/${mapped}`;
  const slash = storagePrefix.indexOf('/');
  const group = storagePrefix.slice(0, slash);
  const resource = storagePrefix.slice(slash + 1);
  // Custom resources live under "<prefix>/<group>/<resource>", as the apiextensions server keys them.
  return isBuiltInGroup(group) ? `${etcdPrefix}/${resource}` : `${etcdPrefix}/${group}/${resource}`;
}

function rev(value: string | number | undefined | null): number {
  return Number(value ?? 0);
}

/** The object as readers see it: the stored JSON with resourceVersion set from the key's mod_revision. */
function decode(value: Buffer, modRevision: number): KubeObject {
  const obj = JSON.parse(value.toString('utf8')) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(modRevision) };
  return obj;
}

/** Values carry no resourceVersion: etcd's mod_revision is the truth, a stored copy could only go stale. */
function encode(obj: KubeObject): string {
  const meta = { ...obj.metadata };
  delete meta.resourceVersion;
  return JSON.stringify({ ...obj, metadata: meta });
}

/**
 * The etcd v3 backend: several kubemock processes on one etcd are one cluster. Objects are JSON
 * under kube-apiserver's keys, resourceVersion is etcd's mod_revision, writes are transactions
 * guarded on create_revision (create) or mod_revision (update, delete), and watches are etcd
 * watches with the previous value, so selectors can tell an object leaving their view.
 */
export class EtcdStorage implements Storage {
  private revision = 1;
  /** Watches from a resourceVersion below this are known to fail with 410 (their history is compacted). */
  private compacted = 0;
  private tracker: Watcher | undefined;
  private readonly watchers = new Set<Watcher>();

  private constructor(readonly client: Etcd3, readonly prefix: string) {}

  /** Connects, learns the current revision, and follows it so list/watch resourceVersions stay current. */
  static async open(opts: EtcdStorageOptions): Promise<EtcdStorage> {
    const client = new Etcd3({ hosts: opts.endpoints });
    const prefix = (opts.prefix ?? '/registry').replace(/\/+$/, '');
    const storage = new EtcdStorage(client, prefix);
    try {
      const res = await client.get(`${prefix}/`).exec();
      storage.observe(res.header);
      storage.followRevision();
    } catch (e) {
      client.close();
      throw e;
    }
    return storage;
  }

  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    const res = await this.client.get(this.keyOf(key)).exec();
    this.observe(res.header);
    const kv = res.kvs[0];
    return kv ? decode(kv.value, rev(kv.mod_revision)) : undefined;
  }

  async list(prefix: string, namespace?: string): Promise<ListResult> {
    const dir = this.dirOf(prefix, namespace);
    const res = await this.client.getAll().prefix(dir).exec();
    this.observe(res.header);
    const items: KubeObject[] = [];
    for (const kv of res.kvs) {
      if (this.parseKey(prefix, kv.key)) items.push(decode(kv.value, rev(kv.mod_revision)));
    }
    // The store's revision, not the newest item's: a watch from it misses nothing and repeats nothing.
    return { items, resourceVersion: rev(res.header.revision) };
  }

  async create(key: ObjectKey, obj: KubeObject): Promise<KubeObject> {
    const k = this.keyOf(key);
    const value = encode(obj);
    const res = await this.client.if(k, 'Create', '==', 0).then(this.client.put(k).value(value)).commit();
    this.observe(res.header);
    if (!res.succeeded) throw new AlreadyExistsError(key.name);
    return decode(Buffer.from(value), rev(res.header.revision));
  }

  async update(key: ObjectKey, obj: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    const k = this.keyOf(key);
    const expected = parseRevision(expectedResourceVersion);
    const value = encode(obj);
    const res = await this.client.if(k, 'Mod', '==', expected ?? -1)
      .then(this.client.put(k).value(value))
      .else(this.client.get(k))
      .commit();
    this.observe(res.header);
    if (!res.succeeded) {
      if (!res.responses[0]?.response_range?.kvs?.length) throw new NotFoundError(key.name);
      throw new ConflictError(key.name);
    }
    return decode(Buffer.from(value), rev(res.header.revision));
  }

  async delete(key: ObjectKey, expectedResourceVersion?: string): Promise<KubeObject> {
    const k = this.keyOf(key);
    // Unconditional deletes still go through a transaction: its header carries the deletion's revision.
    const expected = expectedResourceVersion === undefined ? undefined : parseRevision(expectedResourceVersion) ?? -1;
    const guard = expected === undefined ? this.client.if(k, 'Version', '>', 0) : this.client.if(k, 'Mod', '==', expected);
    const res = await guard
      .then({ request_delete_range: { key: Buffer.from(k), prev_kv: true } })
      .else(this.client.get(k))
      .commit();
    this.observe(res.header);
    if (!res.succeeded) {
      if (!res.responses[0]?.response_range?.kvs?.length) throw new NotFoundError(key.name);
      throw new ConflictError(key.name);
    }
    const prev = res.responses[0]?.response_delete_range?.prev_kvs?.[0];
    if (!prev) throw new NotFoundError(key.name);
    // A DELETED event carries the object at the revision of its deletion, as etcd3 watch does.
    return decode(prev.value, rev(res.header.revision));
  }

  /**
   * An etcd watch from fromResourceVersion+1 (or from the newest revision seen). A revision known
   * to be compacted fails at once; one only etcd knows to be compacted ends the watch through onError.
   */
  watch(prefix: string, namespace: string | undefined, fromResourceVersion: number | undefined, sink: (e: StorageEvent) => void,
    onError?: (err: Error) => void): StorageWatch {
    if (fromResourceVersion !== undefined && fromResourceVersion < this.compacted) {
      throw new TooOldError(fromResourceVersion, this.compacted);
    }
    let stopped = false;
    let watcher: Watcher | undefined;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      if (!watcher) return;
      this.watchers.delete(watcher);
      void watcher.cancel().catch(() => undefined);
    };
    const fail = (err: Error): void => {
      if (stopped) return;
      stop();
      onError?.(err);
    };
    const from = fromResourceVersion ?? this.revision;
    // etcd answers a watch below its compacted revision with a cancellation that etcd3 1.1.2 pairs
    // with the wrong watcher, breaking every other watch of the client; a read at that revision
    // finds out safely first (and a future revision cannot have been compacted).
    const probe = fromResourceVersion !== undefined && fromResourceVersion + 1 <= this.revision
      ? this.client.get(`${this.prefix}/`).revision(fromResourceVersion + 1).exec().then((res) => this.observe(res.header))
      : Promise.resolve();
    probe.then(() => {
      if (stopped) return;
      watcher = this.startWatcher(prefix, namespace, from, sink, fail);
    }, (err: Error) => {
      if (/compacted/i.test(err.message) && fromResourceVersion !== undefined) {
        this.compacted = Math.max(this.compacted, fromResourceVersion + 1);
        fail(new TooOldError(fromResourceVersion, this.compacted));
      } else fail(err);
    });
    return { stop };
  }

  private startWatcher(prefix: string, namespace: string | undefined, from: number, sink: (e: StorageEvent) => void,
    fail: (err: Error) => void): Watcher {
    const watcher = this.client.watch().prefix(this.dirOf(prefix, namespace)).withPreviousKV().startRevision(String(from + 1)).watcher();
    this.watchers.add(watcher);
    watcher.on('data', (res: IWatchResponse) => {
      if (!this.watchers.has(watcher)) return;
      this.observe(res.header);
      for (const ev of res.events) {
        const e = this.toEvent(prefix, ev.type, ev.kv, ev.prev_kv);
        if (e) sink(e);
      }
    });
    watcher.on('error', (err: Error) => fail(/compacted/i.test(err.message) ? new TooOldError(from, from + 1) : err));
    return watcher;
  }

  currentResourceVersion(): number {
    return this.revision;
  }

  oldestWatchableResourceVersion(): number {
    return this.compacted;
  }

  /** Drops history up to revision, as kube-apiserver's compactor does; later watches from before it get 410. */
  async compact(revision: number): Promise<void> {
    await this.client.kv.compact({ revision: String(revision), physical: true });
    // History from `revision` on stays: a watch from revision-1 (events after it) still works.
    this.compacted = Math.max(this.compacted, revision - 1);
  }

  async close(): Promise<void> {
    const all = [...this.watchers, ...(this.tracker ? [this.tracker] : [])];
    this.watchers.clear();
    this.tracker = undefined;
    // A cancel etcd never answers (the stream is already gone) must not hold up shutdown: closing the client ends them all.
    const cancels = Promise.all(all.map((w) => w.cancel().catch(() => undefined)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([cancels, new Promise<void>((resolve) => (timer = setTimeout(resolve, 500)))]);
    clearTimeout(timer);
    this.client.close();
  }

  /** Every write under the prefix, from any process, moves our idea of "now" forward. */
  private followRevision(): void {
    const w = this.client.watch().prefix(`${this.prefix}/`).startRevision(String(this.revision + 1)).watcher();
    w.on('data', (res: IWatchResponse) => this.observe(res.header));
    // A tracker that ended (etcd compacted under it) only means "now" is learnt from responses alone.
    w.on('error', () => undefined);
    this.tracker = w;
  }

  private observe(header: IResponseHeader | undefined | null): void {
    const r = rev(header?.revision);
    if (r > this.revision) this.revision = r;
  }

  private toEvent(prefix: string, type: IEvent['type'], kv: IKeyValue, prevKv: IKeyValue | undefined): StorageEvent | undefined {
    const key = this.parseKey(prefix, kv.key);
    if (!key) return undefined;
    const modRevision = rev(kv.mod_revision);
    const previous = prevKv ? decode(prevKv.value, rev(prevKv.mod_revision)) : undefined;
    if (type === 'Delete') {
      if (!prevKv) return undefined; // nothing to show: the object was never seen by this watch
      return { type: 'DELETED', object: decode(prevKv.value, modRevision), previous, resourceVersion: modRevision, key };
    }
    const object = decode(kv.value, modRevision);
    const created = rev(kv.create_revision) === modRevision;
    return created
      ? { type: 'ADDED', object, resourceVersion: modRevision, key }
      : { type: 'MODIFIED', object, previous, resourceVersion: modRevision, key };
  }

  private keyOf(key: ObjectKey): string {
    const dir = etcdResourceKey(this.prefix, key.prefix);
    return key.namespace ? `${dir}/${key.namespace}/${key.name}` : `${dir}/${key.name}`;
  }

  private dirOf(prefix: string, namespace: string | undefined): string {
    const dir = etcdResourceKey(this.prefix, prefix);
    return namespace ? `${dir}/${namespace}/` : `${dir}/`;
  }

  /** The ObjectKey of an etcd key under a resource's directory; undefined for keys of other shapes. */
  private parseKey(prefix: string, raw: Buffer | string): ObjectKey | undefined {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    const dir = `${etcdResourceKey(this.prefix, prefix)}/`;
    if (!text.startsWith(dir)) return undefined;
    const parts = text.slice(dir.length).split('/');
    if (parts.length === 1) return { prefix, namespace: '', name: parts[0] };
    if (parts.length === 2) return { prefix, namespace: parts[0], name: parts[1] };
    return undefined;
  }
}

function parseRevision(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
