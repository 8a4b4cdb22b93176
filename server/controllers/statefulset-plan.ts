import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import {
  applyRevision, equalRevision, hashRevisionData, newRevision, nextRevision, revisionNameFor,
  revisionDataJson, revisionsToPrune, sortRevisions,
} from './statefulset-revisions.js';
import {
  claimOwnerRefsFor, claimsForOrdinal, hasStaleOwnerRef, identityMatches, inOrdinalRange, isClaimOwnerUpToDate,
  isCreated, isFailed, isHealthy, isPending, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating,
  mutableCopy, newStatefulSetPod, ordinalOf, podIdentity, podRevision, readySinceMs, replicasOf, retentionPolicyOf,
  startOrdinal, storageMatches, updateIdentity, updateStorage,
  type ClaimObject, type PodObject, type RevisionObject, type RO, type StatefulSetObject,
} from './statefulset-utils.js';

/** Everything one sync of one StatefulSet looks at; the plan depends on nothing else. */
export interface PlanInput {
  set: RO<StatefulSetObject>;
  /** Pods the set owns (after adoption and release). */
  pods: readonly RO<PodObject>[];
  /** PersistentVolumeClaims of the set's namespace, by name. */
  claims: ReadonlyMap<string, RO<ClaimObject>>;
  /** ControllerRevisions the set owns or may adopt (matching its selector). */
  revisions: readonly RO<RevisionObject>[];
  /** Every ControllerRevision of the namespace by name, to detect hash collisions with others. */
  namespaceRevisions?: ReadonlyMap<string, RO<RevisionObject>>;
  now: number;
  /** The MaxUnavailableStatefulSet feature gate (alpha). */
  maxUnavailableEnabled?: boolean;
}

export type DeleteReason = 'failed' | 'scaleDown' | 'update';

export type Action =
  | { type: 'createRevision'; revision: RevisionObject }
  /** Rollback: an older revision with the wanted template becomes the newest under a new number. */
  | { type: 'renumberRevision'; name: string; revision: number }
  | { type: 'createClaim'; claim: ClaimObject; podName: string }
  | { type: 'createPod'; pod: PodObject }
  | { type: 'deletePod'; name: string; uid: string; reason: DeleteReason }
  /** Identity or storage repair of an existing pod (a full update of the changed copy). */
  | { type: 'updatePod'; pod: PodObject }
  /** Retention policy: the claim's owner references become exactly these. */
  | { type: 'updateClaimOwners'; name: string; podName: string; ownerReferences: OwnerReference[] }
  /** The sync cannot go on; the event (if any) is recorded and the sync retried with back-off. */
  | { type: 'fail'; message: string; event?: { reason: string; message: string } }
  | { type: 'updateStatus'; status: StatefulSetStatus }
  | { type: 'deleteRevision'; name: string };

export interface Plan {
  actions: Action[];
  status: StatefulSetStatus;
  currentRevision: string;
  updateRevision: string;
  /** Look again after this long (minReadySeconds still running for some pod). */
  requeueAfterMs?: number;
}

interface Revisions {
  current: RO<RevisionObject>;
  update: RO<RevisionObject>;
  collisionCount: number;
}

/**
 * getStatefulSetRevisions: reuse the newest revision when its template is unchanged, renumber an
 * older equal one (rollback), or create one, stepping collisionCount past name collisions.
 */
function chooseRevisions(input: PlanInput, sorted: RO<RevisionObject>[], actions: Action[]): Revisions {
  const { set } = input;
  let collisionCount = set.status?.collisionCount ?? 0;
  const candidate = newRevision(set, nextRevision(sorted), collisionCount);
  const equal = sorted.filter((r) => equalRevision(r, candidate));
  let update: RO<RevisionObject>;
  if (equal.length && equalRevision(sorted[sorted.length - 1], candidate)) {
    update = sorted[sorted.length - 1];
  } else if (equal.length) {
    const found = equal[equal.length - 1];
    update = { ...found, revision: candidate.revision };
    actions.push({ type: 'renumberRevision', name: found.metadata.name ?? '', revision: candidate.revision ?? 1 });
  } else {
    update = createRevisionAvoidingCollisions(input, sorted, candidate, actions, collisionCount, (n) => (collisionCount = n));
  }
  const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

function createRevisionAvoidingCollisions(
  input: PlanInput, sorted: RO<RevisionObject>[], candidate: RevisionObject, actions: Action[],
  collisionCount: number, setCount: (n: number) => void,
): RO<RevisionObject> {
  const data = revisionDataJson(candidate.data);
  for (let count = collisionCount; ; count++) {
    const name = revisionNameFor(input.set.metadata.name ?? '', hashRevisionData(candidate.data, count));
    const existing = input.namespaceRevisions?.get(name) ?? sorted.find((r) => r.metadata.name === name);
    if (existing && revisionDataJson(existing.data) === data) {
      setCount(count);
      return existing;
    }
    if (existing) continue;
    setCount(count);
    // The hash label keeps the first hash, as CreateControllerRevision only renames on collision.
    const revision: RevisionObject = { ...candidate, metadata: { ...candidate.metadata, name } };
    actions.push({ type: 'createRevision', revision });
    return revision;
  }
}

interface Counts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

/** computeReplicaStatus over the pods that exist; terminating pods count as replicas and ready, not as current/updated. */
function countPods(pods: readonly RO<PodObject>[], minReadySeconds: number, now: number, revs: Revisions): Counts {
  const c: Counts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) c.replicas++;
    if (isRunningAndReady(pod)) {
      c.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) c.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (podRevision(pod) === revs.current.metadata.name) c.currentReplicas++;
      if (podRevision(pod) === revs.update.metadata.name) c.updatedReplicas++;
    }
  }
  return c;
}

