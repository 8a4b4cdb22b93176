import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import { rfc3339 } from '../meta/clock.js';
import { maxPlannedPerSync, planStatefulSet, type Action, type Plan } from './statefulset-plan.js';
import { goJson } from '../meta/go-json.js';
import { fnv1_32, hashRevisionData, safeEncodeString } from './statefulset-revisions.js';
import type { ClaimObject, PodObject, RevisionObject, StatefulSetObject } from './statefulset-utils.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');

function makeSet(spec: Partial<StatefulSetSpec> = {}, name = 'web'): StatefulSetObject {
  return {
    metadata: { name, namespace: 'default', uid: `${name}-uid`, generation: 1, annotations: { note: 'x' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      serviceName: 'nginx',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www', labels: { tier: 'data' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
      ...spec,
    },
  };
}

/**
 * A tiny in-memory cluster the plans are applied to, so multi-step rules read as scenarios:
 * pods are created Pending, the test plays the kubelet, deletions are immediate unless graceful.
 */
class World {
  pods = new Map<string, PodObject>();
  claims = new Map<string, ClaimObject>();
  revisions = new Map<string, RevisionObject>();
  now = t0;
  uid = 0;
  gracefulDeletes = false;
  maxUnavailableEnabled = false;
  history: Action[][] = [];

  constructor(public set: StatefulSetObject) {}

  plan(): Plan {
    return planStatefulSet({
      set: this.set, pods: [...this.pods.values()], claims: this.claims, revisions: [...this.revisions.values()],
      namespaceRevisions: this.revisions, now: this.now, maxUnavailableEnabled: this.maxUnavailableEnabled,
    });
  }

  /** One sync: plan and apply; returns the actions. */
  sync(): Action[] {
    const plan = this.plan();
    for (const a of plan.actions) this.apply(a);
    this.history.push(plan.actions);
    return plan.actions;
  }

  apply(a: Action): void {
    switch (a.type) {
      case 'createRevision':
        this.revisions.set(a.revision.metadata.name!, { ...structuredClone(a.revision), metadata: { ...a.revision.metadata, uid: `rev-${++this.uid}`, creationTimestamp: rfc3339(this.now) } });
        return;
      case 'renumberRevision':
        this.revisions.get(a.name)!.revision = a.revision;
        return;
      case 'createClaim':
        this.claims.set(a.claim.metadata.name!, { ...structuredClone(a.claim), metadata: { ...a.claim.metadata, uid: `pvc-${++this.uid}` } });
        return;
      case 'createPod':
        this.pods.set(a.pod.metadata.name!, { ...structuredClone(a.pod), metadata: { ...a.pod.metadata, uid: `pod-${++this.uid}` }, status: { phase: 'Pending' } });
        return;
      case 'deletePod':
        if (this.gracefulDeletes) this.pods.get(a.name)!.metadata.deletionTimestamp = rfc3339(this.now);
        else this.pods.delete(a.name);
        return;
      case 'updatePod':
        this.pods.set(a.pod.metadata.name!, structuredClone(a.pod));
        return;
      case 'updateClaimOwners':
        this.claims.get(a.name)!.metadata.ownerReferences = a.ownerReferences;
        return;
      case 'updateStatus':
        this.set = { ...this.set, status: a.status };
        return;
      case 'deleteRevision':
        this.revisions.delete(a.name);
        return;
      case 'fail':
        return;
    }
  }

  ready(name: string): void {
    const pod = this.pods.get(name)!;
    pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(this.now) }] };
  }

  unready(name: string): void {
    this.pods.get(name)!.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
  }

  /** Syncs, marking every new pod ready, until nothing changes. */
  converge(limit = 50): void {
    for (let i = 0; i < limit; i++) {
      for (const [name, pod] of this.pods) {
        if (pod.metadata.deletionTimestamp) this.pods.delete(name);
        else if (pod.status?.phase === 'Pending') this.ready(name);
      }
      const acts = this.sync();
      if (!acts.length && ![...this.pods.values()].some((p) => p.status?.phase === 'Pending' || p.metadata.deletionTimestamp)) return;
    }
    throw new Error('did not converge');
  }

  updateSpec(spec: Partial<StatefulSetSpec>): void {
    this.set = { ...this.set, metadata: { ...this.set.metadata, generation: (this.set.metadata.generation ?? 1) + 1 }, spec: { ...this.set.spec!, ...spec } };
  }

  setImage(image: string): void {
    const template = structuredClone(this.set.spec!.template);
    template.spec!.containers[0].image = image;
    this.updateSpec({ template });
  }

  revisionOf(name: string): string {
    return this.pods.get(name)!.metadata.labels!['controller-revision-hash'];
  }
}

