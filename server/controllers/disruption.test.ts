import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../meta/types.js';
import type { PodDisruptionBudgetObject } from '../registry/kinds/poddisruptionbudgets.js';
import { disruptionAllowedCondition } from '../registry/kinds/poddisruptionbudgets.js';
import { countBudget, disruptedPodTimeoutMs } from './disruption.js';

const now = Date.parse('2026-11-25T10:00:00Z');
const set = { metadata: { name: 'web', namespace: 'default', uid: 'set-uid' }, spec: { replicas: 5 } } as StatefulSet & KubeObject;
const sets = (_ns: string, name: string) => (name === 'web' ? set : undefined);
function pod(i: number, ready = true, extra: Partial<KubeObject['metadata']> = {}): Pod & KubeObject {
  return {
    metadata: { name: `web-${i}`, namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true }], ...extra },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}
const budget = (spec: PodDisruptionBudgetObject['spec'], status: Partial<NonNullable<PodDisruptionBudgetObject['status']>> = {}) => ({ metadata: { name: 'b', generation: 1 }, spec, status }) as PodDisruptionBudgetObject;

test('minAvailable as a number counts the selected pods; as a percent, the controller\'s replicas, rounded up', () => {
  const pods = [pod(0), pod(1), pod(2, false)];
  assert.deepEqual(countBudget(budget({ minAvailable: 1 }), pods, sets, now), { unmanagedPods: [], currentHealthy: 2, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 1, disruptedPods: {} });
  const pct = countBudget(budget({ minAvailable: '50%' }), pods, sets, now);
  assert.ok(!(pct instanceof Error));
  assert.deepEqual([pct.expectedPods, pct.desiredHealthy, pct.disruptionsAllowed], [5, 3, 0]);
});

test('maxUnavailable subtracts from the replicas; disruptions never go below zero', () => {
  const c = countBudget(budget({ maxUnavailable: '30%' }), [pod(0), pod(1), pod(2), pod(3), pod(4)], sets, now);
  assert.ok(!(c instanceof Error));
  assert.deepEqual([c.expectedPods, c.desiredHealthy, c.currentHealthy, c.disruptionsAllowed], [5, 3, 5, 2]);
});

test('an evicted pod stays in disruptedPods, uncounted, until it deletes or the timeout passes', () => {
  const recent = new Date(now - 1000).toISOString();
  const old = new Date(now - disruptedPodTimeoutMs - 1).toISOString();
  const c = countBudget(budget({ minAvailable: 1 }, { disruptedPods: { 'web-0': recent, 'web-1': old, 'web-2': recent } }), [pod(0), pod(1), pod(2, true, { deletionTimestamp: recent })], sets, now);
  assert.ok(!(c instanceof Error));
  assert.deepEqual(c.disruptedPods, { 'web-0': recent });
  assert.equal(c.currentHealthy, 1, 'web-0 is disrupted and web-2 is deleting');
  assert.equal(c.recheckAtMs, Date.parse(recent) + disruptedPodTimeoutMs);
});

test('the DisruptionAllowed condition keeps its transition time while its status holds', () => {
  const first = disruptionAllowedCondition(undefined, true, 1, now);
  assert.deepEqual(first, [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, reason: 'SufficientPods', message: '', lastTransitionTime: '2026-11-25T10:00:00Z' }]);
  assert.equal(disruptionAllowedCondition(first, true, 2, now + 5000)[0].lastTransitionTime, '2026-11-25T10:00:00Z');
  assert.equal(disruptionAllowedCondition(first, false, 2, now + 5000)[0].lastTransitionTime, '2026-11-25T10:00:05Z');
});