/** The status struct as Go serialises it: zero counts with omitempty are left out. */
function statusFrom(set: RO<StatefulSetObject>, c: Counts, revs: Revisions): StatefulSetStatus {
  const s: StatefulSetStatus = { replicas: c.replicas, availableReplicas: c.availableReplicas };
  if (set.metadata.generation) s.observedGeneration = set.metadata.generation;
  if (c.readyReplicas) s.readyReplicas = c.readyReplicas;
  if (c.currentReplicas) s.currentReplicas = c.currentReplicas;
  if (c.updatedReplicas) s.updatedReplicas = c.updatedReplicas;
  if (revs.current.metadata.name) s.currentRevision = revs.current.metadata.name;
  if (revs.update.metadata.name) s.updateRevision = revs.update.metadata.name;
  s.collisionCount = revs.collisionCount;
  return s;
}

/** completeRollingUpdate: every replica updated and ready makes the update revision current. */
function completeRollingUpdate(set: RO<StatefulSetObject>, s: StatefulSetStatus): void {
  const want = replicasOf(set);
  if (set.spec?.updateStrategy?.type === 'RollingUpdate' && (s.updatedReplicas ?? 0) === want
    && (s.readyReplicas ?? 0) === want && s.replicas === want) {
    if (s.updatedReplicas) s.currentReplicas = s.updatedReplicas;
    else delete s.currentReplicas;
    if (s.updateRevision) s.currentRevision = s.updateRevision;
  }
}

/** inconsistentStatus: whether the computed status differs from the stored one in a field that matters. */
export function statusChanged(set: RO<StatefulSetObject>, s: StatefulSetStatus): boolean {
  const old: RO<StatefulSetStatus> = set.status ?? { replicas: 0 };
  return (s.observedGeneration ?? 0) > (old.observedGeneration ?? 0)
    || s.replicas !== (old.replicas ?? 0)
    || (s.currentReplicas ?? 0) !== (old.currentReplicas ?? 0)
    || (s.readyReplicas ?? 0) !== (old.readyReplicas ?? 0)
    || (s.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0)
    || (s.currentRevision ?? '') !== (old.currentRevision ?? '')
    || (s.availableReplicas ?? 0) !== (old.availableReplicas ?? 0)
    || (s.updateRevision ?? '') !== (old.updateRevision ?? '');
}

/** getStatefulSetMaxUnavailable: an int, or a percentage of replicas rounded down; at least 1. */
export function maxUnavailableOf(set: RO<StatefulSetObject>): number {
  const v = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const replicas = replicasOf(set);
  let n = typeof v === 'number' ? v : /^\d+%$/.test(v) ? Math.floor((Number(v.slice(0, -1)) * replicas) / 100) : Number(v);
  if (!Number.isFinite(n) || n < 1) n = 1;
  return n;
}

/** The work of one sync, with the state it changes as it goes (claims it created, pods it planned). */
class Sync {
  readonly actions: Action[] = [];
  readonly claims: Map<string, RO<ClaimObject>>;
  readonly planned = new Set<RO<PodObject>>();
  readonly minReadySeconds: number;
  readonly monotonic: boolean;
  failed = false;

  constructor(readonly input: PlanInput, readonly updateSet: RO<StatefulSetObject>) {
    this.claims = new Map(input.claims);
    this.minReadySeconds = input.set.spec?.minReadySeconds ?? 0;
    this.monotonic = input.set.spec?.podManagementPolicy !== 'Parallel';
  }

