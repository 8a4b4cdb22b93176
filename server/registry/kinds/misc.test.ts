import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../meta/clock.js';
import { StatusError } from '../../meta/errors.js';
import { MemoryStorage } from '../../store/memory.js';
import { Registry } from '../generic.js';
import { buildResources } from './index.js';

function setup() {
  const clock = new FakeClock();
  const registry = new Registry({ storage: new MemoryStorage(), clock, resources: buildResources() });
  return { registry, clock };
}

test('ControllerRevision data is immutable and CONTROLLER names the owner', async () => {
  const { registry, clock } = setup();
  const ref = registry.ref('apps', 'controllerrevisions');
  const o = await registry.create(ref, 'default', {
    metadata: { name: 'web-6c5d8c9f7', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }] },
    data: { spec: { template: {} } },
    revision: 1,
  });
  assert.deepEqual(ref.info.strategy.table.cells(o, clock.now()), ['web-6c5d8c9f7', 'statefulset.apps/web', 1, '0s']);
  await assert.rejects(registry.update(ref, 'default', 'web-6c5d8c9f7', { ...o, data: { other: true } }), (e: StatusError) => {
    assert.equal(e.code, 422);
    assert.match(e.message, /data: Invalid value: .*: field is immutable/);
    return true;
  });
});

test('Node table: Ready status, roles, cordoned', async () => {
  const { registry, clock } = setup();
  const ref = registry.ref('', 'nodes');
  const n = await registry.create(ref, '', { metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: { unschedulable: true } });
  const withStatus = await registry.update(ref, '', 'n1', { ...n, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' }, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } }, {}, 'status');
  const cells = ref.info.strategy.table.cells(withStatus, clock.now());
  assert.deepEqual(cells.slice(0, 6), ['n1', 'Ready,SchedulingDisabled', 'control-plane', '0s', 'v1.32.0', '10.0.0.1']);
  assert.equal((await registry.list(ref, '', { fieldSelector: 'spec.unschedulable=true' })).items.length, 1);
});

test('a Node keeps the status it is created with (kube: "Nodes allow *all* fields, including status, to be set on create"); a Pod does not', async () => {
  const { registry } = setup();
  const node = await registry.create(registry.ref('', 'nodes'), '', { metadata: { name: 'n2' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } });
  assert.deepEqual((node.status as { addresses: unknown }).addresses, [{ type: 'InternalIP', address: '10.0.0.2' }]);
  const pod = await registry.create(registry.ref('', 'pods'), 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: { podIP: '10.0.0.9' } });
  assert.equal((pod.status as { podIP?: string }).podIP, undefined);
});

test('Secret stringData folds into data, type defaults to Opaque and is immutable', async () => {
  const { registry } = setup();
  const ref = registry.ref('', 'secrets');
  const s = await registry.create(ref, 'default', { metadata: { name: 's' }, stringData: { user: 'admin' } });
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { user: Buffer.from('admin').toString('base64') });
  assert.equal(s.stringData, undefined);
  await assert.rejects(registry.update(ref, 'default', 's', { ...s, type: 'kubernetes.io/tls' }), /type: Invalid value: "kubernetes.io\/tls": field is immutable/);
});

test('Namespace gets its name label, finalizer and Active phase', async () => {
  const { registry } = setup();
  const ref = registry.ref('', 'namespaces');
  const ns = await registry.create(ref, '', { metadata: { name: 'team-a' } });
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
});

test('every kind has the discovery facts kubectl relies on', () => {
  const { registry } = setup();
  const short = (g: string, r: string) => registry.ref(g, r).info.shortNames ?? [];
  assert.deepEqual(short('', 'services'), ['svc']);
  assert.deepEqual(short('', 'pods'), ['po']);
  assert.deepEqual(short('apps', 'statefulsets'), ['sts']);
  assert.deepEqual(short('', 'persistentvolumeclaims'), ['pvc']);
  assert.deepEqual(registry.ref('apps', 'statefulsets').info.categories, ['all']);
  assert.equal(registry.ref('', 'persistentvolumes').info.namespaced, false);
  assert.equal(registry.ref('events.k8s.io', 'events').info.storagePrefix, 'core/events');
});
