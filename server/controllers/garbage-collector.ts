import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isConflict, isNotFound } from '../meta/errors.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { ResourceInfo } from '../registry/resource.js';
import type { Informer, InformerEvent } from '../store/informer.js';
import type { ClientDeleteOptions, GroupResourceName } from './client.js';
import type { Controller, ControllerDeps } from './deps.js';
import { WorkQueue } from './runtime.js';
import { deepCopy } from '../meta/deep-copy.js';

type Obj = DeepReadonly<KubeObject>;
type Ref = DeepReadonly<OwnerReference>;

const orphanFinalizer = 'orphan';
const foregroundFinalizer = 'foregroundDeletion';
const uidIndex = 'gc:uid';
const ownerIndex = 'gc:owners';

/** One watched resource: its informer and how owner references name it. */
interface Watched {
  info: ResourceInfo;
  gr: GroupResourceName;
  informer: Informer;
}

/** Events are neither owners nor dependents in practice and are by far the busiest kind: not watched. */
const unwatched = new Set(['/events', 'events.k8s.io/events']);

type Owner = { state: 'present'; obj: Obj } | { state: 'absent' } | { state: 'unknown' };

/**
 * The garbage collector (pkg/controller/garbagecollector), level-triggered over every kind the
 * server serves: dependents whose owners (by UID) are all gone are deleted; an owner deleted in
 * the foreground waits, through its foregroundDeletion finalizer, until its blocking dependents
 * are gone; an owner deleted with orphan propagation has its references stripped from the
 * dependents before its orphan finalizer is removed.
 */
export function startGarbageCollector(deps: ControllerDeps): Controller {
  const watched = new Map<string, Watched>();
  const byGroupKind = new Map<string, Watched>();
  for (const info of deps.informers.servedResources()) {
    const id = `${info.group}/${info.resource}`;
    if (unwatched.has(id) || info.storagePrefix || (info.verbs && !info.verbs.includes('delete'))) continue;
    const informer = deps.informers.for<KubeObject>(info.group, info.resource)
      .addIndex(uidIndex, (o) => (o.metadata.uid ? [o.metadata.uid] : []))
      .addIndex(ownerIndex, (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid));
    const w: Watched = { info, gr: { group: info.group, resource: info.resource }, informer };
    watched.set(id, w);
    byGroupKind.set(`${info.group}/${info.kind}`, w);
  }
  const gc = new GarbageCollector(deps, watched, byGroupKind);
  const unsubscribe = [...watched.values()].map((w) => w.informer.onEvent((e) => gc.observe(w, e)));
  for (const w of watched.values()) {
    w.informer.start();
    for (const o of w.informer.list()) gc.observe(w, { type: 'ADDED', object: o });
  }
  return {
    name: 'garbage-collector',
    queue: gc.queue,
    stop() {
      for (const u of unsubscribe) u();
      gc.queue.stop();
    },
  };
}