const types = (acts: Action[]): string[] => acts.map((a) => (a.type === 'createPod' ? `createPod ${a.pod.metadata.name}`
  : a.type === 'deletePod' ? `deletePod ${a.name}` : a.type === 'createClaim' ? `createClaim ${a.claim.metadata.name}` : a.type));

describe('revision hashing', () => {
  it('uses 32-bit FNV-1 (not FNV-1a) and the safe alphabet', () => {
    assert.equal(fnv1_32(new Uint8Array()), 0x811c9dc5);
    assert.equal(fnv1_32(new TextEncoder().encode('a')), 0x050c5d7e);
    assert.equal(safeEncodeString('0123456789'), 'bcdfghjklm'.split('').map((_, i) => 'bcdfghjklmnpqrstvwxz2456789'[(48 + i) % 27]).join(''));
    assert.match(hashRevisionData({ a: 1 }, 0), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(hashRevisionData({ a: 1 }, 0), hashRevisionData({ a: 1 }, 1));
  });

  it('serialises like Go: sorted keys, HTML characters escaped', () => {
    assert.equal(goJson({ b: 1, a: { d: '<&>', c: null } }), '{"a":{"c":null,"d":"\\u003c\\u0026\\u003e"},"b":1}');
  });
});

describe('planStatefulSet: creation', () => {
  it('a burst-mode set far larger than can run is planned a burst at a time, not whole', () => {
    const w = new World(makeSet({ replicas: 2 ** 31 - 1, podManagementPolicy: 'Parallel', volumeClaimTemplates: [] }));
    w.sync();
    assert.equal(w.pods.size, maxPlannedPerSync);
    w.sync();
    assert.equal(w.pods.size, 2 * maxPlannedPerSync, 'the next sync plans the next burst');
    assert.equal(w.set.status?.replicas, maxPlannedPerSync, 'status counts the pods that exist');
  });

  it('creates the first revision, then the claim before the pod, one ordinal at a time', () => {
    const w = new World(makeSet());
    const acts = w.sync();
    assert.deepEqual(types(acts), ['createRevision', 'createClaim www-web-0', 'createPod web-0', 'updateStatus']);
    const rev = [...w.revisions.values()][0];
    assert.match(rev.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rev.revision, 1);
    assert.equal(rev.metadata.labels!['controller.kubernetes.io/hash'], rev.metadata.name!.slice(4));
    assert.equal(rev.metadata.labels!.app, 'nginx');
    assert.deepEqual(rev.metadata.annotations, { note: 'x' });
    const tmpl = (rev.data as { spec: { template: Record<string, unknown> } }).spec.template;
    assert.equal(tmpl.$patch, 'replace');
    assert.deepEqual(tmpl.metadata, { creationTimestamp: null, labels: { app: 'nginx' } });
    const status = (acts.at(-1) as Extract<Action, { type: 'updateStatus' }>).status;
    assert.deepEqual(status, { replicas: 0, availableReplicas: 0, observedGeneration: 1, currentRevision: rev.metadata.name, updateRevision: rev.metadata.name, collisionCount: 0 });
  });

  it('gives pods their stable identity, storage, labels and a blocking controller reference', () => {
    const w = new World(makeSet({ ordinals: { start: 5 } }));
    w.sync();
    const pod = w.pods.get('web-5')!;
    const rev = [...w.revisions.keys()][0];
    assert.equal(pod.spec!.hostname, 'web-5');
    assert.equal(pod.spec!.subdomain, 'nginx');
    assert.deepEqual(pod.metadata.labels, { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-5', 'apps.kubernetes.io/pod-index': '5', 'controller-revision-hash': rev });
    assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'web-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(pod.spec!.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-5' } }]);
    const claim = w.claims.get('www-web-5')!;
    assert.deepEqual(claim.metadata.labels, { tier: 'data', app: 'nginx' });
    assert.equal(claim.metadata.ownerReferences, undefined);
    assert.equal(claim.spec!.resources!.requests!.storage, '1Mi');
  });

  it('OrderedReady: creates the next ordinal only when all lower ones are Running and Ready', () => {
    const w = new World(makeSet());
    w.sync();
    assert.deepEqual(types(w.sync()), ['updateStatus'], 'web-0 is Pending: only its count is recorded');
    assert.deepEqual(types(w.sync()), [], 'nothing changed: nothing written');
    w.pods.get('web-0')!.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
    assert.deepEqual(types(w.sync()), [], 'running but not ready still blocks');
    w.ready('web-0');
    assert.deepEqual(types(w.sync()), ['createClaim www-web-1', 'createPod web-1', 'updateStatus']);
    w.ready('web-1');
    w.sync();
    w.ready('web-2');
    w.unready('web-0');
    w.pods.delete('web-2');
    assert.deepEqual(types(w.sync()).filter((t) => t !== 'updateStatus'), [], 'halts on an unready lower ordinal');
  });

  it('Parallel: creates every missing pod in one sync', () => {
    const w = new World(makeSet({ podManagementPolicy: 'Parallel' }));
    assert.deepEqual(types(w.sync()).filter((t) => t.startsWith('createPod')), ['createPod web-0', 'createPod web-1', 'createPod web-2']);
  });

  it('reuses an existing claim as it is, and waits for one that is being deleted', () => {
    const w = new World(makeSet({ replicas: 1 }));
    w.claims.set('www-web-0', { metadata: { name: 'www-web-0', namespace: 'default', uid: 'old' }, spec: { resources: { requests: { storage: '5Gi' } } } });
    assert.deepEqual(types(w.sync()), ['createRevision', 'createPod web-0', 'updateStatus']);
    assert.equal(w.claims.get('www-web-0')!.spec!.resources!.requests!.storage, '5Gi');
    w.pods.clear();
    w.claims.get('www-web-0')!.metadata.deletionTimestamp = rfc3339(t0);
    const acts = w.sync();
    const fail = acts.find((a) => a.type === 'fail') as Extract<Action, { type: 'fail' }>;
    assert.equal(fail.message, 'pvc www-web-0 is being deleted');
    assert.deepEqual(fail.event, { reason: 'FailedCreate', message: 'create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted' });
    assert.ok(!acts.some((a) => a.type === 'createPod'));
  });

  it('re-creates a missing claim for a Pending pod', () => {
    const w = new World(makeSet({ replicas: 1 }));
    w.sync();
    w.claims.clear();
    assert.deepEqual(types(w.sync()), ['createClaim www-web-0', 'updateStatus']);
  });

  it('deletes a failed pod and brings it back on a later sync', () => {
    const w = new World(makeSet({ replicas: 2 }));
    w.converge();
    w.pods.get('web-0')!.status = { phase: 'Failed' };
    assert.deepEqual(types(w.sync()).filter((t) => t !== 'updateStatus'), ['deletePod web-0']);
    assert.deepEqual(types(w.sync()).filter((t) => t !== 'updateStatus'), ['createPod web-0']);
  });
});