  get set(): RO<StatefulSetObject> {
    return this.input.set;
  }

  fail(message: string, event?: { reason: string; message: string }): true {
    this.failed = true;
    this.actions.push({ type: 'fail', message, event });
    return true;
  }

  /** createPersistentVolumeClaims: create what is missing, reuse what exists, refuse claims being deleted. */
  createClaims(set: RO<StatefulSetObject>, pod: RO<PodObject>): string | undefined {
    const errors: string[] = [];
    for (const claim of claimsForOrdinal(set, ordinalOf(pod)).values()) {
      const name = claim.metadata.name ?? '';
      const existing = this.claims.get(name);
      if (!existing) {
        this.actions.push({ type: 'createClaim', claim, podName: pod.metadata.name ?? '' });
        this.claims.set(name, claim);
      } else if (existing.metadata.deletionTimestamp) {
        errors.push(`pvc ${name} is being deleted`);
      }
    }
    return errors.length ? errors.join(', ') : undefined;
  }

  claimsMatchRetention(set: RO<StatefulSetObject>, pod: RO<PodObject>): boolean {
    if (!set.spec?.volumeClaimTemplates?.length) return true; // no claims to keep in line
    const scaledDown = !inOrdinalRange(pod, set);
    for (const claim of claimsForOrdinal(set, ordinalOf(pod)).values()) {
      const existing = this.claims.get(claim.metadata.name ?? '');
      if (existing && !isClaimOwnerUpToDate(existing, set, podIdentity(pod), scaledDown)) return false;
    }
    return true;
  }

  /** UpdatePodClaimForRetentionPolicy: rewrite the owner references of claims that do not fit the policy. */
  updateClaimsForRetention(set: RO<StatefulSetObject>, pod: RO<PodObject>): void {
    const scaledDown = !inOrdinalRange(pod, set);
    for (const claim of claimsForOrdinal(set, ordinalOf(pod)).values()) {
      const name = claim.metadata.name ?? '';
      const existing = this.claims.get(name);
      if (!existing || isClaimOwnerUpToDate(existing, set, podIdentity(pod), scaledDown)) continue;
      const ownerReferences = claimOwnerRefsFor(existing, set, podIdentity(pod), scaledDown);
      this.actions.push({ type: 'updateClaimOwners', name, podName: pod.metadata.name ?? '', ownerReferences });
      this.claims.set(name, { ...existing, metadata: { ...existing.metadata, ownerReferences } });
    }
  }

  /** PodClaimIsStale: under whenScaled=Delete, a claim still owned by an earlier pod of this name blocks. */
  podClaimIsStale(pod: RO<PodObject>): boolean {
    if (retentionPolicyOf(this.set).whenScaled === 'Retain') return false;
    for (const claim of claimsForOrdinal(this.set, ordinalOf(pod)).values()) {
      const existing = this.claims.get(claim.metadata.name ?? '');
      if (existing && hasStaleOwnerRef(existing, podIdentity(pod))) return true;
    }
    return false;
  }

  createStatefulPod(pod: RO<PodObject>): boolean {
    const err = this.createClaims(this.set, pod);
    if (err) return this.fail(err, podEvent('create', this.set, pod, err));
    this.actions.push({ type: 'createPod', pod: mutableCopy<PodObject>(pod) });
    this.updateClaimsForRetention(this.set, pod);
    return false;
  }

  /** UpdateStatefulPod: repair identity and storage; claims out of policy also dirty the pod. */
  updateStatefulPod(pod: RO<PodObject>): boolean {
    const set = this.updateSet;
    const copy = mutableCopy<PodObject>(pod);
    let consistent = true;
    if (!identityMatches(set, copy)) {
      updateIdentity(set, copy);
      consistent = false;
    }
    if (!storageMatches(set, copy)) {
      updateStorage(set, copy);
      consistent = false;
      const err = this.createClaims(set, copy);
      if (err) return this.fail(err, podEvent('update', this.set, pod, err));
    }
    if (!this.claimsMatchRetention(set, copy)) {
      this.updateClaimsForRetention(set, copy);
      consistent = false;
    }
    if (!consistent) this.actions.push({ type: 'updatePod', pod: copy });
    return false;
  }

