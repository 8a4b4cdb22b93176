import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, rfc3339 } from '../../meta/clock.js';
import { StatusError } from '../../meta/errors.js';
import { MemoryStorage } from '../../store/memory.js';
import { Registry } from '../generic.js';
import { buildResources } from './index.js';
import type { PodObject } from './pods.js';

function setup() {
  const clock = new FakeClock();
  const registry = new Registry({ storage: new MemoryStorage(), clock, resources: buildResources() });
  return { registry, clock, ref: registry.ref('', 'pods') };
}

const pod = (name = 'p', spec: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.28.4' }], ...spec } });

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

test('create: pod defaults, admission fields and a Pending status with its QoS class', async () => {
  const { registry, ref } = setup();
  const o = (await registry.create(ref, 'default', pod())) as PodObject;
  const spec = o.spec!;
  assert.equal(spec.enableServiceLinks, true);
  assert.equal(spec.priority, 0);
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.restartPolicy, 'Always');
  assert.deepEqual(spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  assert.equal(spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(o.status, { phase: 'Pending', qosClass: 'BestEffort' });
  assert.equal(o.metadata.generation, undefined);
  const g = (await registry.create(ref, 'default', pod('g', { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }))) as PodObject;
  assert.equal(g.status!.qosClass, 'Guaranteed');
});

test('validation: containers required, names unique DNS labels, mounts must name a volume', async () => {
  const { registry, ref } = setup();
  assert.deepEqual(await causes(registry.create(ref, 'default', { metadata: { name: 'p' }, spec: { containers: [] } })), ['spec.containers: Required value']);
  assert.deepEqual(await causes(registry.create(ref, 'default', pod('p', {
    containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/d' }] }, { name: 'c', image: 'y' }, { name: 'Bad_Name' }],
  }))), [
    'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    'spec.containers[1].name: Duplicate value: "c"',
    `spec.containers[2].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.containers[2].image: Required value',
  ]);
});

test('update: image changes are allowed, other spec changes are forbidden', async () => {
  const { registry, ref } = setup();
  const o = (await registry.create(ref, 'default', pod())) as PodObject;
  const img = structuredClone(o);
  img.spec!.containers[0].image = 'busybox:1.36';
  const u = (await registry.update(ref, 'default', 'p', img)) as PodObject;
  assert.equal(u.spec!.containers[0].image, 'busybox:1.36');
  const bad = structuredClone(u);
  bad.spec!.restartPolicy = 'Never';
  const c = await causes(registry.update(ref, 'default', 'p', bad));
  assert.equal(c.length, 1);
  assert.ok(c[0].startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`'), c[0]);
});

test('graceful deletion follows CheckGracefulDelete', () => {
  const grace = setup().ref.info.strategy.gracePeriodSeconds!;
  const scheduled = { metadata: {}, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 45, containers: [] }, status: { phase: 'Running' } } as PodObject;
  assert.equal(grace(scheduled, {}), 45);
  assert.equal(grace(scheduled, { gracePeriodSeconds: 5 }), 5);
  assert.equal(grace(scheduled, { gracePeriodSeconds: -3 }), 1);
  assert.equal(grace({ ...scheduled, spec: { containers: [] } } as PodObject, {}), 0, 'unscheduled');
  assert.equal(grace({ ...scheduled, status: { phase: 'Succeeded' } } as PodObject, {}), 0, 'finished');
});

test('a scheduled pod is Terminating for its grace period and shows so in the table', async () => {
  const { registry, ref, clock } = setup();
  await registry.create(ref, 'default', pod('p', { nodeName: 'n1' }));
  const res = await registry.delete(ref, 'default', 'p');
  assert.equal(res.removed, false);
  assert.equal(res.object.metadata.deletionGracePeriodSeconds, 30);
  assert.equal(ref.info.strategy.table.cells(res.object, clock.now())[2], 'Terminating');
});

test('a pod deleted with no grace is marked first: watchers see MODIFIED, then DELETED', async () => {
  const { registry, ref } = setup();
  const created = await registry.create(ref, 'default', pod('p'));
  const seen: string[] = [];
  const w = registry.watch(ref, 'default', { resourceVersion: created.metadata.resourceVersion }, (e) => {
    if (e.type === 'MODIFIED' || e.type === 'DELETED') seen.push(`${e.type} ${e.object.metadata.deletionGracePeriodSeconds}`);
  });
  const res = await registry.delete(ref, 'default', 'p');
  await new Promise((r) => setImmediate(r));
  w.stop();
  assert.equal(res.removed, true);
  assert.ok(res.object.metadata.deletionTimestamp);
  assert.deepEqual(seen, ['MODIFIED 0', 'DELETED 0']);
});

test('a second delete may only shorten the grace period, counted from when the deletion began', async () => {
  const { registry, ref, clock } = setup();
  await registry.create(ref, 'default', pod('p', { nodeName: 'n1' }));
  const began = clock.now();
  await registry.delete(ref, 'default', 'p');
  clock.advance(5000);
  const longer = await registry.delete(ref, 'default', 'p', { gracePeriodSeconds: 60 });
  assert.equal(longer.object.metadata.deletionTimestamp, rfc3339(began + 30_000));
  const shorter = await registry.delete(ref, 'default', 'p', { gracePeriodSeconds: 10 });
  assert.equal(shorter.object.metadata.deletionGracePeriodSeconds, 10);
  assert.equal(shorter.object.metadata.deletionTimestamp, rfc3339(began + 10_000));
});

test('table cells: READY, STATUS reasons, RESTARTS with "ago", wide columns', () => {
  const { ref, clock } = setup();
  const now = clock.now();
  const cells = (o: unknown) => ref.info.strategy.table.cells(o as PodObject, now);
  const base = { metadata: { name: 'p', creationTimestamp: rfc3339(now - 600_000) }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  assert.deepEqual(cells({ ...base, status: { phase: 'Pending' } }), ['p', '0/2', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']);
  assert.equal(cells({ ...base, status: { phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }] } })[2], 'ContainerCreating');
  const running = {
    ...base,
    spec: { ...base.spec, nodeName: 'node-1' },
    status: {
      phase: 'Running', podIP: '10.244.0.5',
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: rfc3339(now - 300_000) } } },
        { name: 'b', ready: true, restartCount: 0, state: { running: {} } },
      ],
    },
  };
  assert.deepEqual(cells(running), ['p', '2/2', 'Running', '2 (5m ago)', '10m', '10.244.0.5', 'node-1', '<none>', '<none>']);
  const crash = { ...base, status: { phase: 'Running', containerStatuses: [{ name: 'a', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } };
  assert.equal(cells(crash)[2], 'CrashLoopBackOff');
  const init = { ...base, spec: { ...base.spec, initContainers: [{ name: 'i' }] }, status: { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { running: {} } }] } };
  assert.equal(cells(init)[2], 'Init:0/1');
  const done = { ...base, status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } };
  assert.equal(cells(done)[2], 'Completed');
});

