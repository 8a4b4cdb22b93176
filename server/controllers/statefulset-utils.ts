import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import { deepCopy } from '../meta/deep-copy.js';

/** Kind objects as the controller handles them: kubernetes-types bodies with server metadata. */
type Obj<T> = Omit<T, 'metadata' | 'apiVersion' | 'kind'> & KubeObject;
export type StatefulSetObject = Obj<StatefulSet>;
export type PodObject = Obj<Pod>;
export type ClaimObject = Obj<PersistentVolumeClaim>;
export type RevisionObject = Obj<ControllerRevision>;
export type RO<T> = DeepReadonly<T>;

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
export const revisionLabel = 'controller-revision-hash';
export const setKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
export const podKind = { apiVersion: 'v1', kind: 'Pod' } as const;

/** A cache object as a private, changeable copy ("don't mutate the shared cache"). */
export function mutableCopy<T>(obj: DeepReadonly<T>): T {
  return deepCopy(obj) as T;
}

const statefulPodRegex = /^(.*)-([0-9]+)$/;

/** Parsed names: every sync asks for the ordinal of every pod several times. */
const parsedNames = new Map<string, Readonly<{ parent: string; ordinal: number }>>();
const parsedNamesLimit = 100_000;

/** getParentNameAndOrdinal: "<parent>-<ordinal>", or ordinal -1 when the name does not parse. */
export function parentNameAndOrdinal(podName: string): Readonly<{ parent: string; ordinal: number }> {
  let parsed = parsedNames.get(podName);
  if (parsed) return parsed;
  const m = statefulPodRegex.exec(podName);
  const n = m ? Number(m[2]) : -1;
  parsed = Object.freeze(m ? { parent: m[1], ordinal: n <= 2 ** 31 - 1 ? n : -1 } : { parent: '', ordinal: -1 });
  if (parsedNames.size >= parsedNamesLimit) parsedNames.clear();
  parsedNames.set(podName, parsed);
  return parsed;
}

export function ordinalOf(pod: RO<PodObject>): number {
  return parentNameAndOrdinal(pod.metadata.name ?? '').ordinal;
}

export function isMemberOf(set: RO<StatefulSetObject>, pod: RO<PodObject>): boolean {
  return parentNameAndOrdinal(pod.metadata.name ?? '').parent === set.metadata.name;
}

export function podNameFor(set: RO<StatefulSetObject>, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function claimNameFor(templateName: string, set: RO<StatefulSetObject>, ordinal: number): string {
  return `${templateName}-${set.metadata.name}-${ordinal}`;
}

export function startOrdinal(set: RO<StatefulSetObject>): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function replicasOf(set: RO<StatefulSetObject>): number {
  return set.spec?.replicas ?? 1;
}

/** The last ordinal in range (inclusive). */
export function endOrdinal(set: RO<StatefulSetObject>): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

export function inOrdinalRange(pod: RO<PodObject>, set: RO<StatefulSetObject>): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

/**
 * What a sync asks of a pod's status, read once per status object: a sync asks it of every pod,
 * several times, and pods from the API differ in shape, so each read is a slow megamorphic load.
 * Keyed by the status object, which nothing here changes in place (cached pods are read-only;
 * the controller's own pods have no status).
 */
interface StatusFacts {
  phase: string;
  runningAndReady: boolean;
  readySinceMs: number | undefined;
}

const statusFactsCache = new WeakMap<object, StatusFacts>();
const noStatus: StatusFacts = Object.freeze({ phase: '', runningAndReady: false, readySinceMs: undefined });

function statusFacts(pod: RO<PodObject>): StatusFacts {
  const status = pod.status;
  if (!status) return noStatus;
  let facts = statusFactsCache.get(status);
  if (facts) return facts;
  const ready = (status.conditions ?? []).find((c) => c.type === 'Ready');
  const t = ready?.lastTransitionTime;
  const ms = t ? Date.parse(t) : NaN;
  facts = {
    phase: status.phase ?? '',
    runningAndReady: status.phase === 'Running' && ready?.status === 'True',
    readySinceMs: Number.isNaN(ms) ? undefined : ms,
  };
  statusFactsCache.set(status, facts);
  return facts;
}

export const isCreated = (pod: RO<PodObject>): boolean => !!statusFacts(pod).phase;
export const isPending = (pod: RO<PodObject>): boolean => statusFacts(pod).phase === 'Pending';
export const isFailed = (pod: RO<PodObject>): boolean => statusFacts(pod).phase === 'Failed';
export const isSucceeded = (pod: RO<PodObject>): boolean => statusFacts(pod).phase === 'Succeeded';
export const isTerminating = (pod: RO<PodObject>): boolean => !!pod.metadata.deletionTimestamp;

export function isRunningAndReady(pod: RO<PodObject>): boolean {
  return statusFacts(pod).runningAndReady;
}

/** When the pod's Ready condition last turned True, in ms, or undefined when unknown. */
export function readySinceMs(pod: RO<PodObject>): number | undefined {
  return statusFacts(pod).readySinceMs;
}

/** podutil.IsPodAvailable: ready, and ready for strictly longer than minReadySeconds. */
export function isRunningAndAvailable(pod: RO<PodObject>, minReadySeconds: number, nowMs: number): boolean {
  if (!isRunningAndReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = readySinceMs(pod);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

export function isHealthy(pod: RO<PodObject>): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

export function podRevision(pod: RO<PodObject>): string {
  return pod.metadata.labels?.[revisionLabel] ?? '';
}

export function controllerRefOf(obj: RO<KubeObject>): RO<OwnerReference> | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function newControllerRef(owner: RO<KubeObject>, kind: { apiVersion: string; kind: string }): OwnerReference {
  return {
    apiVersion: kind.apiVersion, kind: kind.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

/** identityMatches: the pod's name and pod-name label fit its ordinal in this set. */
export function identityMatches(set: RO<StatefulSetObject>, pod: RO<PodObject>): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod.metadata.name ?? '');
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === podNameFor(set, ordinal)
    && pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[podNameLabel] === pod.metadata.name;
}

/** storageMatches: every claim template is mounted from the pod's own claim. */
export function storageMatches(set: RO<StatefulSetObject>, pod: RO<PodObject>): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  if (!set.spec?.volumeClaimTemplates?.length) return true;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec?.volumeClaimTemplates ?? []).every((t) => {
    const v = volumes.get(t.metadata?.name ?? '');
    return v?.persistentVolumeClaim?.claimName === claimNameFor(t.metadata?.name ?? '', set, ordinal);
  });
}

/** updateIdentity: name, namespace, and the pod-name and pod-index labels. */
export function updateIdentity(set: RO<StatefulSetObject>, pod: PodObject): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podNameFor(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [podNameLabel]: pod.metadata.name, [podIndexLabel]: String(ordinal) };
}