  deletePod(pod: RO<PodObject>, reason: DeleteReason): void {
    if (this.planned.has(pod)) return; // never created: nothing to delete (NotFound upstream)
    this.actions.push({ type: 'deletePod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '', reason });
  }

  /** processReplica: true ends the sync (always in monotonic mode once blocked). */
  processReplica(pod: RO<PodObject>): boolean {
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) this.deletePod(pod, 'failed');
      return true;
    }
    if (!isCreated(pod)) {
      if (this.podClaimIsStale(pod)) return true;
      if (this.createStatefulPod(pod)) return true;
      if (this.monotonic) return true;
      return false; // burst: the new pod's claims were set up with it
    }
    if (isPending(pod)) {
      const err = this.createClaims(this.set, pod);
      if (err) return this.fail(err);
      this.updateClaimsForRetention(this.set, pod);
    }
    if (this.monotonic) {
      if (isTerminating(pod)) return true;
      if (!isRunningAndReady(pod)) return true;
      if (!isRunningAndAvailable(pod, this.minReadySeconds, this.input.now)) return true;
    }
    const retentionMatch = this.claimsMatchRetention(this.updateSet, pod);
    if (identityMatches(this.set, pod) && storageMatches(this.set, pod) && retentionMatch) return false;
    return this.updateStatefulPod(pod);
  }

  /** processCondemned: scale down from the highest ordinal; monotonic waits for health and deletes one. */
  processCondemned(pod: RO<PodObject>, firstUnhealthy: RO<PodObject> | undefined): boolean {
    if (isTerminating(pod)) return this.monotonic;
    if (this.monotonic && pod !== firstUnhealthy) {
      if (!isRunningAndReady(pod)) return true;
      if (!isRunningAndAvailable(pod, this.minReadySeconds, this.input.now)) return true;
    }
    this.deletePod(pod, 'scaleDown');
    return true;
  }

  /** runForAll: monotonic stops at the first blocker; burst does all and stops only on errors. */
  runForAll(pods: readonly RO<PodObject>[], fn: (pod: RO<PodObject>) => boolean): boolean {
    if (this.monotonic) return pods.some((p) => fn(p));
    for (const p of pods) fn(p);
    return this.failed;
  }
}

function podEvent(verb: 'create' | 'update', set: RO<StatefulSetObject>, pod: RO<PodObject>, err: string): { reason: string; message: string } {
  const reason = verb === 'create' ? 'FailedCreate' : 'FailedUpdate';
  return { reason, message: `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${err}` };
}

/** newVersionedStatefulSetPod: below the partition (or the current count) a new pod gets the current revision. */
function plannedPod(set: RO<StatefulSetObject>, currentSet: RO<StatefulSetObject>, updateSet: RO<StatefulSetObject>, revs: Revisions, ordinal: number): PodObject {
  const strategy = set.spec?.updateStrategy;
  const ru = strategy?.rollingUpdate;
  const start = startOrdinal(set);
  const useCurrent = (strategy?.type === 'RollingUpdate' && !ru && ordinal < start + (set.status?.currentReplicas ?? 0))
    || (!!ru && ordinal < start + (ru.partition ?? 0));
  return useCurrent
    ? newStatefulSetPod(currentSet, ordinal, revs.current.metadata.name ?? '')
    : newStatefulSetPod(updateSet, ordinal, revs.update.metadata.name ?? '');
}

/** How long until the next ready-but-not-yet-available pod becomes available. */
function untilNextAvailableMs(pods: readonly RO<PodObject>[], minReadySeconds: number, now: number): number {
  let soonest = Infinity;
  for (const pod of pods) {
    if (!isRunningAndReady(pod) || isRunningAndAvailable(pod, minReadySeconds, now)) continue;
    const since = readySinceMs(pod);
    if (since !== undefined) soonest = Math.min(soonest, since + minReadySeconds * 1000 - now + 1);
  }
  return Number.isFinite(soonest) ? Math.max(1, soonest) : minReadySeconds * 1000;
}

/**
 * One level-triggered sync of a StatefulSet (updateStatefulSet): from what exists, the writes that
 * move it one step toward its spec, the status to record, and the history to prune. Pure: the
 * same input always gives the same plan.
 */
/** How many missing pods one burst-mode sync plans (and creates). */
export const maxPlannedPerSync = 500;