test('field selectors: spec.nodeName and status.phase', async () => {
  const { registry, ref } = setup();
  await registry.create(ref, 'default', pod('a', { nodeName: 'n1' }));
  await registry.create(ref, 'default', pod('b'));
  assert.deepEqual((await registry.list(ref, 'default', { fieldSelector: 'spec.nodeName=n1' })).items.map((i) => i.metadata.name), ['a']);
  assert.deepEqual((await registry.list(ref, 'default', { fieldSelector: 'status.phase=Pending,spec.nodeName=' })).items.map((i) => i.metadata.name), ['b']);
});

test('pods/status: owners and the QoS class are kept, labels change, a deleting pod gains no finalizer', async () => {
  const { registry, ref } = setup();
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true };
  const created = (await registry.create(ref, 'default', { ...pod(), metadata: { name: 'p', ownerReferences: [owner], finalizers: ['x/keep'] } })) as PodObject;
  const next = structuredClone(created);
  next.metadata.ownerReferences = [];
  next.metadata.labels = { ready: 'yes' };
  next.status = { phase: 'Running' };
  const s = (await registry.update(ref, 'default', 'p', next, {}, 'status')) as PodObject;
  assert.deepEqual(s.metadata.ownerReferences, [owner]);
  assert.deepEqual(s.metadata.labels, { ready: 'yes' });
  assert.equal(s.status?.phase, 'Running');
  assert.equal(s.status?.qosClass, 'BestEffort');
  await registry.delete(ref, 'default', 'p', { gracePeriodSeconds: 0 });
  const deleting = (await registry.get(ref, 'default', 'p')) as PodObject;
  assert.ok(deleting.metadata.deletionTimestamp);
  const more = structuredClone(deleting);
  more.metadata.finalizers = ['x/keep', 'x/more'];
  delete (more.metadata as { deletionTimestamp?: string }).deletionTimestamp;
  assert.deepEqual(await causes(registry.update(ref, 'default', 'p', more, {}, 'status')), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/more"}',
  ]);
  const kept = (await registry.get(ref, 'default', 'p')) as PodObject;
  assert.equal(kept.metadata.deletionTimestamp, deleting.metadata.deletionTimestamp, 'a status write cannot clear deletionTimestamp');
});

