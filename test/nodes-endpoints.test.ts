import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { startEndpointsController } from '../server/controllers/endpoints.js';
import { startEndpointSliceController } from '../server/controllers/endpointslices.js';
import type { KubeObject } from '../server/meta/types.js';
import { startNodes, storagePodBinder, type RunningNodes } from '../server/nodes/index.js';
import { core, podManifest, startHarness, type Harness } from './nodes-harness.js';

type Ep = Endpoints & KubeObject;
type Slice = EndpointSlice & KubeObject;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(): Promise<{ h: Harness; nodes: RunningNodes }> {
  h = await startHarness();
  const nodes = startNodes(h.deps, { binder: storagePodBinder(h.storage, h.clock) });
  h.controllers.push(...nodes.controllers, startEndpointsController(h.deps), startEndpointSliceController(h.deps));
  h.deps.informers.start();
  await h.settle();
  return { h, nodes };
}

const headless = (extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'terra10-hs', labels: { tier: 'backend' } },
  spec: {
    clusterIP: 'None', selector: { app: 'terra10' }, ...extra,
    ports: [{ name: 'http-transporter', port: 8090, targetPort: 8090 }, { name: 'http-monitor', port: 8092, targetPort: 'p1' }],
  },
});

async function statefulPods(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await h.client.create(core('pods'), 'default', podManifest(`terra10-${i}`, { containers: 2, labels: { app: 'terra10' }, hostname: `terra10-${i}`, subdomain: 'terra10-hs' }));
  }
  await h.settle();
}

test('Endpoints of a headless service list ready pods with hostnames; unready ones under notReadyAddresses', async () => {
  const { h, nodes } = await start();
  await h.client.create(core('services'), 'default', headless());
  await statefulPods(h, 2);
  await nodes.failures.setPodReady('default', 'terra10-1', false);
  await h.settle();
  const ep = await h.get<Ep>('endpoints', 'default', 'terra10-hs');
  assert.deepEqual(ep?.metadata.labels, { tier: 'backend', 'service.kubernetes.io/headless': '' });
  assert.ok(ep?.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
  assert.equal(ep?.subsets?.length, 1);
  const [subset] = ep!.subsets!;
  assert.deepEqual(subset.addresses?.map((a) => [a.hostname, a.targetRef?.name, !!a.nodeName]), [['terra10-0', 'terra10-0', true]]);
  assert.deepEqual(subset.notReadyAddresses?.map((a) => a.hostname), ['terra10-1']);
  assert.deepEqual(subset.ports, [
    { name: 'http-transporter', port: 8090, protocol: 'TCP' },
    { name: 'http-monitor', port: 8091, protocol: 'TCP' },
  ]);
});

test('publishNotReadyAddresses puts every pod with an IP under addresses', async () => {
  const { h, nodes } = await start();
  await h.client.create(core('services'), 'default', headless({ publishNotReadyAddresses: true }));
  await statefulPods(h, 2);
  await nodes.failures.setPodReady('default', 'terra10-1', false);
  await h.settle();
  const ep = await h.get<Ep>('endpoints', 'default', 'terra10-hs');
  assert.equal(ep?.subsets?.[0].addresses?.length, 2);
  assert.equal(ep?.subsets?.[0].notReadyAddresses, undefined);
});

test('EndpointSlices carry ready/serving/terminating, hostname, zone, labels and the Service owner', async () => {
  const { h } = await start();
  const svc = await h.client.create(core('services'), 'default', headless());
  await statefulPods(h, 2);
  let list = await h.list<Slice>('endpointslices', 'default', 'discovery.k8s.io');
  assert.equal(list.length, 1);
  const slice = list[0];
  assert.match(slice.metadata.name!, /^terra10-hs-[a-z0-9]{5}$/);
  assert.equal(slice.addressType, 'IPv4');
  assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 'terra10-hs');
  assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(slice.metadata.labels?.['service.kubernetes.io/headless'], '');
  assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'terra10-hs', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(slice.endpoints?.map((e) => [e.hostname, e.conditions, e.zone?.startsWith('kubemock-zone-')]), [
    ['terra10-0', { ready: true, serving: true, terminating: false }, true],
    ['terra10-1', { ready: true, serving: true, terminating: false }, true],
  ]);

  await h.client.delete(core('pods'), 'default', 'terra10-1');
  // With a stop delay of zero the kubelet finishes at once; check the Endpoints and slices dropped it.
  await h.settle();
  list = await h.list<Slice>('endpointslices', 'default', 'discovery.k8s.io');
  assert.deepEqual(list[0].endpoints?.map((e) => e.targetRef?.name), ['terra10-0']);
  const ep = await h.get<Ep>('endpoints', 'default', 'terra10-hs');
  assert.deepEqual(ep?.subsets?.[0].addresses?.map((a) => a.targetRef?.name), ['terra10-0']);
});

test('a terminating pod leaves Endpoints but stays in its slice as terminating', async () => {
  h = await startHarness({ podStopDelayMs: 5000 });
  const nodes = startNodes(h.deps, { binder: storagePodBinder(h.storage, h.clock) });
  h.controllers.push(...nodes.controllers, startEndpointsController(h.deps), startEndpointSliceController(h.deps));
  h.deps.informers.start();
  await h.client.create(core('services'), 'default', headless());
  await statefulPods(h, 1);
  await h.client.delete(core('pods'), 'default', 'terra10-0');
  await h.settle();
  const ep = await h.get<Ep>('endpoints', 'default', 'terra10-hs');
  assert.equal(ep?.subsets, undefined);
  const [slice] = await h.list<Slice>('endpointslices', 'default', 'discovery.k8s.io');
  assert.deepEqual(slice.endpoints?.[0].conditions, { ready: false, serving: true, terminating: true });
  await h.advance(5000);
  const [empty] = await h.list<Slice>('endpointslices', 'default', 'discovery.k8s.io');
  assert.deepEqual(empty.endpoints, []);
});

test('writes only on change, and the Endpoints go with their Service', async () => {
  const { h } = await start();
  await h.client.create(core('services'), 'default', headless());
  await statefulPods(h, 1);
  const before = await h.get<Ep>('endpoints', 'default', 'terra10-hs');
  await h.client.create(core('configmaps'), 'default', { metadata: { name: 'noise' } });
  await h.client.mergePatch(core('pods'), 'default', 'terra10-0', { metadata: { annotations: { touched: 'yes' } } });
  await h.settle();
  const after = await h.get<Ep>('endpoints', 'default', 'terra10-hs');
  assert.equal(after?.metadata.resourceVersion, before?.metadata.resourceVersion);
  await h.client.delete(core('services'), 'default', 'terra10-hs');
  await h.settle();
  assert.equal(await h.get<Ep>('endpoints', 'default', 'terra10-hs'), undefined);
  assert.equal((await h.list<Slice>('endpointslices', 'default', 'discovery.k8s.io')).length, 0);
});

test('services without a selector get no managed Endpoints', async () => {
  const { h } = await start();
  await h.client.create(core('services'), 'default', { metadata: { name: 'external' }, spec: { ports: [{ port: 80 }] } });
  await h.settle();
  assert.equal(await h.get<Ep>('endpoints', 'default', 'external'), undefined);
});