/**
 * getPersistentVolumeClaims: the claims a pod of this ordinal uses, keyed by template name. Labels
 * are the template's overlaid with the selector's matchLabels; nothing else is added.
 */
export function claimsForOrdinal(set: RO<StatefulSetObject>, ordinal: number): Map<string, ClaimObject> {
  const out = new Map<string, ClaimObject>();
  const templates = set.spec?.volumeClaimTemplates;
  if (!templates?.length) return out;
  for (const t of templates) {
    const tmpl = mutableCopy<ClaimObject>(t as RO<ClaimObject>);
    const templateName = t.metadata?.name ?? '';
    const meta = { ...(tmpl.metadata ?? {}) };
    meta.name = claimNameFor(templateName, set, ordinal);
    meta.namespace = set.metadata.namespace;
    meta.labels = { ...(meta.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    delete meta.creationTimestamp;
    const claim: ClaimObject = { ...tmpl, metadata: meta };
    delete claim.status;
    out.set(templateName, claim);
  }
  return out;
}

/**
 * updateStorage: claim volumes first (replacing same-named template volumes), then the rest. kube
 * sets ReadOnly: false, which its JSON leaves out (omitempty), so no readOnly key here.
 */
export function updateStorage(set: RO<StatefulSetObject>, pod: PodObject): void {
  const claims = claimsForOrdinal(set, ordinalOf(pod));
  const volumes: Volume[] = [...claims].map(([name, claim]) => ({
    name, persistentVolumeClaim: { claimName: claim.metadata.name ?? '' },
  }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? { containers: [] }), volumes };
}

/**
 * newStatefulSetPod (GetPodFromTemplate + initIdentity + updateStorage): labels, annotations and
 * finalizers from the template, a controller reference, hostname and subdomain set once.
 */
export function newStatefulSetPod(set: RO<StatefulSetObject>, ordinal: number, revisionName: string): PodObject {
  const template = mutableCopy<NonNullable<StatefulSet['spec']>['template']>(set.spec!.template);
  const tm = template.metadata ?? {};
  const pod: PodObject = {
    metadata: {
      name: podNameFor(set, ordinal),
      generateName: `${set.metadata.name}-`,
      namespace: set.metadata.namespace,
      labels: { ...(tm.labels ?? {}) },
      ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
      ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
      ownerReferences: [newControllerRef(set, setKind)],
    },
    spec: template.spec ?? { containers: [] },
  };
  updateIdentity(set, pod);
  pod.spec!.hostname = pod.metadata.name;
  pod.spec!.subdomain = set.spec?.serviceName;
  updateStorage(set, pod);
  pod.metadata.labels![revisionLabel] = revisionName;
  return pod;
}

// ---- PVC retention (ownerReferences carry whenDeleted / whenScaled; the garbage collector deletes) ----

export type RetentionPolicy = { whenDeleted: string; whenScaled: string };

export function retentionPolicyOf(set: RO<StatefulSetObject>): RetentionPolicy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted || 'Retain', whenScaled: p?.whenScaled || 'Retain' };
}

