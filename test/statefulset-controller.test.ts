import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import { startGarbageCollector } from '../server/controllers/garbage-collector.js';
import { startStatefulSetController } from '../server/controllers/statefulset.js';
import { startStorageProtectionController } from '../server/controllers/storage-protection.js';
import type { ClaimObject, PodObject, RevisionObject, StatefulSetObject } from '../server/controllers/statefulset-utils.js';
import { ControllerHarness, gr } from './helpers/controller-harness.js';

function webSet(spec: Partial<StatefulSetSpec> = {}): StatefulSetObject {
  return {
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
      ...spec,
    },
  };
}

let h: ControllerHarness;

async function createSet(spec: Partial<StatefulSetSpec> = {}): Promise<void> {
  await h.client.create(gr.sets, 'default', webSet(spec));
  await h.settle();
}

async function patchSet(patch: unknown): Promise<void> {
  await h.client.mergePatch(gr.sets, 'default', 'web', patch);
  await h.settle();
}

const podNames = async (): Promise<string[]> => (await h.list<PodObject>(gr.pods)).map((p) => p.metadata.name!).sort();
const claimNames = async (): Promise<string[]> => (await h.list<ClaimObject>(gr.claims)).map((p) => p.metadata.name!).sort();
const revisionOf = async (pod: string): Promise<string> => (await h.get<PodObject>(gr.pods, pod))!.metadata.labels!['controller-revision-hash'];
const getSet = async (): Promise<StatefulSetObject | undefined> => h.get<StatefulSetObject>(gr.sets, 'web');
const deletions = (): string[] => h.events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message.split(' ')[2]);
const image = (v: string) => ({ spec: { template: { spec: { containers: [{ name: 'nginx', image: v }] } } } });

