import type { Violation } from './validate.js';

/**
 * Deviations the contract tests have found and that are owned elsewhere (server or document generator).
 * Each is matched narrowly so that anything new still fails; delete an entry once its cause is fixed
 * (test/contract.test.ts then fails if the entry no longer matches anything, so this list cannot rot).
 */
export interface KnownDeviation {
  check: Violation['check'];
  pattern: RegExp;
  why: string;
}

export const knownDeviations: KnownDeviation[] = [
  {
    // Go's StatefulSetStatus.replicas has no omitempty: a new StatefulSet comes back with status {replicas: 0, availableReplicas: 0}.
    check: 'response',
    pattern: /^\/status: missing required field "replicas"$/,
    why: 'server: a created StatefulSet is returned without status.replicas (the apiserver always writes replicas: 0)',
  },
  {
    check: 'upstream',
    pattern: /^StatefulSet [^:]+: (data\/spec\/volumeClaimTemplates\/\d+ must have required property (apiVersion|kind), )*data\/status must have required property replicas$/,
    why: 'server: same missing status.replicas, and apps/v1beta1 volumeClaimTemplates lack apiVersion: v1 / kind: PersistentVolumeClaim (the apiserver sets them when converting, see k8s.io/kubernetes pkg/apis/apps/v1beta1 conversion, issue 87583)',
  },
  {
    check: 'request',
    pattern: /^\/spec: missing required field "selector"$/,
    why: 'document: apps/v1beta1 (and v1beta2) StatefulSetSpec marks selector required, as apps/v1 does; upstream v1beta1 defaults it from the template labels, so kubectl create -f of the seed manifest is valid',
  },
];

export function partitionKnown(violations: readonly Violation[]): { unexpected: Violation[]; known: Map<KnownDeviation, number> } {
  const known = new Map<KnownDeviation, number>();
  const unexpected: Violation[] = [];
  for (const v of violations) {
    const d = knownDeviations.find((k) => k.check === v.check && k.pattern.test(v.message));
    if (d) known.set(d, (known.get(d) ?? 0) + 1);
    else unexpected.push(v);
  }
  return { unexpected, known };
}