export function planStatefulSet(input: PlanInput): Plan {
  const { set, now } = input;
  const actions: Action[] = [];
  const sorted = sortRevisions(input.revisions);
  const revs = chooseRevisions(input, sorted, actions);
  // A set being deleted keeps its history as it is: a revision created now would only be garbage
  // collected again (and re-created on the next sync, a livelock under foreground deletion).
  if (set.metadata.deletionTimestamp) actions.length = 0;
  const currentSet = applyRevision(set, revs.current);
  const updateSet = applyRevision(set, revs.update);
  const sync = new Sync(input, updateSet);
  sync.actions.push(...actions);

  const start = startOrdinal(set);
  const count = replicasOf(set);
  const inRange = new Map<number, RO<PodObject>>();
  const condemned: RO<PodObject>[] = [];
  for (const pod of input.pods) {
    const o = ordinalOf(pod);
    if (inOrdinalRange(pod, set)) inRange.set(o, pod);
    else if (o >= 0) condemned.push(pod);
  }
  // Missing ordinals get planned pods. In monotonic mode nothing looks past the first one: it is
  // unhealthy (firstUnhealthy stops there), processReplica stops the sync on it, and a pod that
  // does not exist counts for nothing in the status. So only that one is built (a template copy
  // per missing ordinal on every sync made OrderedReady quadratic). In burst mode at most
  // maxPlannedPerSync are: replicas may validly be 2^31 - 1, and planning them all at once took the
  // process down (kube-controller-manager would go the same way); the pods' events bring the next burst.
  const replicas: RO<PodObject>[] = [];
  let unplanned: RO<PodObject>[] | undefined;
  for (let i = 0; i < count; i++) {
    const pod = inRange.get(start + i);
    if (pod) {
      replicas.push(pod);
      continue;
    }
    if (sync.planned.size === maxPlannedPerSync) {
      unplanned = [...inRange].filter(([o]) => o > start + i).sort(([a], [b]) => a - b).map(([, p]) => p);
      break;
    }
    const planned = plannedPod(set, currentSet, updateSet, revs, start + i);
    sync.planned.add(planned);
    replicas.push(planned);
    if (sync.monotonic) break;
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const firstUnhealthy = [...replicas, ...[...condemned].reverse()].find((p) => !isHealthy(p));

  let rollingDeletes = 0;
  const finish = (pods: readonly RO<PodObject>[]): Plan => {
    const c = countPods(pods, sync.minReadySeconds, now, revs);
    const status = statusFrom(set, c, revs);
    if (rollingDeletes > 0) {
      const n = (status.currentReplicas ?? 0) - rollingDeletes;
      if (n) status.currentReplicas = n;
      else delete status.currentReplicas;
    }
    completeRollingUpdate(set, status);
    if (statusChanged(set, status)) sync.actions.push({ type: 'updateStatus', status });
    const live = new Set([revs.current.metadata.name ?? '', revs.update.metadata.name ?? '', ...input.pods.map(podRevision)]);
    for (const name of revisionsToPrune(sorted, live, set.spec?.revisionHistoryLimit ?? 10)) {
      sync.actions.push({ type: 'deleteRevision', name });
    }
    const plan: Plan = {
      actions: sync.actions, status,
      currentRevision: status.currentRevision ?? '', updateRevision: status.updateRevision ?? '',
    };
    if (!sync.failed && sync.minReadySeconds > 0 && status.availableReplicas !== count) {
      plan.requeueAfterMs = untilNextAvailableMs(pods, sync.minReadySeconds, now);
    }
    return plan;
  };
  const all = [...replicas, ...(unplanned ?? []), ...condemned];

  if (set.metadata.deletionTimestamp) return finish(input.pods);
  if (sync.runForAll(replicas, (p) => sync.processReplica(p))) return finish(all);
  // a burst cut short: the rest of the set is looked at once these pods exist
  if (unplanned) return finish(all);
  const fixClaims = (pod: RO<PodObject>): boolean => {
    if (!sync.claimsMatchRetention(updateSet, pod)) sync.updateClaimsForRetention(updateSet, pod);
    return false;
  };
  if (sync.runForAll(condemned, fixClaims)) return finish(all);
  if (sync.runForAll(condemned, (p) => sync.processCondemned(p, firstUnhealthy))) return finish(all);
  if (set.spec?.updateStrategy?.type === 'OnDelete') return finish(all);

  const ru = set.spec?.updateStrategy?.rollingUpdate;
  const updateMin = ru?.partition ?? 0;
  const updateName = revs.update.metadata.name;
  if (input.maxUnavailableEnabled) {
    const maxUnavailable = ru ? maxUnavailableOf(set) : 1;
    const unavailable = replicas.filter((p) => !isHealthy(p)).length;
    if (unavailable >= maxUnavailable) return finish(all);
    for (let target = replicas.length - 1; target >= updateMin && rollingDeletes < maxUnavailable - unavailable; target--) {
      const pod = replicas[target];
      if (podRevision(pod) !== updateName && !isTerminating(pod)) {
        sync.deletePod(pod, 'update');
        rollingDeletes++;
      }
    }
    return finish(all);
  }
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target];
    if (podRevision(pod) !== updateName && !isTerminating(pod)) {
      sync.deletePod(pod, 'update');
      rollingDeletes = 1;
      return finish(all);
    }
    if (!isHealthy(pod)) return finish(all);
  }
  return finish(all);
}