const itemKey = (w: Watched, o: Obj): string => `${w.info.group}/${w.info.resource}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

const hasFinalizer = (o: Obj, f: string): boolean => (o.metadata.finalizers ?? []).includes(f);

/** Deleting in the foreground: the owner stays until its blocking dependents are gone. */
const isDeletingDependents = (o: Obj): boolean => !!o.metadata.deletionTimestamp && hasFinalizer(o, foregroundFinalizer);

class GarbageCollector {
  readonly queue: WorkQueue;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly watched: Map<string, Watched>,
    private readonly byGroupKind: Map<string, Watched>,
  ) {
    this.queue = new WorkQueue({ name: 'garbage-collector', clock: deps.clock, logger: deps.logger, reconcile: (key) => this.process(key) });
  }

  /** The graph builder's part: which items an event makes worth another look. */
  observe(w: Watched, e: InformerEvent<KubeObject>): void {
    const o = e.object;
    if (e.type === 'DELETED') {
      for (const d of this.dependentsOf(o)) this.queue.add(itemKey(d.w, d.obj));
      this.enqueueDeletingOwners(o);
      return;
    }
    if (o.metadata.ownerReferences?.length) this.queue.add(itemKey(w, o));
    if (o.metadata.deletionTimestamp && (hasFinalizer(o, orphanFinalizer) || hasFinalizer(o, foregroundFinalizer))) this.queue.add(itemKey(w, o));
    if (e.type === 'MODIFIED') this.enqueueDeletingOwners(e.previous);
  }

  /** A dependent that went away or changed its references may unblock an owner deleting in the foreground. */
  private enqueueDeletingOwners(o: Obj): void {
    for (const ref of o.metadata.ownerReferences ?? []) {
      for (const owner of this.byUid(ref.uid)) if (isDeletingDependents(owner.obj)) this.queue.add(itemKey(owner.w, owner.obj));
    }
  }

  private byUid(uid: string): { w: Watched; obj: Obj }[] {
    const out: { w: Watched; obj: Obj }[] = [];
    for (const w of this.watched.values()) for (const obj of w.informer.byIndex(uidIndex, uid)) out.push({ w, obj });
    return out;
  }

  /** Objects whose owner references name o's UID (in o's namespace, unless o is cluster-scoped). */
  private dependentsOf(o: Obj): { w: Watched; obj: Obj }[] {
    const uid = o.metadata.uid;
    if (!uid) return [];
    const ns = o.metadata.namespace;
    const out: { w: Watched; obj: Obj }[] = [];
    for (const w of this.watched.values()) {
      for (const obj of w.informer.byIndex(ownerIndex, uid)) {
        if (!ns || obj.metadata.namespace === ns) out.push({ w, obj });
      }
    }
    return out;
  }

  private async process(key: string): Promise<void> {
    const [group, resource, ns, ...rest] = key.split('/');
    const w = this.watched.get(`${group}/${resource}`);
    const item = w?.informer.get(ns, rest.join('/'));
    if (!w || !item) return;
    if (item.metadata.deletionTimestamp) {
      if (hasFinalizer(item, orphanFinalizer)) return this.orphanDependents(w, item);
      if (hasFinalizer(item, foregroundFinalizer)) return this.processDeletingDependents(w, item);
      return;
    }
    await this.attemptToDelete(w, item);
  }

  /** attemptToDeleteItem: classify the owners as solid, dangling (gone) or waiting (deleting in the foreground). */
  private async attemptToDelete(w: Watched, item: Obj): Promise<void> {
    const refs = item.metadata.ownerReferences ?? [];
    if (!refs.length) return;
    const solid: Ref[] = [];
    const dangling: Ref[] = [];
    const waiting: Ref[] = [];
    for (const ref of refs) {
      const owner = await this.resolveOwner(ref, item.metadata.namespace ?? '');
      if (owner.state === 'absent') dangling.push(ref);
      else if (owner.state === 'present' && isDeletingDependents(owner.obj)) waiting.push(ref);
      else solid.push(ref);
    }
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.removeOwnerRefs(w, item, drop);
      return;
    }
    if (waiting.length && this.dependentsOf(item).length) {
      await this.deleteItem(w, item, 'Foreground');
      return;
    }
    const policy = hasFinalizer(item, orphanFinalizer) ? 'Orphan' : hasFinalizer(item, foregroundFinalizer) ? 'Foreground' : 'Background';
    await this.deleteItem(w, item, policy);
  }

  /**
   * An owner exists when an object of its kind and name has its UID. The cache is asked first, then
   * the API (the cache may lag); a kind this server does not serve cannot be judged and counts as present.
   */
  private async resolveOwner(ref: Ref, dependentNamespace: string): Promise<Owner> {
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    const w = this.byGroupKind.get(`${group}/${ref.kind}`);
    if (!w) return { state: 'unknown' };
    const ns = w.info.namespaced ? dependentNamespace : '';
    const cached = w.informer.get(ns, ref.name);
    if (cached?.metadata.uid === ref.uid) return { state: 'present', obj: cached };
    const live = await this.deps.client.get(w.gr, ns, ref.name);
    if (live?.metadata.uid === ref.uid) return { state: 'present', obj: live };
    return { state: 'absent' };
  }

  /** attemptToOrphan: strip the owner from every dependent, then let the owner go. */
  private async orphanDependents(w: Watched, owner: Obj): Promise<void> {
    const uid = owner.metadata.uid ?? '';
    for (const d of this.dependentsOf(owner)) await this.removeOwnerRefs(d.w, d.obj, new Set([uid]));
    await this.removeFinalizer(w, owner, orphanFinalizer);
  }

  /** processDeletingDependentsItem: the finalizer goes once no dependent blocks; until then dependents are deleted. */
  private async processDeletingDependents(w: Watched, owner: Obj): Promise<void> {
    const uid = owner.metadata.uid;
    const dependents = this.dependentsOf(owner);
    const blocking = dependents.filter((d) => (d.obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (!blocking.length) {
      await this.removeFinalizer(w, owner, foregroundFinalizer);
      return;
    }
    for (const d of dependents) if (!d.obj.metadata.deletionTimestamp) this.queue.add(itemKey(d.w, d.obj));
  }

  private async deleteItem(w: Watched, item: Obj, propagationPolicy: NonNullable<ClientDeleteOptions['propagationPolicy']>): Promise<void> {
    try {
      await this.deps.client.delete(w.gr, item.metadata.namespace ?? '', item.metadata.name ?? '', {
        propagationPolicy, preconditions: { uid: item.metadata.uid },
      });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e; // gone, or replaced by a new object of the same name
    }
  }

  private async removeOwnerRefs(w: Watched, item: Obj, uids: ReadonlySet<string>): Promise<void> {
    await this.rewrite(w, item, (o) => {
      const refs = (o.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
      if (refs.length === (o.metadata.ownerReferences ?? []).length) return false;
      if (refs.length) o.metadata.ownerReferences = refs;
      else delete o.metadata.ownerReferences;
      return true;
    });
  }

  private async removeFinalizer(w: Watched, item: Obj, finalizer: string): Promise<void> {
    await this.rewrite(w, item, (o) => {
      const rest = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (rest.length === (o.metadata.finalizers ?? []).length) return false;
      if (rest.length) o.metadata.finalizers = rest;
      else delete o.metadata.finalizers;
      return true;
    });
  }

  /** Read-modify-write of the live object (same UID), retried on conflict; change returns false for no-op. */
  private async rewrite(w: Watched, item: Obj, change: (o: KubeObject) => boolean): Promise<void> {
    const ns = item.metadata.namespace ?? '';
    const name = item.metadata.name ?? '';
    for (let attempt = 0; ; attempt++) {
      const fetched = await this.deps.client.get(w.gr, ns, name);
      const live = fetched && deepCopy(fetched); // the client may hand out the stored object itself
      if (!live || live.metadata.uid !== item.metadata.uid || !change(live)) return;
      try {
        await this.deps.client.update(w.gr, ns, live);
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 5) throw e;
      }
    }
  }
}
