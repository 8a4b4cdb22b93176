import type { Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../meta/clock.js';
import { forbidden, StatusError } from '../meta/errors.js';
import { selectorMatchesLabels } from '../meta/labels.js';
import type { KubeObject } from '../meta/types.js';
import { disruptionAllowedCondition } from '../registry/kinds/poddisruptionbudgets.js';
import { isPodReady } from '../registry/kinds/pod-conditions.js';
import type { Registry } from '../registry/generic.js';
import type { ResourceRef } from '../registry/resource.js';
import type { PodDisruptionBudgetObject } from '../registry/kinds/poddisruptionbudgets.js';

type BudgetStatus = NonNullable<PodDisruptionBudgetObject['status']>;

/** MaxDisruptedPodSize: evictions approved but not yet seen by the disruption controller. */
const maxDisruptedPods = 2000;
const violation = "Cannot evict pod as it would violate the pod's disruption budget.";

/** What the budget check decides: delete as asked, delete only the pod as read (unready pods), or refuse. */
export type BudgetVerdict = { delete: 'asIs' | 'atReadVersion' } | { refuse: StatusError };

/** canIgnorePDB: a pod that is done, not started, or already going has caused its disruption. */
export function canIgnoreBudget(pod: Pod & KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

function tooManyRequests(retryAfterSeconds: number, detail: string): StatusError {
  return new StatusError({
    code: 429, reason: 'TooManyRequests', message: violation,
    details: { ...(retryAfterSeconds ? { retryAfterSeconds } : {}), causes: [{ reason: 'DisruptionBudget', message: detail }] },
  });
}

/**
 * EvictionREST's budget check for a running pod: the one budget whose (non-empty) selector picks it
 * must allow a disruption, which the eviction then takes from it (checkAndDecrement), recording the
 * pod in disruptedPods so the disruption controller does not count it while it goes.
 */
export async function takeDisruption(registry: Registry, pod: Pod & KubeObject, dryRun: boolean, now: number): Promise<BudgetVerdict> {
  const ref = registry.ref('policy', 'poddisruptionbudgets');
  const namespace = pod.metadata.namespace ?? '';
  const covering = (await registry.list(ref, namespace)).items.filter((b) => {
    const sel = (b as PodDisruptionBudgetObject).spec?.selector;
    // a nil or empty selector matches nothing here, though the controller counts every pod for {}
    return !!sel && (Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions?.length ?? 0) > 0) && selectorMatchesLabels(sel, pod.metadata.labels);
  }) as PodDisruptionBudgetObject[];
  if (covering.length > 1) {
    return { refuse: new StatusError({ code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' }) };
  }
  const pdb = covering[0];
  if (!pdb) return { delete: 'asIs' };
  const s: Partial<BudgetStatus> = pdb.status ?? {};
  if (!isPodReady(pod)) {
    // an unready pod is not counted healthy, so evicting it takes nothing from the budget
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || ((s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0) && (s.desiredHealthy ?? 0) > 0)) {
      return { delete: 'atReadVersion' };
    }
  }
  return decrement(registry, ref, pdb, pod.metadata.name!, dryRun, now);
}

async function decrement(registry: Registry, ref: ResourceRef, first: PodDisruptionBudgetObject, podName: string, dryRun: boolean, now: number): Promise<BudgetVerdict> {
  const { namespace, name } = first.metadata;
  let refusal: StatusError | undefined;
  await registry.guaranteedUpdate(ref, namespace ?? '', name!, undefined, { dryRun }, (current) => {
    const pdb = current as PodDisruptionBudgetObject;
    const s: Partial<BudgetStatus> = pdb.status ?? {};
    refusal = budgetRefusal(pdb);
    if (refusal) return current;
    const disruptionsAllowed = (s.disruptionsAllowed ?? 0) - 1;
    const conditions = disruptionsAllowed === 0 ? disruptionAllowedCondition(s.conditions, false, s.observedGeneration ?? 0, now) : s.conditions;
    const disruptedPods = dryRun ? s.disruptedPods : { ...s.disruptedPods, [podName]: rfc3339(now) };
    return { ...pdb, status: { ...s, disruptionsAllowed, ...(conditions ? { conditions } : {}), ...(disruptedPods ? { disruptedPods } : {}) } } as KubeObject;
  }, 'status');
  return refusal ? { refuse: refusal } : { delete: 'asIs' };
}

/** checkAndDecrement's refusals, in its order. */
function budgetRefusal(pdb: PodDisruptionBudgetObject): StatusError | undefined {
  const s: Partial<BudgetStatus> = pdb.status ?? {};
  const name = pdb.metadata.name!;
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) return tooManyRequests(10, `The disruption budget ${name} is still being processed by the server.`);
  const gr = { group: 'policy', resource: 'poddisruptionbudget' };
  if ((s.disruptionsAllowed ?? 0) < 0) return forbidden(gr, name, 'pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > maxDisruptedPods) return forbidden(gr, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if ((s.disruptionsAllowed ?? 0) === 0) return tooManyRequests(0, `The disruption budget ${name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`);
  return undefined;
}
