import type { KubeObject } from '../meta/types.js';
import {
  AlreadyExistsError, ConflictError, NotFoundError, StoreFullError, TooOldError,
  type ListResult, type ObjectKey, type Storage, type StorageEvent, type StorageWatch,
} from './storage.js';

interface Subscriber {
  namespace: string | undefined;
  sink: (e: StorageEvent) => void;
}

/**
 * The in-memory backend. Objects are indexed prefix → namespace → name so that a GET is three map
 * look-ups and a namespaced list touches only its namespace; watchers are indexed by prefix so that
 * a write only reaches the watchers of its resource. A bounded ring of recent events serves watches
 * that start from an older resourceVersion, as kube-apiserver's watch cache does.
 */
/**
 * How many objects a store holds before it refuses more. About 1.5 GiB of pods (the bench measures
 * some 4 KiB each): more would run the process out of memory, taking every answer down with it.
 */
export const defaultMaxObjects = 300_000;

export class MemoryStorage implements Storage {
  private readonly data = new Map<string, Map<string, Map<string, KubeObject>>>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly ring: StorageEvent[] = [];
  private ringStart = 0;
  private rv: number;
  /** While set, events wait here until a durable backend has made their writes safe. */
  private deferred: { key: ObjectKey; event: StorageEvent }[] | undefined;

  private objects = 0;
  private readonly maxObjects: number;

  constructor(private readonly historySize = 50_000, initialResourceVersion = 1, opts: { deferEvents?: boolean; maxObjects?: number } = {}) {
    this.rv = initialResourceVersion;
    if (opts.deferEvents) this.deferred = [];
    this.maxObjects = opts.maxObjects ?? defaultMaxObjects;
  }

  /** Delivers events held back since the last call (durable backends call this after fsync). */
  releaseEvents(): void {
    if (!this.deferred) return;
    const events = this.deferred.splice(0);
    for (const { key, event } of events) this.dispatch(key, event);
  }

  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    return this.getSync(key);
  }

  getSync(key: ObjectKey): KubeObject | undefined {
    return this.data.get(key.prefix)?.get(key.namespace)?.get(key.name);
  }

  async list(prefix: string, namespace?: string): Promise<ListResult> {
    return { items: this.listSync(prefix, namespace), resourceVersion: this.rv };
  }

  listSync(prefix: string, namespace?: string): KubeObject[] {
    const byNs = this.data.get(prefix);
    if (!byNs) return [];
    if (namespace !== undefined) return [...(byNs.get(namespace)?.values() ?? [])];
    const out: KubeObject[] = [];
    for (const m of byNs.values()) for (const o of m.values()) out.push(o);
    return out;
  }

  async create(key: ObjectKey, obj: KubeObject): Promise<KubeObject> {
    if (this.getSync(key)) throw new AlreadyExistsError(key.name);
    if (this.objects >= this.maxObjects) throw new StoreFullError(this.maxObjects);
    const stored = this.stamp(obj);
    this.put(key, stored);
    this.emit(key, { type: 'ADDED', object: stored, resourceVersion: this.rv, key });
    return stored;
  }

  async update(key: ObjectKey, obj: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    const old = this.getSync(key);
    if (!old) throw new NotFoundError(key.name);
    if (old.metadata.resourceVersion !== expectedResourceVersion) throw new ConflictError(key.name);
    const stored = this.stamp(obj);
    this.put(key, stored);
    this.emit(key, { type: 'MODIFIED', object: stored, previous: old, resourceVersion: this.rv, key });
    return stored;
  }

  async delete(key: ObjectKey, expectedResourceVersion?: string): Promise<KubeObject> {
    const old = this.getSync(key);
    if (!old) throw new NotFoundError(key.name);
    if (expectedResourceVersion !== undefined && old.metadata.resourceVersion !== expectedResourceVersion) throw new ConflictError(key.name);
    this.data.get(key.prefix)!.get(key.namespace)!.delete(key.name);
    this.objects--;
    this.rv++;
    // A DELETED event carries the object at the resourceVersion of its deletion, as etcd3 watch does.
    const tomb: KubeObject = { ...old, metadata: { ...old.metadata, resourceVersion: String(this.rv) } };
    this.emit(key, { type: 'DELETED', object: tomb, previous: old, resourceVersion: this.rv, key });
    return tomb;
  }

  watch(prefix: string, namespace: string | undefined, fromResourceVersion: number | undefined, sink: (e: StorageEvent) => void): StorageWatch {
    if (fromResourceVersion !== undefined && fromResourceVersion < this.rv) {
      const oldest = this.oldestWatchableResourceVersion();
      if (fromResourceVersion < oldest) throw new TooOldError(fromResourceVersion, oldest);
      for (let i = this.ringStart; i < this.ring.length; i++) {
        const e = this.ring[i];
        if (e.resourceVersion > fromResourceVersion && e.key.prefix === prefix && (namespace === undefined || e.key.namespace === namespace)) sink(e);
      }
    }
    const sub: Subscriber = { namespace, sink };
    let set = this.subscribers.get(prefix);
    if (!set) this.subscribers.set(prefix, (set = new Set()));
    set.add(sub);
    return { stop: () => set!.delete(sub) };
  }

  currentResourceVersion(): number {
    return this.rv;
  }

  oldestWatchableResourceVersion(): number {
    const first = this.ring[this.ringStart];
    return first ? first.resourceVersion - 1 : this.rv;
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }

  /** Bulk load used by durable backends when they replay their log; emits no events. */
  restore(key: ObjectKey, obj: KubeObject): void {
    this.put(key, obj);
    const rv = Number(obj.metadata.resourceVersion);
    if (rv > this.rv) this.rv = rv;
  }

  removeRestored(key: ObjectKey): void {
    if (this.data.get(key.prefix)?.get(key.namespace)?.delete(key.name)) this.objects--;
  }

  /** Every stored object with its key, for snapshots. */
  *entries(): Generator<{ key: ObjectKey; obj: KubeObject }> {
    for (const [prefix, byNs] of this.data) {
      for (const [namespace, byName] of byNs) {
        for (const [name, obj] of byName) yield { key: { prefix, namespace, name }, obj };
      }
    }
  }

  setResourceVersionFloor(rv: number): void {
    if (rv > this.rv) this.rv = rv;
  }

  private stamp(obj: KubeObject): KubeObject {
    this.rv++;
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
  }

  private put(key: ObjectKey, obj: KubeObject): void {
    let byNs = this.data.get(key.prefix);
    if (!byNs) this.data.set(key.prefix, (byNs = new Map()));
    let byName = byNs.get(key.namespace);
    if (!byName) byNs.set(key.namespace, (byName = new Map()));
    if (!byName.has(key.name)) this.objects++;
    byName.set(key.name, obj);
  }

  private emit(key: ObjectKey, e: StorageEvent): void {
    if (this.deferred) this.deferred.push({ key, event: e });
    else this.dispatch(key, e);
  }

  private dispatch(key: ObjectKey, e: StorageEvent): void {
    this.ring.push(e);
    if (this.ring.length - this.ringStart > this.historySize) {
      this.ringStart++;
      // Compact the backing array now and then rather than shifting on every write.
      if (this.ringStart > this.historySize) {
        this.ring.splice(0, this.ringStart);
        this.ringStart = 0;
      }
    }
    const subs = this.subscribers.get(key.prefix);
    if (!subs) return;
    for (const s of subs) {
      if (s.namespace === undefined || s.namespace === key.namespace) s.sink(e);
    }
  }
}
