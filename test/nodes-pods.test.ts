import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../server/meta/types.js';
import { startNodes, storagePodBinder, type RunningNodes } from '../server/nodes/index.js';
import { podSummary, type PodObject } from '../server/registry/kinds/pods.js';
import { core, podManifest, startHarness, type Harness } from './nodes-harness.js';

type PodK = Pod & KubeObject;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function withNodes(config: Parameters<typeof startHarness>[0] = {}): Promise<{ h: Harness; nodes: RunningNodes }> {
  h = await startHarness(config);
  const nodes = startNodes(h.deps, { binder: storagePodBinder(h.storage, h.clock), kubeletVersion: 'v1.32.9' });
  h.controllers.push(...nodes.controllers);
  h.deps.informers.start();
  await h.settle();
  return { h, nodes };
}

const summary = (pod: PodK | undefined, now: number) => podSummary(pod as PodObject, now);

test('registers Ready worker nodes with capacity, addresses and the kubelet version', async () => {
  const { h } = await withNodes();
  const nodes = await h.list<Node & KubeObject>('nodes');
  assert.deepEqual(nodes.map((n) => n.metadata.name), ['kubemock-worker-1', 'kubemock-worker-2', 'kubemock-worker-3']);
  const n = nodes[0];
  assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.9');
  assert.equal(n.status?.addresses?.[0].address, '127.10.1.1');
  assert.equal(n.metadata.labels?.['kubernetes.io/hostname'], 'kubemock-worker-1');
  assert.equal(n.spec?.podCIDR, '127.10.1.0/24');
  assert.equal((n.status?.capacity as Record<string, string>).pods, '110');
});

