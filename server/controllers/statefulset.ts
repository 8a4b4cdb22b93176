import { isAlreadyExists, isConflict, isNotFound } from '../meta/errors.js';
import { fromLabelSelector, matches, type Selector } from '../meta/labels.js';
import type { KubeObject } from '../meta/types.js';
import type { Informer } from '../store/informer.js';
import { apps, core, type GroupResourceName } from './client.js';
import type { Controller, ControllerDeps } from './deps.js';
import { runningController, WorkQueue, type Result } from './runtime.js';
import { planStatefulSet, type Action, type Plan } from './statefulset-plan.js';
import {
  controllerRefOf, isMemberOf, mutableCopy, newControllerRef, setKind,
  type ClaimObject, type PodObject, type RevisionObject, type RO, type StatefulSetObject,
} from './statefulset-utils.js';
import { deepCopy } from '../meta/deep-copy.js';

const gr = {
  sets: apps('statefulsets'),
  pods: core('pods'),
  claims: core('persistentvolumeclaims'),
  revisions: apps('controllerrevisions'),
};

interface Caches {
  sets: Informer<StatefulSetObject>;
  pods: Informer<PodObject>;
  claims: Informer<ClaimObject>;
  revisions: Informer<RevisionObject>;
}

const keyOf = (o: RO<KubeObject>): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/**
 * The StatefulSet controller (pkg/controller/statefulset): watches sets and the pods, claims and
 * revisions that belong to them, and on every change re-plans the owning set from the caches.
 * The algorithm lives in statefulset-plan.ts; this file maps events to keys, adopts and releases
 * children, and carries the plan out through the API.
 */
export function startStatefulSetController(deps: ControllerDeps): Controller {
  const caches: Caches = {
    sets: deps.informers.for<StatefulSetObject>('apps', 'statefulsets'),
    pods: deps.informers.for<PodObject>('', 'pods'),
    claims: deps.informers.for<ClaimObject>('', 'persistentvolumeclaims'),
    revisions: deps.informers.for<RevisionObject>('apps', 'controllerrevisions'),
  };
  const queue = new WorkQueue({
    name: 'statefulset', clock: deps.clock, logger: deps.logger,
    // A sync reads every pod of the set: one per burst of pod events, not one per event (O(n²)).
    coalesce: true,
    reconcile: (key) => syncStatefulSet(deps, caches, key),
  });
  const enqueue = (set: RO<StatefulSetObject>): void => queue.add(keyOf(set));
  const unsubscribe = [
    caches.sets.onEvent((e) => enqueue(e.object)),
    caches.pods.onEvent((e) => {
      for (const s of setsForChild(caches, e.object, e.type === 'MODIFIED' ? e.previous : undefined)) enqueue(s);
    }),
    caches.revisions.onEvent((e) => {
      for (const s of setsForChild(caches, e.object, e.type === 'MODIFIED' ? e.previous : undefined)) enqueue(s);
    }),
    caches.claims.onEvent((e) => {
      for (const s of setsForClaim(caches, e.object)) enqueue(s);
    }),
  ];
  for (const inf of Object.values(caches)) inf.start();
  for (const s of caches.sets.list()) enqueue(s);
  return runningController('statefulset', queue, unsubscribe);
}

/** The set a child's controller reference names (UID checked), or, for an orphan, every set whose selector matches. */
function setsForChild(caches: Caches, obj: RO<KubeObject>, previous?: RO<KubeObject>): RO<StatefulSetObject>[] {
  const out = new Set<RO<StatefulSetObject>>();
  for (const o of previous ? [previous, obj] : [obj]) {
    const ref = controllerRefOf(o);
    if (ref) {
      if (ref.kind !== setKind.kind) continue;
      const set = caches.sets.get(o.metadata.namespace, ref.name);
      if (set && set.metadata.uid === ref.uid) out.add(set);
      continue;
    }
    for (const set of caches.sets.list(o.metadata.namespace ?? '')) {
      if (matches(selectorOf(set) ?? [{ key: '', operator: 'In', values: [] }], o.metadata.labels)) out.add(set);
    }
  }
  return [...out];
}

/** Claims belong to a set by name: <template>-<set>-<ordinal>. */
function setsForClaim(caches: Caches, claim: RO<ClaimObject>): RO<StatefulSetObject>[] {
  const name = claim.metadata.name ?? '';
  return caches.sets.list(claim.metadata.namespace ?? '').filter((set) =>
    (set.spec?.volumeClaimTemplates ?? []).some((t) => {
      const prefix = `${t.metadata?.name}-${set.metadata.name}-`;
      return name.startsWith(prefix) && /^[0-9]+$/.test(name.slice(prefix.length));
    }));
}

/** The set's selector, or undefined when it is missing, invalid or empty (such a set is left alone). */
function selectorOf(set: RO<StatefulSetObject>): Selector | undefined {
  if (!set.spec?.selector) return undefined;
  const { selector, errors } = fromLabelSelector(set.spec.selector);
  return errors.length || !selector.length ? undefined : selector;
}