test('pods/ephemeralcontainers: adds defaulted ephemeral containers and nothing else; they are never changed or removed', async () => {
  const { registry, ref } = setup();
  assert.deepEqual(await causes(registry.create(ref, 'default', pod('p', { ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] }))),
    ['spec.ephemeralContainers: Forbidden: cannot be set on create']);
  const o = (await registry.create(ref, 'default', { ...pod(), metadata: { name: 'p', labels: { app: 'a' } } })) as PodObject;
  const sent = structuredClone(o);
  sent.metadata.labels = { app: 'changed' };
  sent.spec!.containers[0].image = 'busybox:1.36';
  sent.spec!.ephemeralContainers = [{ name: 'dbg', image: 'busybox', stdin: true, targetContainerName: 'c' }];
  const u = (await registry.update(ref, 'default', 'p', sent, {}, 'ephemeralcontainers')) as PodObject;
  assert.deepEqual(u.spec!.ephemeralContainers, [{
    name: 'dbg', image: 'busybox', stdin: true, targetContainerName: 'c',
    imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
  }]);
  assert.equal(u.spec!.containers[0].image, 'busybox:1.28.4', 'the rest of the spec is put back');
  assert.deepEqual(u.metadata.labels, { app: 'a' }, 'as are labels (ResetObjectMetaForStatus)');
  assert.deepEqual(u.status, o.status);

  const removed = structuredClone(u);
  removed.spec!.ephemeralContainers = [];
  assert.deepEqual(await causes(registry.update(ref, 'default', 'p', removed, {}, 'ephemeralcontainers')),
    ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed\n']);
  const changed = structuredClone(u);
  changed.spec!.ephemeralContainers![0].image = 'alpine';
  const [change] = await causes(registry.update(ref, 'default', 'p', changed, {}, 'ephemeralcontainers'));
  assert.match(change, /^spec\.ephemeralContainers\[dbg\]: Forbidden: existing ephemeral containers "dbg" may not be changed\n {2}core\.EphemeralContainer\{\n- \timage: "busybox",\n\+ \timage: "alpine",/);
  const viaPod = structuredClone(u);
  viaPod.spec!.ephemeralContainers!.push({ name: 'two', image: 'busybox' });
  const [main] = await causes(registry.update(ref, 'default', 'p', viaPod));
  assert.ok(main.startsWith('spec: Forbidden: pod updates may not change fields'), 'the pod itself cannot add one');
});

test('pods/ephemeralcontainers: what an ephemeral container may not have, in validateEphemeralContainers\' words', async () => {
  const { registry, ref } = setup();
  const o = structuredClone((await registry.create(ref, 'default', pod('p', { volumes: [{ name: 'v', emptyDir: {} }] }))) as PodObject);
  o.spec!.ephemeralContainers = [
    { name: 'c', image: 'busybox' },
    {
      name: 'dbg', image: 'busybox', targetContainerName: 'nope', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } },
      readinessProbe: { exec: { command: ['true'] } }, lifecycle: {}, volumeMounts: [{ name: 'v', mountPath: '/v', subPath: 'x' }],
    },
  ];
  assert.deepEqual(await causes(registry.update(ref, 'default', 'p', o, {}, 'ephemeralcontainers')), [
    'spec.ephemeralContainers[0].name: Duplicate value: "c"',
    'spec.ephemeralContainers[1].targetContainerName: Not found: "nope"',
    'spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[1].resources: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[1].readinessProbe: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[1].lifecycle: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[1].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container',
  ]);
});