describe('planStatefulSet: scaling down', () => {
  it('OrderedReady: highest ordinal first, one at a time, waiting for termination; claims stay', () => {
    const w = new World(makeSet());
    w.converge();
    w.gracefulDeletes = true;
    w.updateSpec({ replicas: 1 });
    assert.deepEqual(types(w.sync()).filter((t) => t !== 'updateStatus'), ['deletePod web-2']);
    assert.deepEqual(types(w.sync()).filter((t) => t !== 'updateStatus'), [], 'waits while web-2 terminates');
    w.pods.delete('web-2');
    assert.deepEqual(types(w.sync()).filter((t) => t !== 'updateStatus'), ['deletePod web-1']);
    w.pods.delete('web-1');
    w.sync();
    assert.deepEqual([...w.claims.keys()].sort(), ['www-web-0', 'www-web-1', 'www-web-2']);
    w.updateSpec({ replicas: 2 });
    assert.deepEqual(types(w.sync()).filter((t) => t !== 'updateStatus'), ['createPod web-1'], 'scale-up reuses the claim');
  });

  it('OrderedReady: does not scale down while a remaining pod is unhealthy', () => {
    const w = new World(makeSet());
    w.converge();
    w.unready('web-0');
    w.updateSpec({ replicas: 2 });
    assert.ok(!w.sync().some((a) => a.type === 'deletePod'));
  });

  it('an unhealthy condemned pod that is the first unhealthy one may go', () => {
    const w = new World(makeSet());
    w.converge();
    w.unready('web-2');
    w.updateSpec({ replicas: 2 });
    assert.deepEqual(types(w.sync()).filter((t) => t.startsWith('deletePod')), ['deletePod web-2']);
  });

  it('Parallel: deletes every condemned pod at once', () => {
    const w = new World(makeSet({ podManagementPolicy: 'Parallel' }));
    w.converge();
    w.updateSpec({ replicas: 0 });
    assert.deepEqual(types(w.sync()).filter((t) => t.startsWith('deletePod')), ['deletePod web-2', 'deletePod web-1', 'deletePod web-0']);
  });
});

