import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { rfc3339 } from '../../meta/clock.js';
import type { FieldError } from '../../meta/errors.js';
import { fromLabelSelector } from '../../meta/labels.js';
import type { KubeObject } from '../../meta/types.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { invalidPercentDetail, nonNegative, oneOf } from './fieldrules.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type PodDisruptionBudgetObject = Mutable<PodDisruptionBudget> & KubeObject;

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent. */
function intOrPercentErrors(value: number | string, field: string): FieldError[] {
  if (typeof value === 'number') return nonNegative(value, field);
  if (!/^[0-9]+%$/.test(value)) return [{ type: 'Invalid', field, value, detail: invalidPercentDetail }];
  return Number(value.slice(0, -1)) > 100 ? [{ type: 'Invalid', field, value, detail: 'must not be greater than 100%' }] : [];
}

/** ValidatePodDisruptionBudgetSpec (policy/v1). */
function validateSpec(pdb: PodDisruptionBudgetObject): FieldError[] {
  const spec = pdb.spec ?? {};
  const out: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    out.push({ type: 'Invalid', field: 'spec', value: spec, detail: 'minAvailable and maxUnavailable cannot be both set' });
  }
  if (spec.minAvailable !== undefined) out.push(...intOrPercentErrors(spec.minAvailable, 'spec.minAvailable'));
  if (spec.maxUnavailable !== undefined) out.push(...intOrPercentErrors(spec.maxUnavailable, 'spec.maxUnavailable'));
  if (spec.selector) out.push(...fromLabelSelector(spec.selector, 'spec.selector').errors);
  if (spec.unhealthyPodEvictionPolicy !== undefined) out.push(...oneOf(spec.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget'], 'spec.unhealthyPodEvictionPolicy'));
  return out;
}

/** ValidatePodDisruptionBudgetStatusUpdate (policy/v1). */
function validateStatus(pdb: PodDisruptionBudgetObject): FieldError[] {
  const s = pdb.status;
  return ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'].flatMap((f) => nonNegative((s as Record<string, number> | undefined)?.[f], `status.${f}`));
}

/** An IntOrString as its String() prints it, or printPodDisruptionBudget's N/A. */
function orNA(v: number | string | undefined): string {
  return v === undefined ? 'N/A' : String(v);
}

export function poddisruptionbudgets(): ResourceInfo<PodDisruptionBudgetObject> {
  return {
    group: 'policy',
    versions: [{ name: 'v1' }],
    resource: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    statusSubresource: true,
    strategy: {
      hasStatus: true,
      tracksGeneration: true,
      prepareForCreate(pdb) {
        // the four counts have no omitempty: a new budget shows them as 0
        pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
      },
      validate: validateSpec,
      validateUpdate: validateSpec,
      validateStatusUpdate: validateStatus,
      table: {
        columns: [
          nameColumn,
          column('Min Available', 'string', 'The minimum number of pods that must be available.'),
          column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
          column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
          ageColumn,
        ],
        cells: (pdb, now) => [pdb.metadata.name, orNA(pdb.spec?.minAvailable), orNA(pdb.spec?.maxUnavailable), pdb.status?.disruptionsAllowed ?? 0, age(pdb, now)],
      },
    },
  };
}

/** pdbhelper.UpdateDisruptionAllowedCondition through apimeta.SetStatusCondition. */
export function disruptionAllowedCondition(conditions: readonly Condition[] | undefined, allowed: boolean, observedGeneration: number, now: number, failure?: string): Condition[] {
  const reason = failure ? 'SyncFailed' : allowed ? 'SufficientPods' : 'InsufficientPods';
  const status = allowed && !failure ? 'True' : 'False';
  const old = conditions?.find((c) => c.type === 'DisruptionAllowed');
  const next: Condition = {
    type: 'DisruptionAllowed', status, observedGeneration, reason, message: failure ?? '',
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : rfc3339(now),
  };
  return [...(conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed'), next];
}
