import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedDir } from '../../../test/helpers/seed.js';
import { parse } from 'yaml';
import { FakeClock } from '../../meta/clock.js';
import { StatusError } from '../../meta/errors.js';
import { MemoryStorage } from '../../store/memory.js';
import { Registry } from '../generic.js';
import { buildResources, defaultClusterConfig } from './index.js';
import { statefulSetDeprecations, type StatefulSetObject } from './statefulsets.js';

type Sts = StatefulSetObject & { spec: NonNullable<StatefulSetObject['spec']> };

function setup(gates: Record<string, boolean> = {}) {
  const clock = new FakeClock();
  const registry = new Registry({ storage: new MemoryStorage(), clock, resources: buildResources({ ...defaultClusterConfig, featureGates: gates }) });
  return { registry, clock, v1: registry.ref('apps', 'statefulsets') };
}

function web(extra: Record<string, unknown> = {}) {
  return {
    metadata: { name: 'web' },
    spec: {
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, name: 'web' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...extra,
    },
  };
}

async function invalidCauses(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, 422, e.message);
    return (e.status.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
  assert.fail('expected a 422');
}

test('apps/v1 create fills the documented defaults and generation 1', async () => {
  const { registry, v1 } = setup();
  const o = (await registry.create(v1, 'default', web())) as Sts;
  assert.equal(o.metadata.generation, 1);
  assert.equal(o.spec.replicas, 1);
  assert.equal(o.spec.podManagementPolicy, 'OrderedReady');
  assert.equal(o.spec.revisionHistoryLimit, 10);
  assert.deepEqual(o.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(o.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  const pod = o.spec.template.spec!;
  assert.equal(pod.restartPolicy, 'Always');
  assert.equal(pod.dnsPolicy, 'ClusterFirst');
  assert.equal(pod.terminationGracePeriodSeconds, 30);
  assert.equal(pod.schedulerName, 'default-scheduler');
  assert.deepEqual(pod.securityContext, {});
  assert.equal(pod.enableServiceLinks, undefined, 'templates do not get pod-only defaults');
  const c = pod.containers[0];
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports![0].protocol, 'TCP');
  assert.equal(o.spec.volumeClaimTemplates![0].spec!.volumeMode, 'Filesystem');
  assert.deepEqual(o.spec.volumeClaimTemplates![0].status, { phase: 'Pending' });
  assert.deepEqual(o.status, { replicas: 0, availableReplicas: 0 }, 'replicas and availableReplicas carry no omitempty');
  assert.equal(o.spec.volumeClaimTemplates![0].kind, 'PersistentVolumeClaim');
});

test('the v1beta1 seed manifest is accepted as written, with v1beta1 defaults', async () => {
  const { registry } = setup();
  const ref = registry.lookup('apps', 'v1beta1', 'statefulsets');
  assert.ok(ref);
  const manifest = parse(readFileSync(join(seedDir, 'terra10-statefulset.yaml'), 'utf8'));
  const o = (await registry.create(ref, 'default', manifest)) as Sts;
  assert.deepEqual(o.spec.selector, { matchLabels: { app: 'terra10' } });
  assert.deepEqual(o.metadata.labels, { app: 'terra10' });
  assert.deepEqual(o.spec.updateStrategy, { type: 'OnDelete' });
  assert.equal(o.spec.replicas, 2);
  assert.equal(o.spec.template.spec!.containers[1].imagePullPolicy, 'Always', 'untagged image pulls Always');
  assert.equal(registry.present(ref, o).apiVersion, 'apps/v1beta1');
  assert.equal(ref.info.versions.find((v) => v.name === 'v1beta1')?.deprecationWarning, statefulSetDeprecations.v1beta1);
  assert.equal(ref.info.strategy.defaultGarbageCollectionPolicy?.('v1beta1'), 'Orphan');
  assert.equal(ref.info.strategy.defaultGarbageCollectionPolicy?.('v1'), 'Background');
});

test('deprecated versions are served only when configured', () => {
  const registry = new Registry({ storage: new MemoryStorage(), clock: new FakeClock(), resources: buildResources({ ...defaultClusterConfig, deprecatedApis: false }) });
  assert.equal(registry.lookup('apps', 'v1beta1', 'statefulsets'), undefined);
  assert.deepEqual(registry.ref('apps', 'statefulsets').info.versions.map((v) => v.name), ['v1']);
  const full = setup().v1.info.versions.map((v) => v.name);
  assert.deepEqual(full, ['v1', 'v1beta2', 'v1beta1']);
});

test('validation: selector required, empty, mismatched; name must be a DNS label', async () => {
  const { registry, v1 } = setup();
  const noSel = web();
  delete (noSel.spec as Record<string, unknown>).selector;
  assert.deepEqual(await invalidCauses(registry.create(v1, 'default', noSel)), ['spec.selector: Required value']);
  const empty = web({ selector: {} });
  assert.ok((await invalidCauses(registry.create(v1, 'default', empty))).includes('spec.selector: Invalid value: {}: empty selector is invalid for statefulset'));
  const mismatch = web({ selector: { matchLabels: { app: 'other' } } });
  assert.deepEqual(await invalidCauses(registry.create(v1, 'default', mismatch)), [
    'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
  ]);
  const dotted = { ...web(), metadata: { name: 'web.v1' } };
  const causes = await invalidCauses(registry.create(v1, 'default', dotted));
  assert.equal(causes.length, 1);
  assert.match(causes[0], /^metadata.name: Invalid value: "web.v1": a lowercase RFC 1123 label/);
  const restart = web();
  (restart.spec.template.spec as Record<string, unknown>).restartPolicy = 'Never';
  assert.deepEqual(await invalidCauses(registry.create(v1, 'default', restart)), [
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
});

test('update: replicas and template change bump generation; selector is immutable with the 1.32 message', async () => {
  const { registry, v1 } = setup();
  const created = (await registry.create(v1, 'default', web())) as Sts;
  const scaled = structuredClone(created);
  scaled.spec.replicas = 3;
  const u1 = (await registry.update(v1, 'default', 'web', scaled)) as Sts;
  assert.equal(u1.metadata.generation, 2);
  const same = (await registry.update(v1, 'default', 'web', { ...web({ replicas: 3 }), metadata: { name: 'web' } })) as Sts;
  assert.equal(same.metadata.generation, 2, 'an undefaulted but equivalent spec is no change');
  const bad = structuredClone(u1);
  bad.spec.serviceName = 'other';
  assert.deepEqual(await invalidCauses(registry.update(v1, 'default', 'web', bad)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

test('status: main writes keep status, status writes keep spec, counts are validated', async () => {
  const { registry, v1 } = setup();
  const created = (await registry.create(v1, 'default', web({ replicas: 2 }))) as Sts;
  const withStatus = structuredClone(created);
  withStatus.status = { replicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 };
  withStatus.spec.replicas = 9;
  const s = (await registry.update(v1, 'default', 'web', withStatus, {}, 'status')) as Sts;
  assert.equal(s.status!.readyReplicas, 1);
  assert.equal(s.spec.replicas, 2);
  assert.equal(s.metadata.generation, 1);
  const main = structuredClone(s);
  main.status = { replicas: 0 };
  const m = (await registry.update(v1, 'default', 'web', main)) as Sts;
  assert.equal(m.status!.readyReplicas, 1);
  const badStatus = structuredClone(m);
  badStatus.status = { replicas: 1, readyReplicas: 2, availableReplicas: 2 };
  assert.deepEqual(await invalidCauses(registry.update(v1, 'default', 'web', badStatus, {}, 'status')), [
    'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
    'status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas',
  ]);
});

test('maxUnavailable is dropped unless the feature gate is on', async () => {
  const off = setup();
  const a = (await off.registry.create(off.v1, 'default', web({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }))) as Sts;
  assert.deepEqual(a.spec.updateStrategy!.rollingUpdate, { partition: 0 });
  const on = setup({ MaxUnavailableStatefulSet: true });
  const b = (await on.registry.create(on.v1, 'default', web())) as Sts;
  assert.deepEqual(b.spec.updateStrategy!.rollingUpdate, { partition: 0, maxUnavailable: 1 });
  const bad = web({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } });
  bad.metadata.name = 'web2';
  assert.deepEqual(await invalidCauses(on.registry.create(on.v1, 'default', bad)), [
    'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0',
  ]);
});

test('table: READY is readyReplicas/replicas, wide adds containers and images', async () => {
  const { registry, v1, clock } = setup();
  const o = await registry.create(v1, 'default', web({ replicas: 3 }));
  clock.advance(65_000);
  const t = v1.info.strategy.table;
  assert.deepEqual(t.columns.map((c) => [c.name, c.priority]), [['Name', 0], ['Ready', 0], ['Age', 0], ['Containers', 1], ['Images', 1]]);
  assert.deepEqual(t.cells(o, clock.now()), ['web', '0/3', '65s', 'nginx', 'nginx:1.25']);
});

test('status writes change metadata as object writes do, and reset spec alone', async () => {
  const { registry, v1 } = setup();
  const created = (await registry.create(v1, 'default', web({ replicas: 2 }))) as Sts;
  const next = structuredClone(created);
  next.metadata.labels = { tier: 'db' };
  next.metadata.annotations = { note: 'from status' };
  (next.metadata as { generation?: number }).generation = 7;
  next.spec.replicas = 5;
  next.status = { replicas: 0, availableReplicas: 0 };
  const s = (await registry.update(v1, 'default', 'web', next, {}, 'status')) as Sts;
  assert.deepEqual(s.metadata.labels, { tier: 'db' });
  assert.deepEqual(s.metadata.annotations, { note: 'from status' });
  assert.equal(s.metadata.generation, 1, 'generation follows spec, which a status write cannot change');
  assert.equal(s.spec.replicas, 2);
  const bad = structuredClone(s);
  bad.metadata.labels = { 'bad label': 'x' };
  assert.deepEqual(await invalidCauses(registry.update(v1, 'default', 'web', bad, {}, 'status')), [
    "metadata.labels: Invalid value: \"bad label\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
});

test('a deletion that waits for a finalizer raises generation, as the start of any graceful deletion does', async () => {
  const { registry, v1 } = setup();
  await registry.create(v1, 'default', { ...web(), metadata: { name: 'web', finalizers: ['example.com/hold'] } });
  const res = await registry.delete(v1, 'default', 'web');
  assert.equal(res.removed, false);
  assert.equal(res.object.metadata.generation, 2);
  assert.ok(res.object.metadata.deletionTimestamp);
  const again = await registry.delete(v1, 'default', 'web');
  assert.equal(again.object.metadata.generation, 2, 'only the first delete raises it');
});
