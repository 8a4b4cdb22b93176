import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { labelSelectorMatcher, selectorMatchesLabels } from '../meta/labels.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { InformerEvent } from '../store/informer.js';
import { deepEqual } from '../registry/equality.js';
import { disruptionAllowedCondition, type PodDisruptionBudgetObject } from '../registry/kinds/poddisruptionbudgets.js';
import type { Controller, ControllerDeps } from './deps.js';
import { isPodReady } from '../registry/kinds/pod-conditions.js';
import { eventRecorder } from './events.js';
import { runningController, WorkQueue, type Result } from './runtime.js';

type RPod = DeepReadonly<Pod & KubeObject>;
type RSet = DeepReadonly<StatefulSet & KubeObject>;
type RBudget = DeepReadonly<PodDisruptionBudgetObject>;

const budgets = { group: 'policy', resource: 'poddisruptionbudgets' };
const pdbRef = { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1' };
/** How long an eviction's entry in disruptedPods counts before the pod must be gone (DeletionTimeout). */
export const disruptedPodTimeoutMs = 2 * 60_000;

/** What a budget's status says of its pods: trySync's counts. */
export interface BudgetCounts {
  /** Selected pods without a controller, which a scale-based budget cannot count. */
  unmanagedPods: string[];
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
  disruptedPods: Record<string, string>;
  /** When the oldest kept disruptedPods entry runs out and the budget needs another look. */
  recheckAtMs?: number;
}

/** GetScaledValueFromIntOrPercent with rounding up. */
function scaled(value: number | string, total: number): number {
  return typeof value === 'number' ? value : Math.ceil((Number(value.slice(0, -1)) * total) / 100);
}

/**
 * getExpectedScale: the replicas of the distinct controllers of the pods; pods without a controller are
 * left out and named. kubemock serves one kind of pod controller, StatefulSets; a pod with another
 * controller makes the count fail as kube's does when no finder knows it.
 */
function expectedScale(pods: RPod[], sets: (ns: string, name: string) => RSet | undefined): { count: number; unmanaged: string[] } | Error {
  const seen = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref) unmanaged.push(pod.metadata.name!);
    if (!ref || seen.has(ref.uid)) continue;
    const set = ref.kind === 'StatefulSet' && ref.apiVersion.startsWith('apps/') ? sets(pod.metadata.namespace ?? '', ref.name) : undefined;
    if (!set || set.metadata.uid !== ref.uid) return new Error(`found no controllers for pod "${pod.metadata.name}"`);
    seen.set(ref.uid, set.spec?.replicas ?? 1);
  }
  return { count: [...seen.values()].reduce((a, b) => a + b, 0), unmanaged };
}

/** The String() of a generated LabelSelector, as the UnmanagedPods event prints it with %v. */
function goLabelSelector(sel: DeepReadonly<LabelSelector> | undefined): string {
  if (!sel) return '<nil>';
  const labels = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}: ${sel.matchLabels![k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

/** trySync's arithmetic for one budget over the pods its selector picks; an Error when the scale is unknown. */
export function countBudget(pdb: RBudget, pods: RPod[], sets: (ns: string, name: string) => RSet | undefined, now: number): BudgetCounts | Error {
  const spec = pdb.spec ?? {};
  let expectedPods = 0;
  let desiredHealthy = 0;
  let unmanagedPods: string[] = [];
  if (spec.maxUnavailable !== undefined || typeof spec.minAvailable === 'string') {
    const scale = expectedScale(pods, sets);
    if (scale instanceof Error) return scale;
    ({ count: expectedPods, unmanaged: unmanagedPods } = scale);
    desiredHealthy = spec.maxUnavailable !== undefined ? Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods)) : scaled(spec.minAvailable!, expectedPods);
  } else if (spec.minAvailable !== undefined) {
    desiredHealthy = spec.minAvailable;
    expectedPods = pods.length;
  }
  // buildDisruptedPodMap: an eviction's entry stays while its pod exists, is not yet deleting, and is recent
  const disruptedPods: Record<string, string> = {};
  let recheckAtMs: number | undefined;
  for (const pod of pods) {
    const at = pdb.status?.disruptedPods?.[pod.metadata.name!];
    if (!at || pod.metadata.deletionTimestamp) continue;
    const expires = Date.parse(at) + disruptedPodTimeoutMs;
    if (expires < now) continue;
    disruptedPods[pod.metadata.name!] = at;
    recheckAtMs = Math.min(recheckAtMs ?? expires, expires);
  }
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !disruptedPods[p.metadata.name!] && isPodReady(p)).length;
  const disruptionsAllowed = expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  return { unmanagedPods, currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, disruptedPods, ...(recheckAtMs ? { recheckAtMs } : {}) };
}