async function syncStatefulSet(deps: ControllerDeps, caches: Caches, key: string): Promise<Result> {
  if (!Object.values(caches).every((c) => c.hasSynced())) return { requeueAfterMs: 100 };
  const slash = key.indexOf('/');
  const set = caches.sets.get(key.slice(0, slash), key.slice(slash + 1));
  if (!set) return {};
  const selector = selectorOf(set);
  if (!selector) return {};
  const ns = set.metadata.namespace ?? '';
  const adoption = new Adoption(deps, set);
  const revisions = await adoption.revisions(caches.revisions.list(ns), selector);
  const pods = await adoption.pods(caches.pods.list(ns), selector);
  const plan = planStatefulSet({
    set, pods, revisions,
    claims: new Map(caches.claims.list(ns).map((c) => [c.metadata.name ?? '', c])),
    namespaceRevisions: new Map(caches.revisions.list(ns).map((r) => [r.metadata.name ?? '', r])),
    now: deps.clock.now(),
    maxUnavailableEnabled: !!deps.config.featureGates.MaxUnavailableStatefulSet,
  });
  await new PlanExecutor(deps, caches, set).run(plan);
  return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
}

/**
 * ControllerRefManager: children matching the selector with no controller are adopted, owned
 * children that stopped matching are released; neither happens while the set is being deleted.
 */
class Adoption {
  private checked = false;
  private readonly deleting: boolean;

  constructor(private readonly deps: ControllerDeps, private readonly set: RO<StatefulSetObject>) {
    this.deleting = !!set.metadata.deletionTimestamp;
  }

  async revisions(all: RO<RevisionObject>[], selector: Selector): Promise<RO<RevisionObject>[]> {
    const out: RO<RevisionObject>[] = [];
    for (const rev of all) {
      if (!matches(selector, rev.metadata.labels)) continue;
      const ref = controllerRefOf(rev);
      if (ref) {
        if (ref.uid === this.set.metadata.uid) out.push(rev);
        continue;
      }
      out.push(this.deleting ? rev : await this.adopt<RevisionObject>(gr.revisions, rev));
    }
    return out;
  }

  async pods(all: RO<PodObject>[], selector: Selector): Promise<RO<PodObject>[]> {
    const out: RO<PodObject>[] = [];
    for (const pod of all) {
      const match = matches(selector, pod.metadata.labels) && isMemberOf(this.set, pod);
      const ref = controllerRefOf(pod);
      if (ref) {
        if (ref.uid !== this.set.metadata.uid) continue;
        if (match) out.push(pod);
        else if (!this.deleting) await this.release(gr.pods, pod);
        continue;
      }
      if (this.deleting || !match || pod.metadata.deletionTimestamp) continue;
      out.push(await this.adopt<PodObject>(gr.pods, pod));
    }
    return out;
  }

  /** RecheckDeletionTimestamp: adopt only for a live set that is still the same object. */
  private async canAdopt(): Promise<void> {
    if (this.checked) return;
    const fresh = await this.deps.client.get<StatefulSetObject>(gr.sets, this.set.metadata.namespace ?? '', this.set.metadata.name ?? '');
    if (!fresh || fresh.metadata.uid !== this.set.metadata.uid) throw new Error(`original StatefulSet ${this.set.metadata.name} is gone`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`StatefulSet ${this.set.metadata.name} has just been deleted`);
    this.checked = true;
  }

  private async adopt<T extends KubeObject>(res: GroupResourceName, obj: RO<T>): Promise<RO<T>> {
    await this.canAdopt();
    const copy = mutableCopy<T>(obj);
    copy.metadata.ownerReferences = [...(copy.metadata.ownerReferences ?? []), newControllerRef(this.set, setKind)];
    return this.deps.client.update(res, copy.metadata.namespace ?? '', copy) as Promise<RO<T>>;
  }

