import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNode, readinessTaints } from './node-objects.js';
import { fitErrorMessage, schedulePod, type ScheduleInput } from './scheduler.js';

const now = Date.parse('2026-01-01T00:00:00Z');
const node = (i: number) => buildNode({ name: `n${i}`, internalIP: `127.0.0.${i}`, podCidr: '127.10.1.0/24', zone: 'z', kubeletVersion: 'v1.32.9' }, now);
const pod = (extra: Record<string, unknown> = {}, name = 'p') => ({ metadata: { name, namespace: 'default', uid: name }, spec: { containers: [{ name: 'c' }], ...extra } });

function input(p: ReturnType<typeof pod>, nodes = [node(1), node(2), node(3)], bound: ReturnType<typeof pod>[] = []): ScheduleInput {
  const podsOnNode = (name: string): number => bound.filter((b) => (b.spec as { nodeName?: string }).nodeName === name).length;
  return { pod: p, nodes, podsOnNode, claim: () => undefined, volume: () => undefined, storageClass: () => undefined } as unknown as ScheduleInput;
}

test('least-loaded node wins, ties by name', () => {
  assert.deepEqual(schedulePod(input(pod())), { kind: 'bind', node: 'n1' });
  const busy = [pod({ nodeName: 'n1' }, 'a'), pod({ nodeName: 'n2' }, 'b')];
  assert.deepEqual(schedulePod(input(pod(), undefined, busy)), { kind: 'bind', node: 'n3' });
});

test('tainted NotReady nodes are skipped unless tolerated; the fit error counts reasons', () => {
  const sick = node(1);
  sick.spec!.taints = readinessTaints('Unknown', now);
  const d = schedulePod(input(pod({ nodeSelector: { 'kubernetes.io/hostname': 'n1' } }), [sick, node(2)]));
  assert.equal(d.kind, 'unschedulable');
  assert.equal((d as { message: string }).message,
    "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
  const tolerant = pod({ tolerations: [{ operator: 'Exists' }] });
  assert.deepEqual(schedulePod(input(tolerant, [sick])), { kind: 'bind', node: 'n1' }, 'health reaches the scheduler only as taints');
  assert.equal(fitErrorMessage(1, new Map([['Too many pods', 1]])),
    '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
});

test('a bound claim whose volume has node affinity pins the pod', () => {
  const p = pod({ volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'c' } }] });
  const i = input(p);
  i.claim = () => ({ metadata: { name: 'c' }, spec: { volumeName: 'v' }, status: { phase: 'Bound' } });
  i.volume = () => ({ metadata: { name: 'v' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] }] } } } });
  assert.deepEqual(schedulePod(i), { kind: 'bind', node: 'n2' });
  i.claim = () => ({ metadata: { name: 'c' }, spec: { storageClassName: 'standard' }, status: { phase: 'Pending' } });
  assert.equal(schedulePod(i).kind, 'unschedulable', 'an unbound Immediate claim blocks scheduling');
  i.storageClass = () => ({ metadata: { name: 'standard' }, provisioner: 'x', volumeBindingMode: 'WaitForFirstConsumer' });
  assert.deepEqual(schedulePod(i), { kind: 'provision', node: 'n1', claims: ['c'] });
});