test('a pod goes Pending → ContainerCreating → Running → 2/2 Ready on the configured delays', async () => {
  const { h } = await withNodes({ podStartDelayMs: 1000, podReadyDelayMs: 1000 });
  await h.client.create(core('pods'), 'default', podManifest('web-0', { containers: 2 }));
  await h.settle();
  let pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.equal(pod?.spec?.nodeName, 'kubemock-worker-1');
  assert.equal(pod?.status?.phase, 'Pending');
  assert.deepEqual(summary(pod, h.clock.now()), { ready: '0/2', status: 'ContainerCreating', restarts: '0' });
  assert.equal(pod?.status?.hostIP, '127.10.1.1');
  assert.equal(pod?.status?.podIP, undefined);

  await h.advance(1000);
  pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.equal(pod?.status?.phase, 'Running');
  assert.match(pod?.status?.podIP ?? '', /^127\.10\.1\.\d+$/);
  assert.deepEqual(summary(pod, h.clock.now()), { ready: '0/2', status: 'Running', restarts: '0' });
  assert.equal(pod?.status?.containerStatuses?.[0].started, true);
  assert.match(pod?.status?.containerStatuses?.[0].containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
  assert.equal(pod?.status?.containerStatuses?.[0].image, 'docker.io/library/nginx:latest');

  await h.advance(1000);
  pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.deepEqual(summary(pod, h.clock.now()), { ready: '2/2', status: 'Running', restarts: '0' });
  assert.deepEqual(pod?.status?.conditions?.map((c) => `${c.type}=${c.status}`),
    ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  assert.equal(pod?.status?.qosClass, 'BestEffort');
});

test('with zero delays a pod is Running and Ready after one settle; pods spread over nodes', async () => {
  const { h } = await withNodes();
  for (const n of ['a', 'b', 'c']) await h.client.create(core('pods'), 'default', podManifest(n));
  await h.settle();
  const pods = await h.list<PodK>('pods', 'default');
  assert.deepEqual(pods.map((p) => summary(p, h.clock.now()).status), ['Running', 'Running', 'Running']);
  assert.deepEqual(new Set(pods.map((p) => p.spec?.nodeName)).size, 3);
  // the creator and the kubelet, each under its own name, as kubectl get -o yaml --show-managed-fields shows them
  const managers = (pods[0].metadata.managedFields ?? []).map((e) => `${e.manager}${e.subresource ? `/${e.subresource}` : ''}`);
  assert.deepEqual(managers.sort(), ['kube-controller-manager', 'kubelet/status']);
});

test('graceful deletion shows Terminating until the containers stop, then the pod is gone', async () => {
  const { h } = await withNodes({ podStopDelayMs: 2000 });
  await h.client.create(core('pods'), 'default', podManifest('web-0'));
  await h.settle();
  await h.client.delete(core('pods'), 'default', 'web-0');
  await h.settle();
  const pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.equal(summary(pod, h.clock.now()).status, 'Terminating');
  await h.advance(2000);
  assert.equal(await h.get<PodK>('pods', 'default', 'web-0'), undefined);
});

test('a container that ignores SIGTERM keeps the pod Terminating for the whole grace period', async () => {
  const { h } = await withNodes({ podStopDelayMs: 500 });
  const manifest = podManifest('sleeper', { command: ['sleep', '3600'] });
  (manifest.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds = 10;
  await h.client.create(core('pods'), 'default', manifest);
  await h.settle();
  await h.client.delete(core('pods'), 'default', 'sleeper');
  await h.advance(9000);
  assert.ok(await h.get<PodK>('pods', 'default', 'sleeper'));
  await h.advance(1000);
  assert.equal(await h.get<PodK>('pods', 'default', 'sleeper'), undefined);
});

test('a crash restarts at once, the next one waits in CrashLoopBackOff 10s, then 20s', async () => {
  const { h, nodes } = await withNodes();
  await h.client.create(core('pods'), 'default', podManifest('web-0'));
  await h.settle();
  await nodes.failures.crashContainer('default', 'web-0', 'c0');
  await h.settle();
  let pod = await h.get<PodK>('pods', 'default', 'web-0');
  let cs = pod?.status?.containerStatuses?.[0];
  assert.equal(cs?.restartCount, 1);
  assert.equal(cs?.lastState?.terminated?.exitCode, 1);
  assert.equal(cs?.lastState?.terminated?.reason, 'Error');
  assert.ok(cs?.state?.running);

  await h.advance(1000);
  await nodes.failures.crashContainer('default', 'web-0', 'c0');
  await h.settle();
  pod = await h.get<PodK>('pods', 'default', 'web-0');
  cs = pod?.status?.containerStatuses?.[0];
  assert.equal(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.match(cs?.state?.waiting?.message ?? '', /^back-off 10s restarting failed container=c0 pod=web-0_default\(/);
  assert.equal(summary(pod, h.clock.now()).status, 'CrashLoopBackOff');
  assert.equal(pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');

  await h.advance(10_000);
  pod = await h.get<PodK>('pods', 'default', 'web-0');
  cs = pod?.status?.containerStatuses?.[0];
  assert.equal(cs?.restartCount, 2);
  assert.ok(cs?.state?.running);

  await nodes.failures.crashContainer('default', 'web-0', 'c0');
  await h.settle();
  pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.match(pod?.status?.containerStatuses?.[0].state?.waiting?.message ?? '', /^back-off 20s/);
});

test('a crash loop keeps the container in CrashLoopBackOff with a growing back-off', async () => {
  const { h, nodes } = await withNodes();
  await h.client.create(core('pods'), 'default', podManifest('web-0'));
  await h.settle();
  await nodes.failures.crashContainer('default', 'web-0', 'c0', { loop: true });
  await h.settle();
  await h.advance(60_000);
  const pod = await h.get<PodK>('pods', 'default', 'web-0');
  const cs = pod?.status?.containerStatuses?.[0];
  assert.equal(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
  // Restarts at 0s, 10s, 30s: the fourth wait is 40s.
  assert.equal(cs?.restartCount, 3);
  assert.match(cs?.state?.waiting?.message ?? '', /^back-off 40s/);
});

test('making a pod unready and ready again flips Ready and ContainersReady', async () => {
  const { h, nodes } = await withNodes();
  await h.client.create(core('pods'), 'default', podManifest('web-0', { containers: 2 }));
  await h.settle();
  await nodes.failures.setPodReady('default', 'web-0', false);
  await h.settle();
  let pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.deepEqual(summary(pod, h.clock.now()), { ready: '0/2', status: 'Running', restarts: '0' });
  const ready = pod?.status?.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'ContainersNotReady');
  assert.equal(ready?.message, 'containers with unready status: [c0 c1]');
  await nodes.failures.setPodReady('default', 'web-0', true);
  await h.settle();
  pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.equal(summary(pod, h.clock.now()).ready, '2/2');
});

test('nodeSelector restricts placement; an impossible one leaves the pod Pending with FailedScheduling', async () => {
  const { h } = await withNodes();
  const m = podManifest('pinned');
  (m.spec as Record<string, unknown>).nodeSelector = { 'kubernetes.io/hostname': 'kubemock-worker-3' };
  await h.client.create(core('pods'), 'default', m);
  const bad = podManifest('nowhere');
  (bad.spec as Record<string, unknown>).nodeSelector = { disk: 'ssd' };
  await h.client.create(core('pods'), 'default', bad);
  await h.settle();
  assert.equal((await h.get<PodK>('pods', 'default', 'pinned'))?.spec?.nodeName, 'kubemock-worker-3');
  const pending = await h.get<PodK>('pods', 'default', 'nowhere');
  assert.equal(pending?.spec?.nodeName, undefined);
  const cond = pending?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  assert.equal(cond?.reason, 'Unschedulable');
  assert.equal(cond?.message, "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
});

test('a stopped node turns NotReady and its pods unready; deleting it lets PodGC remove them', async () => {
  const { h, nodes } = await withNodes();
  await h.client.create(core('pods'), 'default', podManifest('web-0'));
  await h.settle();
  const node = (await h.get<PodK>('pods', 'default', 'web-0'))?.spec?.nodeName!;
  await nodes.failures.stopNode(node);
  await h.settle();
  const n = await h.get<Node & KubeObject>('nodes', '', node);
  assert.equal(n?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
  assert.deepEqual(n?.spec?.taints?.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  const pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.equal(pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  // A new pod avoids the tainted node.
  await h.client.create(core('pods'), 'default', podManifest('web-1'));
  await h.settle();
  assert.notEqual((await h.get<PodK>('pods', 'default', 'web-1'))?.spec?.nodeName, node);

  await nodes.failures.deleteNode(node);
  await h.settle();
  assert.equal(await h.get<PodK>('pods', 'default', 'web-0'), undefined);
});

test('the taint manager evicts pods 300s after a node became unreachable; they stay Terminating while it is down', async () => {
  const { h, nodes } = await withNodes();
  await h.client.create(core('pods'), 'default', podManifest('web-0'));
  await h.settle();
  const node = (await h.get<PodK>('pods', 'default', 'web-0'))?.spec?.nodeName!;
  await nodes.failures.stopNode(node);
  await h.settle();
  await h.advance(299_000);
  assert.equal((await h.get<PodK>('pods', 'default', 'web-0'))?.metadata.deletionTimestamp, undefined);
  await h.advance(2_000);
  const pod = await h.get<PodK>('pods', 'default', 'web-0');
  assert.ok(pod?.metadata.deletionTimestamp);
  await h.advance(60_000);
  assert.ok(await h.get<PodK>('pods', 'default', 'web-0'), 'the kubelet is down, nobody finishes the delete');
  await nodes.failures.startNode(node);
  await h.settle();
  assert.equal(await h.get<PodK>('pods', 'default', 'web-0'), undefined);
  const n = await h.get<Node & KubeObject>('nodes', '', node);
  assert.equal(n?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(n?.spec?.taints, undefined);
});

test('pod IPs are released on removal and not immediately reused', async () => {
  const { h } = await withNodes({ nodes: 1 });
  await h.client.create(core('pods'), 'default', podManifest('a'));
  await h.settle();
  const first = (await h.get<PodK>('pods', 'default', 'a'))?.status?.podIP;
  await h.client.delete(core('pods'), 'default', 'a');
  await h.settle();
  await h.client.create(core('pods'), 'default', podManifest('a'));
  await h.settle();
  const second = (await h.get<PodK>('pods', 'default', 'a'))?.status?.podIP;
  assert.ok(first && second);
  assert.notEqual(first, second);
});

test('an ephemeral container starts once the subresource adds it, is never ready, and is not restarted when it ends', async () => {
  const { h, nodes } = await withNodes();
  await h.client.create(core('pods'), 'default', podManifest('web-0'));
  await h.settle();
  const ref = h.registry.ref('', 'pods');
  const pod = structuredClone(await h.get<PodK>('pods', 'default', 'web-0'))!;
  pod.spec!.ephemeralContainers = [{ name: 'dbg', image: 'busybox', command: ['sleep', '3600'], targetContainerName: 'c0' }];
  await h.registry.update(ref, 'default', 'web-0', pod, {}, 'ephemeralcontainers');
  await h.settle();
  let now = await h.get<PodK>('pods', 'default', 'web-0');
  const [es] = now?.status?.ephemeralContainerStatuses ?? [];
  assert.equal(es?.name, 'dbg');
  assert.equal(es?.image, 'docker.io/library/busybox:latest');
  assert.ok(es?.state?.running?.startedAt);
  assert.equal(es?.ready, false);
  assert.equal(es?.started, undefined, 'the probe manager never sets started on an ephemeral container');
  assert.equal(summary(now, h.clock.now()).ready, '1/1', 'the pod\'s readiness counts its own containers only');

  assert.deepEqual(await nodes.failures.crashContainer('default', 'web-0', undefined), ['c0'], 'crashing "the pod" crashes its own containers');
  await nodes.failures.crashContainer('default', 'web-0', 'dbg', { exitCode: 3 });
  await h.advance(60_000);
  now = await h.get<PodK>('pods', 'default', 'web-0');
  const ended = now?.status?.ephemeralContainerStatuses?.[0];
  assert.equal(ended?.state?.terminated?.exitCode, 3);
  assert.equal(ended?.restartCount, 0);
  assert.equal(now?.status?.containerStatuses?.[0].restartCount, 1);
  assert.equal(now?.status?.phase, 'Running');
});