  private async release<T extends KubeObject>(res: GroupResourceName, obj: RO<T>): Promise<void> {
    const copy = mutableCopy<T>(obj);
    copy.metadata.ownerReferences = (copy.metadata.ownerReferences ?? []).filter((r) => r.uid !== this.set.metadata.uid);
    try {
      await this.deps.client.update(res, copy.metadata.namespace ?? '', copy);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Carries a plan out in order, with StatefulPodControl's events. A failed pod or claim write
 * ends the pod work but the status is still written, and the sync is then retried.
 */
class PlanExecutor {
  private readonly ns: string;
  private failure: unknown;

  constructor(private readonly deps: ControllerDeps, private readonly caches: Caches, private readonly set: RO<StatefulSetObject>) {
    this.ns = set.metadata.namespace ?? '';
  }

  async run(plan: Plan): Promise<void> {
    for (const action of plan.actions) {
      const always = action.type === 'updateStatus' || action.type === 'deleteRevision';
      if (this.failure !== undefined && !always) continue;
      try {
        await this.apply(action);
      } catch (e) {
        if (action.type === 'createRevision' || action.type === 'renumberRevision') throw e;
        this.failure ??= e;
      }
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.events.event(this.set, setKind, type, reason, message);
  }

  private async apply(action: Action): Promise<void> {
    const { client } = this.deps;
    const setName = this.set.metadata.name;
    switch (action.type) {
      case 'createRevision':
        await client.create(gr.revisions, this.ns, action.revision);
        return;
      case 'renumberRevision': {
        const rev = this.caches.revisions.get(this.ns, action.name);
        if (!rev) throw new Error(`controller revision ${action.name} vanished`);
        await client.update(gr.revisions, this.ns, { ...mutableCopy<RevisionObject>(rev), revision: action.revision });
        return;
      }
      case 'createClaim': {
        const claimName = action.claim.metadata.name;
        try {
          await client.create(gr.claims, this.ns, action.claim);
          this.event('Normal', 'SuccessfulCreate', `create Claim ${claimName} Pod ${action.podName} in StatefulSet ${setName} success`);
        } catch (e) {
          if (!isAlreadyExists(e)) {
            this.event('Warning', 'FailedCreate', `create Claim ${claimName} for Pod ${action.podName} in StatefulSet ${setName} failed error: ${errorText(e)}`);
          }
          const err = `failed to create PVC ${claimName}: ${errorText(e)}`;
          this.event('Warning', 'FailedCreate', `create Pod ${action.podName} in StatefulSet ${setName} failed error: ${err}`);
          throw new Error(err);
        }
        return;
      }
      case 'createPod':
        try {
          await client.create(gr.pods, this.ns, action.pod);
        } catch (e) {
          if (!isAlreadyExists(e)) this.event('Warning', 'FailedCreate', `create Pod ${action.pod.metadata.name} in StatefulSet ${setName} failed error: ${errorText(e)}`);
          throw e;
        }
        this.event('Normal', 'SuccessfulCreate', `create Pod ${action.pod.metadata.name} in StatefulSet ${setName} successful`);
        return;
      case 'deletePod':
        try {
          await client.delete(gr.pods, this.ns, action.name, action.uid ? { preconditions: { uid: action.uid } } : undefined);
        } catch (e) {
          if (isNotFound(e) && action.reason === 'update') return;
          this.event('Warning', 'FailedDelete', `delete Pod ${action.name} in StatefulSet ${setName} failed error: ${errorText(e)}`);
          throw e;
        }
        this.event('Normal', 'SuccessfulDelete', `delete Pod ${action.name} in StatefulSet ${setName} successful`);
        return;
      case 'updatePod':
        try {
          await client.update(gr.pods, this.ns, action.pod);
        } catch (e) {
          this.event('Warning', 'FailedUpdate', `update Pod ${action.pod.metadata.name} in StatefulSet ${setName} failed error: ${errorText(e)}`);
          throw e;
        }
        this.event('Normal', 'SuccessfulUpdate', `update Pod ${action.pod.metadata.name} in StatefulSet ${setName} successful`);
        return;
      case 'updateClaimOwners':
        await this.updateClaimOwners(action);
        return;
      case 'fail':
        if (action.event) this.event('Warning', action.event.reason, action.event.message);
        throw new Error(action.message);
      case 'updateStatus':
        await this.updateStatus(action.status);
        return;
      case 'deleteRevision':
        try {
          await client.delete(gr.revisions, this.ns, action.name);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        return;
    }
  }

  /** Read-modify-write of the claim's owner references (it may have been created a moment ago). */
  private async updateClaimOwners(action: Extract<Action, { type: 'updateClaimOwners' }>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const live = await this.deps.client.get<ClaimObject>(gr.claims, this.ns, action.name);
      if (!live) return;
      const claim = deepCopy(live); // the client may hand out the stored object itself
      if (action.ownerReferences.length) claim.metadata.ownerReferences = action.ownerReferences;
      else delete claim.metadata.ownerReferences;
      try {
        await this.deps.client.update(gr.claims, this.ns, claim);
        return;
      } catch (e) {
        if (isConflict(e) && attempt < 3) continue;
        throw new Error(`could not update claim ${action.name} for delete policy ownerRefs: ${errorText(e)}`);
      }
    }
  }

  /** UpdateStatefulSetStatus: the whole status replaced (conditions included), retried on conflict. */
  private async updateStatus(status: NonNullable<StatefulSetObject['status']>): Promise<void> {
    let current: StatefulSetObject | undefined = mutableCopy<StatefulSetObject>(this.set);
    for (let attempt = 0; current; attempt++) {
      current.status = deepCopy(status);
      try {
        await this.deps.client.updateStatus(gr.sets, this.ns, current);
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 3) throw e;
        const fresh = await this.deps.client.get<StatefulSetObject>(gr.sets, this.ns, this.set.metadata.name ?? '');
        current = fresh && deepCopy(fresh);
        if (current && current.metadata.uid !== this.set.metadata.uid) return;
      }
    }
  }
}
