import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { Registry, RegistryWatchEvent } from '../registry/generic.js';
import type { ResourceInfo, ResourceRef } from '../registry/resource.js';
import type { StorageWatch } from './storage.js';

export type InformerEvent<T extends KubeObject> =
  | { type: 'ADDED'; object: DeepReadonly<T> }
  | { type: 'MODIFIED'; object: DeepReadonly<T>; previous: DeepReadonly<T> }
  | { type: 'DELETED'; object: DeepReadonly<T> };

type IndexFunc<T extends KubeObject> = (obj: DeepReadonly<T>) => string[];

function cacheKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/**
 * An informer-style cache of one resource for in-process readers (controllers, DNS): list+watch
 * through the registry, objects kept by namespace/name with optional secondary indexes. Objects are
 * shared and read-only; clone before changing one.
 */
export class Informer<T extends KubeObject = KubeObject> {
  private readonly objects = new Map<string, DeepReadonly<T>>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly handlers = new Set<(e: InformerEvent<T>) => void>();
  private watch?: StorageWatch;
  private synced = false;

  constructor(private readonly registry: Registry, readonly ref: ResourceRef) {}

  addIndex(name: string, fn: IndexFunc<T>): this {
    this.indexFuncs.set(name, fn);
    this.indexes.set(name, new Map());
    for (const [key, obj] of this.objects) this.index(name, fn, key, obj);
    return this;
  }

  onEvent(handler: (e: InformerEvent<T>) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  start(): this {
    if (this.watch) return this;
    this.watch = this.registry.watch(this.ref, undefined, { resourceVersion: '', sendInitialEvents: true, allowWatchBookmarks: true }, (e) => this.apply(e));
    return this;
  }

  stop(): void {
    this.watch?.stop();
    this.watch = undefined;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string | undefined, name: string): DeepReadonly<T> | undefined {
    return this.objects.get(cacheKey(namespace, name));
  }

  list(namespace?: string): DeepReadonly<T>[] {
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata.namespace ?? '') === namespace);
  }

  byIndex(name: string, value: string): DeepReadonly<T>[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.objects.get(k)!).filter(Boolean);
  }

  private apply(e: RegistryWatchEvent): void {
    switch (e.type) {
      case 'BOOKMARK':
        if (e.initialEventsEnd) this.synced = true;
        return;
      case 'ERROR':
        // The storage lost our place (410): start again from a fresh list, as client-go's reflector does.
        this.stop();
        this.synced = false;
        this.start();
        return;
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const obj = e.object as unknown as DeepReadonly<T>;
        const key = cacheKey(obj.metadata.namespace, obj.metadata.name);
        const previous = this.objects.get(key);
        this.unindex(key, previous);
        if (e.type === 'DELETED') {
          this.objects.delete(key);
          this.emit({ type: 'DELETED', object: obj });
          return;
        }
        this.objects.set(key, obj);
        for (const [name, fn] of this.indexFuncs) this.index(name, fn, key, obj);
        this.emit(previous ? { type: 'MODIFIED', object: obj, previous } : { type: 'ADDED', object: obj });
      }
    }
  }

  private emit(e: InformerEvent<T>): void {
    for (const h of this.handlers) h(e);
  }

  private index(name: string, fn: IndexFunc<T>, key: string, obj: DeepReadonly<T>): void {
    const idx = this.indexes.get(name)!;
    for (const v of fn(obj)) {
      let set = idx.get(v);
      if (!set) idx.set(v, (set = new Set()));
      set.add(key);
    }
  }

  private unindex(key: string, obj: DeepReadonly<T> | undefined): void {
    if (!obj) return;
    for (const [name, fn] of this.indexFuncs) {
      const idx = this.indexes.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        set?.delete(key);
        if (set && set.size === 0) idx.delete(v);
      }
    }
  }
}

/** One shared informer per resource, so controllers and DNS read the same cache. */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  constructor(private readonly registry: Registry) {}

  for<T extends KubeObject>(group: string, resource: string): Informer<T> {
    const key = `${group}/${resource}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer(this.registry, this.registry.ref(group, resource));
      this.informers.set(key, inf);
    }
    return inf as unknown as Informer<T>;
  }

  /** Every resource the registry serves, for controllers that watch all kinds (the garbage collector). */
  servedResources(): readonly ResourceInfo[] {
    return this.registry.resources;
  }

  start(): void {
    for (const i of this.informers.values()) i.start();
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }
}
