import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../meta/clock.js';
import { StatusError } from '../../meta/errors.js';
import { MemoryStorage } from '../../store/memory.js';
import { Registry } from '../generic.js';
import { buildResources, defaultClusterConfig } from './index.js';
import type { PersistentVolumeClaimObject } from './persistentvolumeclaims.js';
import type { PersistentVolumeObject } from './persistentvolumes.js';
import type { StorageClassObject } from './storageclasses.js';

function setup() {
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  const registry = new Registry({ storage, clock, resources: buildResources(defaultClusterConfig, { storage }) });
  return { registry, clock, pvc: registry.ref('', 'persistentvolumeclaims'), pv: registry.ref('', 'persistentvolumes'), sc: registry.ref('storage.k8s.io', 'storageclasses') };
}

const claim = (name: string, spec: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } }, ...spec } });

async function causes(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, 422, e.message);
    return (e.status.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
  assert.fail('expected a 422');
}

test('PVC: defaults, Pending phase, the default class only for a nil class', async () => {
  const { registry, pvc, sc } = setup();
  await registry.create(sc, '', { metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'k8s.io/minikube-hostpath' });
  const a = (await registry.create(pvc, 'default', claim('a'))) as PersistentVolumeClaimObject;
  assert.equal(a.spec!.volumeMode, 'Filesystem');
  assert.equal(a.spec!.storageClassName, 'standard');
  assert.deepEqual(a.status, { phase: 'Pending' });
  const b = (await registry.create(pvc, 'default', claim('b', { storageClassName: '' }))) as PersistentVolumeClaimObject;
  assert.equal(b.spec!.storageClassName, '');
});

test('PVC: access modes and storage request are required', async () => {
  const { registry, pvc } = setup();
  assert.deepEqual(await causes(registry.create(pvc, 'default', { metadata: { name: 'x' }, spec: {} })), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ]);
  assert.deepEqual(await causes(registry.create(pvc, 'default', claim('x', { accessModes: ['ReadWriteSometimes'] }))), [
    'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
  ]);
});

test('PVC: spec is immutable except binding and, once bound, growing requests', async () => {
  const { registry, pvc } = setup();
  const a = (await registry.create(pvc, 'default', claim('a'))) as PersistentVolumeClaimObject;
  const bind = structuredClone(a);
  bind.spec!.volumeName = 'pv-1';
  const bound = (await registry.update(pvc, 'default', 'a', bind)) as PersistentVolumeClaimObject;
  assert.equal(bound.spec!.volumeName, 'pv-1');
  const grow = structuredClone(bound);
  grow.spec!.resources = { requests: { storage: '2Mi' } };
  const c = await causes(registry.update(pvc, 'default', 'a', grow));
  assert.deepEqual(c, ['spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
  const st = structuredClone(bound);
  st.status = { phase: 'Bound', capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce'] };
  const withStatus = (await registry.update(pvc, 'default', 'a', st, {}, 'status')) as PersistentVolumeClaimObject;
  const grow2 = structuredClone(withStatus);
  grow2.spec!.resources = { requests: { storage: '2Mi' } };
  const grown = (await registry.update(pvc, 'default', 'a', grow2)) as PersistentVolumeClaimObject;
  assert.equal((grown.spec!.resources!.requests as Record<string, string>).storage, '2Mi');
  const shrink = structuredClone(grown);
  shrink.spec!.resources = { requests: { storage: '1Ki' } };
  assert.deepEqual(await causes(registry.update(pvc, 'default', 'a', shrink)), ['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
});

test('PVC and PV table cells as kubectl get prints them', async () => {
  const { pvc, pv, clock } = setup();
  const now = clock.now();
  const bound = {
    metadata: { name: 'transportlog-terra10-0', creationTimestamp: new Date(now - 21_000).toISOString() },
    spec: { volumeName: 'pvc-1', storageClassName: 'standard', volumeMode: 'Filesystem' },
    status: { phase: 'Bound', capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] },
  } as PersistentVolumeClaimObject;
  assert.deepEqual(pvc.info.strategy.table.cells(bound, now), ['transportlog-terra10-0', 'Bound', 'pvc-1', '1Mi', 'RWO,ROX', 'standard', '<unset>', '21s', 'Filesystem']);
  const volume = {
    metadata: { name: 'pvc-1', creationTimestamp: new Date(now - 26_000).toISOString() },
    spec: { capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard', claimRef: { namespace: 'default', name: 'transportlog-terra10-0' } },
    status: { phase: 'Bound' },
  } as PersistentVolumeObject;
  assert.deepEqual(pv.info.strategy.table.cells(volume, now), ['pvc-1', '1Mi', 'RWO', 'Delete', 'Bound', 'default/transportlog-terra10-0', 'standard', '<unset>', '', '26s', '<unset>']);
});

test('PV defaults and validation', async () => {
  const { registry, pv } = setup();
  const o = (await registry.create(pv, '', { metadata: { name: 'v' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/v' } } })) as PersistentVolumeObject;
  assert.equal(o.spec!.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(o.spec!.volumeMode, 'Filesystem');
  assert.equal(o.status!.phase, 'Pending');
  assert.deepEqual(await causes(registry.create(pv, '', { metadata: { name: 'w' }, spec: { accessModes: ['ReadWriteOnce'] } })), [
    'spec.capacity: Required value',
    'spec: Required value: must specify a volume type',
  ]);
});

test('StorageClass: defaults, immutable provisioner, "(default)" in the name cell', async () => {
  const { registry, sc, clock } = setup();
  const o = (await registry.create(sc, '', { metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'p' })) as StorageClassObject;
  assert.equal(o.reclaimPolicy, 'Delete');
  assert.equal(o.volumeBindingMode, 'Immediate');
  assert.deepEqual(sc.info.strategy.table.cells(o, clock.now()), ['standard (default)', 'p', 'Delete', 'Immediate', false, '0s']);
  assert.deepEqual(await causes(registry.update(sc, '', 'standard', { ...o, provisioner: 'q' })), ['provisioner: Forbidden: updates to provisioner are forbidden.']);
});
