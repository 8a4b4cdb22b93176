import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../meta/clock.js';
import type { KubeObject } from '../meta/types.js';
import { MemoryStorage } from '../store/memory.js';
import { buildResources, defaultClusterConfig } from './kinds/index.js';
import { Registry } from './generic.js';
import { fieldTracker, patchApplier } from './patching.js';

const registry = new Registry({ storage: new MemoryStorage(), clock: new FakeClock(), resources: buildResources(defaultClusterConfig), patcher: patchApplier(), fieldTracker: fieldTracker() });
const owned = (o: KubeObject): string => JSON.stringify(o.metadata.managedFields?.[0]?.fieldsV1 ?? {});

test('a create owns the fields as sent and defaulted, not what admission and the strategy add (kube tracks before admission)', async () => {
  await registry.create(registry.ref('', 'namespaces'), '', { metadata: { name: 'team' } }, { fieldManager: 'kubectl-create' });
  const ns = await registry.get(registry.ref('', 'namespaces'), '', 'team');
  assert.match(owned(ns), /kubernetes\.io\/metadata\.name/, 'a default is owned');
  assert.doesNotMatch(owned(ns), /finalizers/, 'spec.finalizers is set by the strategy');

  const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const a = await registry.create(registry.ref('', 'pods'), 'team', pod, { fieldManager: 'kubectl-create' });
  assert.ok(a.metadata.managedFields);
  assert.ok((a.spec as { volumes?: unknown[] }).volumes?.length, 'the service account admission added a volume');
  assert.doesNotMatch(owned(a), /kube-api-access|serviceAccountName|f:priority|tolerations/);
  assert.match(owned(a), /terminationMessagePath/, 'container defaults are owned');
  // pods created alike share one FieldsV1 object
  const b = await registry.create(registry.ref('', 'pods'), 'team', { ...pod, metadata: { name: 'q' } }, { fieldManager: 'kubectl-create' });
  assert.equal(a.metadata.managedFields![0].fieldsV1, b.metadata.managedFields![0].fieldsV1);

  const svc = await registry.create(registry.ref('', 'services'), 'team', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }, { fieldManager: 'kubectl-create' });
  assert.ok((svc.spec as { clusterIP?: string }).clusterIP);
  assert.doesNotMatch(owned(svc), /clusterIP/, 'the allocated cluster IP is nobody\'s');
});