describe('planStatefulSet: PVC retention through owner references', () => {
  it('whenDeleted=Delete: claims are owned by the set', () => {
    const w = new World(makeSet({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }));
    const acts = w.sync();
    assert.deepEqual(types(acts), ['createRevision', 'createClaim www-web-0', 'createPod web-0', 'updateClaimOwners', 'updateStatus']);
    assert.deepEqual(w.claims.get('www-web-0')!.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'web-uid', controller: true, blockOwnerDeletion: true }]);
  });

  it('whenScaled=Delete: a condemned pod owns its claims before it is deleted', () => {
    const w = new World(makeSet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }));
    w.converge();
    assert.equal(w.claims.get('www-web-1')!.metadata.ownerReferences, undefined);
    w.updateSpec({ replicas: 1 });
    const acts = w.sync();
    assert.deepEqual(types(acts).filter((t) => t !== 'updateStatus'), ['updateClaimOwners', 'deletePod web-1']);
    const uid = (acts.find((a) => a.type === 'deletePod') as Extract<Action, { type: 'deletePod' }>).uid;
    assert.deepEqual(w.claims.get('www-web-1')!.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid, controller: true, blockOwnerDeletion: true }]);
    w.updateSpec({ replicas: 2 });
    assert.ok(!w.sync().some((a) => a.type === 'createPod'), 'a claim still owned by the old pod blocks re-creation');
  });

  it('Delete/Delete: set ref while in range, pod ref only once condemned', () => {
    const w = new World(makeSet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
    w.converge();
    assert.equal(w.claims.get('www-web-1')!.metadata.ownerReferences![0].kind, 'StatefulSet');
    w.updateSpec({ replicas: 1 });
    w.sync();
    assert.deepEqual(w.claims.get('www-web-1')!.metadata.ownerReferences!.map((r) => r.kind), ['Pod']);
    assert.deepEqual(w.claims.get('www-web-0')!.metadata.ownerReferences!.map((r) => r.kind), ['StatefulSet']);
  });
});

describe('planStatefulSet: updates', () => {
  it('RollingUpdate: replaces pods from the highest ordinal, one at a time, each after the previous is ready', () => {
    const w = new World(makeSet());
    w.converge();
    const r1 = w.revisionOf('web-0');
    w.setImage('nginx:2');
    let acts = w.sync();
    const r2 = (acts.find((a) => a.type === 'createRevision') as Extract<Action, { type: 'createRevision' }>).revision;
    assert.equal(r2.revision, 2);
    assert.deepEqual(types(acts).filter((t) => t.startsWith('deletePod')), ['deletePod web-2']);
    acts = w.sync();
    assert.deepEqual(types(acts).filter((t) => t.startsWith('createPod')), ['createPod web-2']);
    assert.equal(w.revisionOf('web-2'), r2.metadata.name);
    assert.equal(w.pods.get('web-2')!.spec!.containers[0].image, 'nginx:2');
    assert.ok(!w.sync().some((a) => a.type === 'deletePod'), 'waits for web-2 to be ready');
    w.ready('web-2');
    assert.deepEqual(types(w.sync()).filter((t) => t.startsWith('deletePod')), ['deletePod web-1']);
    assert.equal(w.set.status!.currentRevision, r1, 'currentRevision flips only at the end');
    w.converge();
    assert.equal(w.set.status!.currentRevision, r2.metadata.name);
    assert.equal(w.set.status!.currentReplicas, 3);
    assert.deepEqual(w.history.flat().filter((a) => a.type === 'deletePod').map((a) => (a as { name: string }).name), ['web-2', 'web-1', 'web-0']);
  });

  it('partition: ordinals below it keep (and come back at) the current revision', () => {
    const w = new World(makeSet({ replicas: 2, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
    w.converge();
    const r1 = w.revisionOf('web-0');
    w.setImage('nginx:2');
    w.converge();
    assert.equal(w.revisionOf('web-0'), r1);
    assert.notEqual(w.revisionOf('web-1'), r1);
    assert.equal(w.set.status!.currentRevision, r1);
    w.pods.delete('web-0');
    w.converge();
    assert.equal(w.revisionOf('web-0'), r1, 're-created below the partition at the old revision');
    assert.equal(w.pods.get('web-0')!.spec!.containers[0].image, 'nginx:1');
  });

  it('OnDelete: only deleted pods come back at the new revision', () => {
    const w = new World(makeSet({ replicas: 2, updateStrategy: { type: 'OnDelete' } }));
    w.converge();
    const r1 = w.revisionOf('web-1');
    w.setImage('nginx:2');
    w.converge();
    assert.equal(w.revisionOf('web-1'), r1);
    w.pods.delete('web-1');
    w.converge();
    assert.notEqual(w.revisionOf('web-1'), r1);
    assert.equal(w.set.status!.currentRevision, r1, 'OnDelete never advances currentRevision');
  });

  it('rollback reuses the old revision under a new number', () => {
    const w = new World(makeSet({ replicas: 1 }));
    w.converge();
    const r1 = w.revisionOf('web-0');
    w.setImage('nginx:2');
    w.converge();
    w.setImage('nginx:1');
    const acts = w.sync();
    assert.deepEqual(acts.find((a) => a.type === 'renumberRevision'), { type: 'renumberRevision', name: r1, revision: 3 });
    assert.ok(!acts.some((a) => a.type === 'createRevision'));
    w.converge();
    assert.equal(w.revisionOf('web-0'), r1);
    assert.equal(w.revisions.size, 2);
  });

  it('revisionHistoryLimit prunes the oldest revisions no pod uses', () => {
    const w = new World(makeSet({ replicas: 1, revisionHistoryLimit: 1 }));
    w.converge();
    for (const v of ['2', '3', '4']) {
      w.setImage(`nginx:${v}`);
      w.converge();
    }
    assert.deepEqual([...w.revisions.values()].map((r) => r.revision).sort(), [3, 4]);
  });

  it('a name taken by a different revision steps collisionCount', () => {
    const w = new World(makeSet({ replicas: 1 }));
    const name = w.plan().updateRevision;
    w.revisions.set(name, { metadata: { name, namespace: 'default', uid: 'other', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'other', uid: 'x', controller: true }] }, data: { other: true }, revision: 1 });
    const plan = planStatefulSet({ set: w.set, pods: [], claims: new Map(), revisions: [], namespaceRevisions: w.revisions, now: t0 });
    assert.equal(plan.status.collisionCount, 1);
    assert.notEqual(plan.updateRevision, name);
  });

  it('maxUnavailable (feature gate on): up to that many pods are replaced at once', () => {
    const w = new World(makeSet({ replicas: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } }));
    w.converge();
    w.maxUnavailableEnabled = true;
    w.setImage('nginx:2');
    assert.deepEqual(types(w.sync()).filter((t) => t.startsWith('deletePod')), ['deletePod web-3', 'deletePod web-2']);
    w.maxUnavailableEnabled = false;
    const w2 = new World(makeSet({ replicas: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } }));
    w2.converge();
    w2.setImage('nginx:2');
    assert.deepEqual(types(w2.sync()).filter((t) => t.startsWith('deletePod')), ['deletePod web-3'], 'gate off: one at a time');
  });
});