/** The identity an owner reference is compared with: the set or one of its pods (which may not exist yet). */
export interface OwnerIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export function setIdentity(set: RO<StatefulSetObject>): OwnerIdentity {
  return { ...setKind, name: set.metadata.name ?? '', uid: set.metadata.uid ?? '' };
}

export function podIdentity(pod: RO<PodObject>): OwnerIdentity {
  return { ...podKind, name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}

const matchesRef = (ref: RO<OwnerReference>, o: OwnerIdentity): boolean =>
  ref.apiVersion === o.apiVersion && ref.kind === o.kind && ref.name === o.name;

const hasOwnerRef = (claim: RO<ClaimObject>, o: OwnerIdentity): boolean =>
  (claim.metadata.ownerReferences ?? []).some((r) => r.uid === o.uid);

/** A reference that names the object but with another UID: left by an earlier incarnation. */
export function hasStaleOwnerRef(claim: RO<ClaimObject>, o: OwnerIdentity): boolean {
  const ref = (claim.metadata.ownerReferences ?? []).find((r) => matchesRef(r, o));
  return !!ref && ref.uid !== o.uid;
}

function hasUnexpectedController(claim: RO<ClaimObject>, set: OwnerIdentity, pod: OwnerIdentity, policy: RetentionPolicy): boolean {
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const ref of claim.metadata.ownerReferences ?? []) {
    if (matchesRef(ref, set)) {
      if (ref.uid !== set.uid) return true;
      continue;
    }
    if (matchesRef(ref, pod)) {
      if (ref.uid !== pod.uid) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

const hasNonControllerOwner = (claim: RO<ClaimObject>, set: OwnerIdentity, pod: OwnerIdentity): boolean =>
  (claim.metadata.ownerReferences ?? []).some((r) => (r.uid === set.uid || r.uid === pod.uid) && !r.controller);

/** The owners a claim should have under the policy: the set while its pod is in range, the pod once condemned. */
function desiredOwners(policy: RetentionPolicy, podScaledDown: boolean): { set: boolean; pod: boolean } {
  return {
    set: policy.whenDeleted === 'Delete' && !(policy.whenScaled === 'Delete' && podScaledDown),
    pod: policy.whenScaled === 'Delete' && podScaledDown,
  };
}

/** isClaimOwnerUpToDate: stale or foreign-controlled claims count as up to date (hands off). */
export function isClaimOwnerUpToDate(claim: RO<ClaimObject>, set: RO<StatefulSetObject>, pod: OwnerIdentity, podScaledDown: boolean): boolean {
  const s = setIdentity(set);
  const policy = retentionPolicyOf(set);
  if (hasStaleOwnerRef(claim, s) || hasStaleOwnerRef(claim, pod)) return true;
  if (hasUnexpectedController(claim, s, pod, policy)) return !(hasOwnerRef(claim, s) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, s, pod)) return false;
  const want = desiredOwners(policy, podScaledDown);
  return hasOwnerRef(claim, s) === want.set && hasOwnerRef(claim, pod) === want.pod;
}

/** updateClaimOwnerRefForSetAndPod: drop our refs, then add the controller refs the policy wants. */
export function claimOwnerRefsFor(claim: RO<ClaimObject>, set: RO<StatefulSetObject>, pod: OwnerIdentity, podScaledDown: boolean): OwnerReference[] {
  const s = setIdentity(set);
  const policy = retentionPolicyOf(set);
  const unexpected = hasUnexpectedController(claim, s, pod, policy);
  const refs = mutableCopy<OwnerReference[]>(claim.metadata.ownerReferences ?? [])
    .filter((r) => !matchesRef(r, s) && !matchesRef(r, pod));
  if (unexpected) return refs;
  const want = desiredOwners(policy, podScaledDown);
  const add = (o: OwnerIdentity): void => {
    if (!refs.some((r) => r.uid === o.uid)) refs.push({ ...o, controller: true, blockOwnerDeletion: true });
  };
  if (want.pod) add(pod);
  if (want.set) add(s);
  return refs;
}