/**
 * kube-controller-manager's disruption controller: each PodDisruptionBudget's status counts the healthy
 * pods it selects against what it must keep, and how many may be disrupted now; evictions read it.
 */
export function startDisruptionController(deps: ControllerDeps): Controller {
  const { informers, clock, logger } = deps;
  const client = deps.client.as('kube-controller-manager');
  const events = eventRecorder(deps.client, clock, logger, 'controllermanager');
  const pdbs = informers.for<PodDisruptionBudgetObject>('policy', 'poddisruptionbudgets');
  const pods = informers.for<Pod & KubeObject>('', 'pods');
  const sets = informers.for<StatefulSet & KubeObject>('apps', 'statefulsets');

  const reconcile = async (key: string): Promise<Result | void> => {
    if (!pdbs.hasSynced() || !pods.hasSynced() || !sets.hasSynced()) return { requeueAfterMs: 100 };
    const [ns, name] = key.split('/');
    const pdb = pdbs.get(ns, name);
    if (!pdb) return;
    const selects = labelSelectorMatcher(pdb.spec?.selector);
    const selected = pods.list(ns).filter((p) => selects(p.metadata.labels));
    if (!selected.length) events.event(pdb, pdbRef, 'Normal', 'NoPods', 'No matching pods found');
    const now = clock.now();
    const counts = countBudget(pdb, selected, (n, s) => sets.get(n, s), now);
    const status = counts instanceof Error ? failSafe(pdb, counts, now) : budgetStatus(pdb, counts, now);
    if (!deepEqual(status, pdb.status)) await client.updateStatus(budgets, ns, { ...pdb, status } as PodDisruptionBudgetObject);
    return !(counts instanceof Error) && counts.recheckAtMs ? { requeueAfterMs: counts.recheckAtMs - now } : undefined;
  };

  /** failSafe: no disruptions until the expected count can be made. */
  const failSafe = (pdb: RBudget, err: Error, now: number): object => {
    events.event(pdb, pdbRef, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${err.message}`);
    return { ...pdb.status, disruptionsAllowed: 0, conditions: disruptionAllowedCondition(pdb.status?.conditions, false, pdb.metadata.generation ?? 0, now, err.message) };
  };

  const budgetStatus = (pdb: RBudget, counts: BudgetCounts, now: number): object => {
    const { recheckAtMs: _recheck, disruptedPods, unmanagedPods, ...numbers } = counts;
    if (unmanagedPods.length) {
      events.event(pdb, pdbRef, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${goLabelSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
    }
    const generation = pdb.metadata.generation ?? 0;
    return {
      ...numbers,
      ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
      observedGeneration: generation,
      conditions: disruptionAllowedCondition(pdb.status?.conditions, numbers.disruptionsAllowed > 0, generation, now),
    };
  };

  const queue = new WorkQueue({ name: 'disruption', clock, logger, reconcile });
  const inNamespace = (ns: string | undefined, picks: (b: RBudget) => boolean = () => true): void => {
    for (const p of pdbs.list(ns)) if (picks(p)) queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  };
  // a pod wakes the budgets that select it (before or after a label change), as getPdbForPod finds them
  const onPod = (e: InformerEvent<Pod & KubeObject>): void => {
    const labels = [e.object.metadata.labels, e.type === 'MODIFIED' ? e.previous.metadata.labels : undefined];
    inNamespace(e.object.metadata.namespace, (b) => labels.some((l) => l && selectorMatchesLabels(b.spec?.selector, l)));
  };
  const offs = [
    pdbs.onEvent((e) => queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`)),
    pods.onEvent(onPod),
    // a set's replicas are the expected count of the budgets selecting its pods
    sets.onEvent((e) => inNamespace(e.object.metadata.namespace, (b) => selectorMatchesLabels(b.spec?.selector, e.object.spec?.template?.metadata?.labels))),
  ];
  pdbs.start();
  pods.start();
  sets.start();
  inNamespace(undefined);
  return runningController('disruption', queue, offs);
}