describe('planStatefulSet: status and timing', () => {
  it('minReadySeconds: availability, ordered creation waits for it, requeue after the remaining time', () => {
    const w = new World(makeSet({ replicas: 2, minReadySeconds: 10 }));
    w.sync();
    w.ready('web-0');
    const plan = w.plan();
    assert.equal(plan.status.readyReplicas, 1);
    assert.equal(plan.status.availableReplicas, 0);
    assert.equal(plan.requeueAfterMs, 10_001);
    assert.ok(!plan.actions.some((a) => a.type === 'createPod'));
    w.now += 10_001;
    const later = w.plan();
    assert.equal(later.status.availableReplicas, 1);
    assert.deepEqual(types(later.actions).filter((t) => t.startsWith('createPod')), ['createPod web-1']);
  });

  it('writes status only when it changed, and a fresh struct (conditions dropped)', () => {
    const w = new World(makeSet({ replicas: 1 }));
    w.converge();
    assert.ok(!w.sync().some((a) => a.type === 'updateStatus'));
    assert.deepEqual(w.set.status, {
      replicas: 1, readyReplicas: 1, availableReplicas: 1, currentReplicas: 1, updatedReplicas: 1, observedGeneration: 1,
      currentRevision: w.revisionOf('web-0'), updateRevision: w.revisionOf('web-0'), collisionCount: 0,
    });
    w.set = { ...w.set, metadata: { ...w.set.metadata, generation: 2 } };
    assert.ok(w.sync().some((a) => a.type === 'updateStatus'), 'a new generation is observed');
  });

  it('a set being deleted only has its status written', () => {
    const w = new World(makeSet());
    w.converge();
    w.pods.delete('web-0');
    w.set = { ...w.set, metadata: { ...w.set.metadata, deletionTimestamp: rfc3339(t0) } };
    assert.deepEqual(types(w.sync()), ['updateStatus']);
    w.revisions.clear();
    w.setImage('nginx:2');
    assert.ok(!w.sync().some((a) => a.type === 'createRevision' || a.type === 'renumberRevision'), 'no new history while being deleted');
  });
});
