import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { startPersistentVolumeController } from '../server/controllers/persistentvolume.js';
import { startStorageProtectionController } from '../server/controllers/storage-protection.js';
import type { KubeObject } from '../server/meta/types.js';
import { startNodes, storagePodBinder } from '../server/nodes/index.js';
import { core, podManifest, startHarness, type Harness } from './nodes-harness.js';

type Claim = PersistentVolumeClaim & KubeObject;
type Volume = PersistentVolume & KubeObject;
let h: Harness | undefined;
const failuresOf = new WeakMap<Harness, ReturnType<typeof startNodes>['failures']>();
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(withNodes = false): Promise<Harness> {
  h = await startHarness();
  h.controllers.push(startPersistentVolumeController(h.deps), startStorageProtectionController(h.deps));
  if (withNodes) {
    const nodes = startNodes(h.deps, { binder: storagePodBinder(h.storage, h.clock) });
    h.controllers.push(...nodes.controllers);
    failuresOf.set(h, nodes.failures);
  }
  h.deps.informers.start();
  await h.settle();
  return h;
}

function claim(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } }, ...extra } };
}

const exists = async (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

test('a claim of class standard gets a provisioned pvc-<uid> volume, both sides Bound, with a real directory', async () => {
  const h = await start();
  await h.client.create(core('persistentvolumeclaims'), 'default', claim('transportlog-terra10-0', { storageClassName: 'standard' }));
  await h.settle();
  const pvc = await h.get<Claim>('persistentvolumeclaims', 'default', 'transportlog-terra10-0');
  const pvName = `pvc-${pvc?.metadata.uid}`;
  assert.equal(pvc?.status?.phase, 'Bound');
  assert.equal(pvc?.spec?.volumeName, pvName);
  assert.deepEqual(pvc?.status?.capacity, { storage: '1Mi' });
  assert.deepEqual(pvc?.status?.accessModes, ['ReadWriteOnce']);
  assert.equal(pvc?.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(pvc?.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(pvc?.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'kubemock.io/hostpath');
  assert.equal(pvc?.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'kubemock.io/hostpath');
  const pv = await h.get<Volume>('persistentvolumes', '', pvName);
  assert.equal(pv?.status?.phase, 'Bound');
  assert.equal(pv?.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(pv?.spec?.storageClassName, 'standard');
  assert.deepEqual(pv?.spec?.capacity, { storage: '1Mi' });
  assert.equal(pv?.spec?.claimRef?.uid, pvc?.metadata.uid);
  assert.equal(pv?.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'kubemock.io/hostpath');
  assert.equal(pv?.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
  assert.ok(await exists(pv!.spec!.hostPath!.path));
});

test('deleting the claim releases the volume and reclaim policy Delete removes it and its directory', async () => {
  const h = await start();
  await h.client.create(core('persistentvolumeclaims'), 'default', claim('data'));
  await h.settle();
  const pvc = await h.get<Claim>('persistentvolumeclaims', 'default', 'data');
  assert.equal(pvc?.spec?.storageClassName, 'standard', 'admission defaulted the class');
  const pv = await h.get<Volume>('persistentvolumes', '', pvc!.spec!.volumeName!);
  await h.client.delete(core('persistentvolumeclaims'), 'default', 'data');
  await h.settle();
  assert.equal(await h.get<Volume>('persistentvolumes', '', pv!.metadata.name!), undefined);
  assert.equal(await exists(pv!.spec!.hostPath!.path), false);
});

test('reclaim policy Retain leaves the volume Released; a new claim of the same name does not rebind', async () => {
  const h = await start();
  await h.client.create({ group: 'storage.k8s.io', resource: 'storageclasses' }, '', {
    metadata: { name: 'keep' }, provisioner: 'kubemock.io/hostpath', reclaimPolicy: 'Retain',
  });
  await h.client.create(core('persistentvolumeclaims'), 'default', claim('data', { storageClassName: 'keep' }));
  await h.settle();
  const first = await h.get<Claim>('persistentvolumeclaims', 'default', 'data');
  await h.client.delete(core('persistentvolumeclaims'), 'default', 'data');
  await h.settle();
  const pv = await h.get<Volume>('persistentvolumes', '', first!.spec!.volumeName!);
  assert.equal(pv?.status?.phase, 'Released');
  await h.client.create(core('persistentvolumeclaims'), 'default', claim('data', { storageClassName: 'keep' }));
  await h.settle();
  const second = await h.get<Claim>('persistentvolumeclaims', 'default', 'data');
  assert.notEqual(second?.spec?.volumeName, first?.spec?.volumeName);
});

test('static volumes: the smallest fitting Available volume of the same class is bound', async () => {
  const h = await start();
  for (const [name, size] of [['big', '10Gi'], ['small', '2Gi'], ['tiny', '1Gi']] as const) {
    await h.client.create(core('persistentvolumes'), '', {
      metadata: { name }, spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` }, storageClassName: 'manual' },
    });
  }
  await h.settle();
  assert.equal((await h.get<Volume>('persistentvolumes', '', 'tiny'))?.status?.phase, 'Available');
  await h.client.create(core('persistentvolumeclaims'), 'default', {
    metadata: { name: 'want' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1500Mi' } }, storageClassName: 'manual' },
  });
  await h.settle();
  const pvc = await h.get<Claim>('persistentvolumeclaims', 'default', 'want');
  assert.equal(pvc?.spec?.volumeName, 'small');
  assert.equal(pvc?.status?.phase, 'Bound');
  const pv = await h.get<Volume>('persistentvolumes', '', 'small');
  assert.equal(pv?.status?.phase, 'Bound');
  assert.equal(pv?.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(pv?.spec?.persistentVolumeReclaimPolicy, 'Retain');
});

test('a claim without a class gets the default class once one appears', async () => {
  const h = await start();
  await h.client.delete({ group: 'storage.k8s.io', resource: 'storageclasses' }, '', 'standard');
  await h.settle();
  await h.client.create(core('persistentvolumeclaims'), 'default', claim('late'));
  await h.settle();
  assert.equal((await h.get<Claim>('persistentvolumeclaims', 'default', 'late'))?.status?.phase, 'Pending');
  await h.client.create({ group: 'storage.k8s.io', resource: 'storageclasses' }, '', {
    metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kubemock.io/hostpath',
  });
  await h.settle();
  const pvc = await h.get<Claim>('persistentvolumeclaims', 'default', 'late');
  assert.equal(pvc?.spec?.storageClassName, 'fast');
  assert.equal(pvc?.status?.phase, 'Bound');
});

test('WaitForFirstConsumer: the claim stays Pending until a pod using it is scheduled', async () => {
  const h = await start(true);
  await h.client.create({ group: 'storage.k8s.io', resource: 'storageclasses' }, '', {
    metadata: { name: 'wffc' }, provisioner: 'kubemock.io/hostpath', volumeBindingMode: 'WaitForFirstConsumer',
  });
  await h.client.create(core('persistentvolumeclaims'), 'default', claim('data', { storageClassName: 'wffc' }));
  await h.settle();
  assert.equal((await h.get<Claim>('persistentvolumeclaims', 'default', 'data'))?.status?.phase, 'Pending');
  assert.equal((await h.list<Volume>('persistentvolumes')).length, 0);
  await h.client.create(core('pods'), 'default', podManifest('user', { claim: 'data' }));
  await h.settle();
  const pvc = await h.get<Claim>('persistentvolumeclaims', 'default', 'data');
  assert.equal(pvc?.status?.phase, 'Bound');
  const pod = await h.get<Pod & KubeObject>('pods', 'default', 'user');
  assert.equal(pvc?.metadata.annotations?.['volume.kubernetes.io/selected-node'], pod?.spec?.nodeName);
  assert.equal(pod?.status?.phase, 'Running');
});

test('a claim in use by a scheduled pod stays Terminating until the pod goes; a bound volume likewise', async () => {
  const h = await start(true);
  await h.client.create(core('persistentvolumeclaims'), 'default', claim('data'));
  await h.client.create(core('pods'), 'default', podManifest('user', { claim: 'data' }));
  await h.settle();
  const pvc = await h.get<Claim>('persistentvolumeclaims', 'default', 'data');
  assert.deepEqual(pvc?.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const pv = await h.get<Volume>('persistentvolumes', '', pvc!.spec!.volumeName!);
  assert.deepEqual(pv?.metadata.finalizers, ['kubernetes.io/pv-protection']);
  await h.client.delete(core('persistentvolumes'), '', pv!.metadata.name!);
  await h.client.delete(core('persistentvolumeclaims'), 'default', 'data');
  await h.settle();
  assert.ok((await h.get<Claim>('persistentvolumeclaims', 'default', 'data'))?.metadata.deletionTimestamp, 'held while the pod uses it');
  assert.ok((await h.get<Volume>('persistentvolumes', '', pv!.metadata.name!))?.metadata.deletionTimestamp, 'held while bound');
  await h.client.delete(core('pods'), 'default', 'user', { gracePeriodSeconds: 0 });
  await h.settle();
  assert.equal(await h.get<Claim>('persistentvolumeclaims', 'default', 'data'), undefined, 'released once the pod is gone');
  const left = await h.get<Volume>('persistentvolumes', '', pv!.metadata.name!);
  assert.equal(left, undefined, `and the volume once no longer bound: ${JSON.stringify({ spec: left?.spec, status: left?.status })}`);
});

test('a pod whose claim is bound survives its node crashing: it comes back elsewhere with the same volume', async () => {
  const h = await start(true);
  await h.client.create(core('persistentvolumeclaims'), 'default', claim('data'));
  await h.client.create(core('pods'), 'default', podManifest('terra10-1', { claim: 'data' }));
  await h.settle();
  const before = await h.get<Pod & KubeObject>('pods', 'default', 'terra10-1');
  const volume = (await h.get<Claim>('persistentvolumeclaims', 'default', 'data'))?.spec?.volumeName;
  assert.ok(before?.spec?.nodeName && volume);
  await failuresOf.get(h)!.crashNode(before!.spec!.nodeName!);
  await h.settle();
  assert.equal(await h.get('pods', 'default', 'terra10-1'), undefined, 'PodGC removed the pod of the deleted node');
  // What the StatefulSet controller does next: the same pod again.
  await h.client.create(core('pods'), 'default', podManifest('terra10-1', { claim: 'data' }));
  await h.settle();
  const after = await h.get<Pod & KubeObject>('pods', 'default', 'terra10-1');
  assert.notEqual(after?.spec?.nodeName, before?.spec?.nodeName);
  assert.equal(after?.status?.phase, 'Running');
  assert.equal((await h.get<Claim>('persistentvolumeclaims', 'default', 'data'))?.spec?.volumeName, volume);
});