describe('StatefulSet controller through the registry', () => {
  beforeEach(() => {
    h = new ControllerHarness().start(startStatefulSetController, startGarbageCollector);
  });
  afterEach(() => h.stop());

  it('OrderedReady: web-0 first, web-1 only once web-0 is ready; halts on an unready lower ordinal', async () => {
    await createSet();
    assert.deepEqual(await podNames(), ['web-0']);
    assert.deepEqual(await claimNames(), ['www-web-0']);
    assert.deepEqual(h.events.map((e) => e.message), [
      'create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'create Pod web-0 in StatefulSet web successful',
    ]);
    const pod = (await h.get<PodObject>(gr.pods, 'web-0'))!;
    assert.equal(pod.spec!.hostname, 'web-0');
    assert.equal(pod.spec!.subdomain, 'nginx');
    assert.equal(pod.metadata.labels!['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(pod.metadata.labels!['apps.kubernetes.io/pod-index'], '0');
    const revs = await h.list<RevisionObject>(gr.revisions);
    assert.equal(revs.length, 1);
    assert.equal(pod.metadata.labels!['controller-revision-hash'], revs[0].metadata.name);
    assert.equal(revs[0].revision, 1);
    assert.equal(pod.metadata.ownerReferences![0].uid, (await getSet())!.metadata.uid);

    await h.setPodReady('web-0');
    await h.settle();
    assert.deepEqual(await podNames(), ['web-0', 'web-1']);
    await h.setPodReady('web-0', false);
    await h.setPodReady('web-1');
    await h.settle();
    assert.deepEqual(await podNames(), ['web-0', 'web-1'], 'halted while web-0 is unready');
    await h.setPodReady('web-0');
    await h.settle();
    assert.deepEqual(await podNames(), ['web-0', 'web-1', 'web-2']);
    await h.readyAll();
    const status = (await getSet())!.status!;
    assert.equal(status.readyReplicas, 3);
    assert.equal(status.availableReplicas, 3);
    assert.equal(status.currentRevision, revs[0].metadata.name);
    assert.equal(status.observedGeneration, 1);
  });

  it('Parallel creates all pods at once', async () => {
    await createSet({ podManagementPolicy: 'Parallel' });
    assert.deepEqual(await podNames(), ['web-0', 'web-1', 'web-2']);
  });

  it('scales down highest first keeping claims, and back up onto the same claims', async () => {
    await createSet();
    await h.readyAll();
    const claimUid = (await h.get<ClaimObject>(gr.claims, 'www-web-1'))!.metadata.uid;
    await patchSet({ spec: { replicas: 1 } });
    assert.deepEqual(await podNames(), ['web-0']);
    assert.deepEqual(deletions(), ['web-2', 'web-1']);
    assert.deepEqual(await claimNames(), ['www-web-0', 'www-web-1', 'www-web-2']);
    await patchSet({ spec: { replicas: 2 } });
    await h.readyAll();
    assert.deepEqual(await podNames(), ['web-0', 'web-1']);
    assert.equal((await h.get<ClaimObject>(gr.claims, 'www-web-1'))!.metadata.uid, claimUid);
    assert.equal((await h.get<PodObject>(gr.pods, 'web-1'))!.spec!.volumes!.find((v) => v.name === 'www')!.persistentVolumeClaim!.claimName, 'www-web-1');
  });

  it('a deleted pod comes back with the same name and claim', async () => {
    await createSet({ replicas: 2 });
    await h.readyAll();
    const uid = (await h.get<PodObject>(gr.pods, 'web-1'))!.metadata.uid;
    await h.client.delete(gr.pods, 'default', 'web-1');
    await h.settle();
    const again = (await h.get<PodObject>(gr.pods, 'web-1'))!;
    assert.notEqual(again.metadata.uid, uid);
    assert.equal(again.spec!.volumes!.find((v) => v.name === 'www')!.persistentVolumeClaim!.claimName, 'www-web-1');
  });

  it('a template change rolls from the highest ordinal, one ready pod at a time', async () => {
    await createSet();
    await h.readyAll();
    const r1 = await revisionOf('web-0');
    await patchSet(image('nginx:1.26'));
    assert.deepEqual(await podNames(), ['web-0', 'web-1', 'web-2']);
    const r2 = await revisionOf('web-2');
    assert.notEqual(r2, r1);
    assert.equal(await revisionOf('web-1'), r1, 'web-1 waits for web-2 to be ready');
    assert.equal((await getSet())!.status!.updateRevision, r2);
    await h.readyAll();
    assert.deepEqual(deletions(), ['web-2', 'web-1', 'web-0']);
    for (const p of ['web-0', 'web-1', 'web-2']) assert.equal(await revisionOf(p), r2);
    const status = (await getSet())!.status!;
    assert.equal(status.currentRevision, r2);
    assert.equal(status.updatedReplicas, 3);
    const revs = await h.list<RevisionObject>(gr.revisions);
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
  });

  it('partition=1 keeps web-0 on the old revision', async () => {
    await createSet({ replicas: 2, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    await h.readyAll();
    const r1 = await revisionOf('web-0');
    await patchSet(image('nginx:1.26'));
    await h.readyAll();
    assert.equal(await revisionOf('web-0'), r1);
    assert.notEqual(await revisionOf('web-1'), r1);
    assert.equal((await getSet())!.status!.currentRevision, r1);
  });

  it('rollback reuses the old revision name with a new revision number', async () => {
    await createSet({ replicas: 1 });
    await h.readyAll();
    const r1 = await revisionOf('web-0');
    await patchSet(image('nginx:1.26'));
    await h.readyAll();
    await patchSet(image('nginx:1.25'));
    await h.readyAll();
    assert.equal(await revisionOf('web-0'), r1);
    const revs = await h.list<RevisionObject>(gr.revisions);
    assert.equal(revs.length, 2);
    assert.equal(revs.find((r) => r.metadata.name === r1)!.revision, 3);
    assert.equal((await getSet())!.status!.currentRevision, r1);
  });

  it('OnDelete waits for the user to delete pods', async () => {
    await createSet({ replicas: 2, updateStrategy: { type: 'OnDelete' } });
    await h.readyAll();
    const r1 = await revisionOf('web-1');
    await patchSet(image('nginx:1.26'));
    await h.readyAll();
    assert.equal(await revisionOf('web-1'), r1);
    await h.client.delete(gr.pods, 'default', 'web-1');
    await h.readyAll();
    assert.notEqual(await revisionOf('web-1'), r1);
    assert.equal(await revisionOf('web-0'), r1);
  });

  it('minReadySeconds: available only after the delay on the fake clock', async () => {
    await createSet({ replicas: 2, minReadySeconds: 5 });
    await h.setPodReady('web-0');
    await h.settle();
    assert.deepEqual(await podNames(), ['web-0'], 'web-1 waits for web-0 to be available');
    assert.equal((await getSet())!.status!.availableReplicas, 0);
    h.clock.advance(6_000);
    await h.settle();
    assert.deepEqual(await podNames(), ['web-0', 'web-1']);
    assert.equal((await getSet())!.status!.availableReplicas, 1);
  });
});

describe('StatefulSet deletion and the garbage collector', () => {
  beforeEach(() => {
    h = new ControllerHarness().start(startStatefulSetController, startGarbageCollector, startStorageProtectionController);
  });
  afterEach(() => h.stop());

  it('background (kubectl delete): pods and revisions go, claims stay', async () => {
    await createSet({ replicas: 2 });
    await h.readyAll();
    await h.client.delete(gr.sets, 'default', 'web', { propagationPolicy: 'Background' });
    await h.settle();
    assert.equal(await getSet(), undefined);
    assert.deepEqual(await podNames(), []);
    assert.deepEqual(await h.list(gr.revisions), []);
    assert.deepEqual(await claimNames(), ['www-web-0', 'www-web-1']);
  });

  it('whenDeleted=Delete: claims are owned by the set and go with it', async () => {
    await createSet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    await h.readyAll();
    const set = (await getSet())!;
    const refs = (await h.get<ClaimObject>(gr.claims, 'www-web-1'))!.metadata.ownerReferences;
    assert.deepEqual(refs, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    await h.client.delete(gr.sets, 'default', 'web');
    await h.settle();
    assert.deepEqual(await podNames(), []);
    assert.deepEqual(await claimNames(), []);
  });

  it('whenScaled=Delete: the claim of a scaled-away pod is deleted after it', async () => {
    await createSet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
    await h.readyAll();
    await patchSet({ spec: { replicas: 1 } });
    assert.deepEqual(await podNames(), ['web-0']);
    assert.deepEqual(await claimNames(), ['www-web-0']);
  });

  it('foreground: the set stays, being deleted, until its pods are gone', async () => {
    await createSet({ replicas: 2 });
    await h.readyAll();
    // Hold web-1 in Terminating, as a kubelet would during graceful shutdown.
    const pod = (await h.get<PodObject>(gr.pods, 'web-1'))!;
    pod.metadata.finalizers = ['test/hold'];
    await h.client.update(gr.pods, 'default', pod);
    await h.client.delete(gr.sets, 'default', 'web', { propagationPolicy: 'Foreground' });
    await h.settle();
    const set = await getSet();
    assert.ok(set?.metadata.deletionTimestamp, 'still there while web-1 terminates');
    assert.deepEqual(set!.metadata.finalizers, ['foregroundDeletion']);
    assert.deepEqual(await podNames(), ['web-1']);
    assert.deepEqual(await h.list(gr.revisions), []);
    const held = (await h.get<PodObject>(gr.pods, 'web-1'))!;
    held.metadata.finalizers = [];
    await h.client.update(gr.pods, 'default', held);
    await h.settle();
    assert.equal(await getSet(), undefined);
    assert.deepEqual(await podNames(), []);
    assert.deepEqual(await claimNames(), ['www-web-0', 'www-web-1']);
  });

  it('orphan: pods and revisions stay without the owner reference; a new set adopts them', async () => {
    await createSet({ replicas: 2 });
    await h.readyAll();
    const revName = await revisionOf('web-0');
    await h.client.delete(gr.sets, 'default', 'web', { propagationPolicy: 'Orphan' });
    await h.settle();
    assert.equal(await getSet(), undefined);
    assert.deepEqual(await podNames(), ['web-0', 'web-1']);
    for (const p of await h.list<PodObject>(gr.pods)) assert.equal(p.metadata.ownerReferences, undefined);
    const revs = await h.list<RevisionObject>(gr.revisions);
    assert.equal(revs.length, 1);
    assert.equal(revs[0].metadata.ownerReferences, undefined);
    const podUids = (await h.list<PodObject>(gr.pods)).map((p) => p.metadata.uid);
    await createSet({ replicas: 2 });
    const set = (await getSet())!;
    for (const p of await h.list<PodObject>(gr.pods)) assert.equal(p.metadata.ownerReferences![0].uid, set.metadata.uid);
    assert.deepEqual((await h.list<PodObject>(gr.pods)).map((p) => p.metadata.uid), podUids, 'adopted, not replaced');
    assert.equal((await h.get<RevisionObject>(gr.revisions, revName))!.metadata.ownerReferences![0].uid, set.metadata.uid);
  });
});
