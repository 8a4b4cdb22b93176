import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchObject, fallbackPatchMeta, managerFromUserAgent } from './index.js';
import { serverSideApply } from './server-side-apply.js';
import { trackUpdate } from './managed-fields.js';
import { isStatusError } from '../../meta/errors.js';
import type { JsonObject } from './json-value.js';

const meta = fallbackPatchMeta('StatefulSet');
const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:01:00Z';

function applied(replicas: number, image = 'nginx:1.27', extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas, serviceName: 'web', selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80, name: 'web' }] }] } },
      ...extra,
    },
  };
}

type Entry = { manager: string; operation: string; apiVersion: string; time?: string; fieldsType: string; fieldsV1: JsonObject };
const entries = (o: JsonObject) => ((o.metadata as JsonObject).managedFields ?? []) as unknown as Entry[];

test('first apply creates the object and records an Apply entry in FieldsV1', () => {
  const { object, conflicts } = serverSideApply({ current: undefined, applied: applied(2), manager: 'kubectl', force: false, now: T1, apiVersion: 'apps/v1', kind: 'StatefulSet', meta, resetFields: [['status']] });
  assert.deepEqual(conflicts, []);
  assert.equal((object.spec as JsonObject).replicas, 2);
  const [e] = entries(object);
  assert.equal(e.manager, 'kubectl');
  assert.equal(e.operation, 'Apply');
  assert.equal(e.time, T1);
  assert.equal(e.fieldsType, 'FieldsV1');
  const spec = e.fieldsV1['f:spec'] as JsonObject;
  assert.deepEqual(spec['f:replicas'], {});
  assert.deepEqual(spec['f:selector'], {}, 'LabelSelector is atomic');
  const containers = ((spec['f:template'] as JsonObject)['f:spec'] as JsonObject)['f:containers'] as JsonObject;
  assert.deepEqual(Object.keys(containers), ['k:{"name":"nginx"}']);
  const nginx = containers['k:{"name":"nginx"}'] as JsonObject;
  assert.deepEqual(Object.keys(nginx), ['.', 'f:image', 'f:name', 'f:ports']);
  assert.deepEqual(Object.keys(nginx['f:ports'] as JsonObject), ['k:{"containerPort":80,"protocol":"TCP"}']);
  const metaFields = e.fieldsV1['f:metadata'] as JsonObject;
  assert.deepEqual(metaFields, { 'f:labels': { 'f:app': {} } }, 'name and namespace are never owned');
});

test('apply over a field another manager set differently: 409 with kube wording, force takes it', () => {
  const created = serverSideApply({ current: undefined, applied: applied(2), manager: 'kubectl', force: false, now: T1, apiVersion: 'apps/v1', kind: 'StatefulSet', meta }).object;
  // kubectl scale → merge patch by another manager
  const scaled = patchObject({ patchType: 'application/merge-patch+json', current: created, body: { spec: { replicas: 5 } }, meta, manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', kind: 'StatefulSet', now: T2 }).object;
  assert.equal((scaled.spec as JsonObject).replicas, 5);
  assert.deepEqual(entries(scaled).map((e) => `${e.operation}:${e.manager}`), ['Apply:kubectl', 'Update:kubectl-client-side-apply']);
  assert.equal(((entries(scaled)[0].fieldsV1['f:spec'] as JsonObject)['f:replicas']), undefined, 'the update took replicas from the applier');

  let err: unknown;
  try {
    serverSideApply({ current: scaled, applied: applied(3), manager: 'kubectl', force: false, now: T2, apiVersion: 'apps/v1', kind: 'StatefulSet', meta });
  } catch (e) {
    err = e;
  }
  assert.ok(isStatusError(err));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.status.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  assert.deepEqual(err.status.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);

  const same = serverSideApply({ current: scaled, applied: applied(5), manager: 'kubectl', force: false, now: T2, apiVersion: 'apps/v1', kind: 'StatefulSet', meta });
  assert.deepEqual(same.conflicts, [], 'same value is shared ownership, not a conflict');

  const forced = serverSideApply({ current: scaled, applied: applied(3), manager: 'kubectl', force: true, now: T2, apiVersion: 'apps/v1', kind: 'StatefulSet', meta });
  assert.equal((forced.object.spec as JsonObject).replicas, 3);
  assert.equal(forced.conflicts.length, 1);
  assert.deepEqual(entries(forced.object).map((e) => e.manager), ['kubectl'], 'the other manager lost its only field');
});

test('fields dropped from the applied config are removed unless someone else owns them', () => {
  const withEnv = applied(2, 'nginx:1.27');
  ((withEnv.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers.push({ name: 'sidecar', image: 'busybox' });
  let obj = serverSideApply({ current: undefined, applied: withEnv, manager: 'kubectl', force: false, now: T1, apiVersion: 'apps/v1', kind: 'StatefulSet', meta }).object;
  // someone else sets an annotation; the applier never did
  obj = patchObject({ patchType: 'application/strategic-merge-patch+json', current: obj, body: { metadata: { annotations: { note: 'x' } } }, meta, manager: 'kubectl-annotate', apiVersion: 'apps/v1', kind: 'StatefulSet', now: T2 }).object;
  const next = serverSideApply({ current: obj, applied: applied(2), manager: 'kubectl', force: false, now: T2, apiVersion: 'apps/v1', kind: 'StatefulSet', meta }).object;
  const containers = ((next.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers;
  assert.deepEqual(containers.map((c) => c.name), ['nginx']);
  assert.deepEqual((next.metadata as JsonObject).annotations, { note: 'x' });
});

test('fields another manager also owns survive when the applier drops them', () => {
  let obj = serverSideApply({ current: undefined, applied: applied(2), manager: 'a', force: false, now: T1, apiVersion: 'apps/v1', kind: 'StatefulSet', meta }).object;
  obj = serverSideApply({ current: obj, applied: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, spec: { replicas: 2 } }, manager: 'b', force: false, now: T1, apiVersion: 'apps/v1', kind: 'StatefulSet', meta }).object;
  const cfg = applied(2);
  delete (cfg.spec as JsonObject).replicas;
  obj = serverSideApply({ current: obj, applied: cfg, manager: 'a', force: false, now: T2, apiVersion: 'apps/v1', kind: 'StatefulSet', meta }).object;
  assert.equal((obj.spec as JsonObject).replicas, 2);
});

test('trackUpdate records Update entries; removed fields leave every set', () => {
  const created = trackUpdate({ old: undefined, next: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }, manager: 'kubectl-create', apiVersion: 'v1', now: T1, meta: fallbackPatchMeta('Pod') });
  const [e] = entries(created);
  assert.equal(e.manager, 'kubectl-create');
  assert.equal(e.operation, 'Update');
  assert.deepEqual((e.fieldsV1['f:metadata'] as JsonObject)['f:labels'], { '.': {}, 'f:a': {}, 'f:b': {} });
  const edited = trackUpdate({ old: created, next: { ...created, metadata: { ...(created.metadata as JsonObject), labels: { a: '9' } } }, manager: 'kubectl-edit', apiVersion: 'v1', now: T2, meta: fallbackPatchMeta('Pod') });
  const byManager = Object.fromEntries(entries(edited).map((x) => [x.manager, x.fieldsV1]));
  assert.deepEqual((byManager['kubectl-create']['f:metadata'] as JsonObject)['f:labels'], {}, 'still owns the map itself, no longer its keys');
  assert.deepEqual((byManager['kubectl-edit']['f:metadata'] as JsonObject)['f:labels'], { 'f:a': {} });
  const unchanged = trackUpdate({ old: edited, next: edited, manager: 'kubectl-edit', apiVersion: 'v1', now: '2030-01-01T00:00:00Z', meta: fallbackPatchMeta('Pod') });
  assert.deepEqual(entries(unchanged).map((x) => x.time), entries(edited).map((x) => x.time), 'a no-op write does not touch times');
});

test('trackUpdate: reset fields (spec through status, status through the main resource) are neither gained nor lost', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'n1' }, status: { phase: 'Pending' } };
  const created = trackUpdate({ old: undefined, next: pod, manager: 'creator', apiVersion: 'v1', now: T1, meta: fallbackPatchMeta('Pod'), resetFields: [['status']] });
  // a kubelet's status write that also drops nodeName and changes the image: the strategy puts spec back
  const status = { ...created, spec: { containers: [{ name: 'c', image: 'y' }] }, status: { phase: 'Running' } };
  const updated = trackUpdate({ old: created, next: status, manager: 'kubelet', apiVersion: 'v1', now: T2, meta: fallbackPatchMeta('Pod'), subresource: 'status', resetFields: [['spec']] });
  const byManager = Object.fromEntries(entries(updated).map((x) => [x.manager, x.fieldsV1]));
  assert.deepEqual(byManager.kubelet, { 'f:status': { 'f:phase': {} } });
  assert.deepEqual(Object.keys(byManager.creator['f:spec'] as JsonObject), ['.', 'f:containers', 'f:nodeName'], 'spec ownership stays with its writer');
});

test('patchObject: content types, YAML apply bodies, option checks', () => {
  const created = patchObject({ patchType: 'application/apply-patch+yaml; charset=utf-8', current: undefined, body: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  replicas: 1\n', meta, manager: 'kubectl', apiVersion: 'apps/v1', kind: 'StatefulSet', now: T1 });
  assert.equal(created.created, true);
  assert.equal((created.object.spec as JsonObject).replicas, 1);
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(isStatusError(e));
      return e.code;
    }
    return 0;
  };
  const base = { current: created.object, meta, manager: 'm', apiVersion: 'apps/v1', kind: 'StatefulSet', now: T1 };
  assert.equal(code(() => patchObject({ ...base, patchType: 'text/plain', body: {} })), 415);
  assert.equal(code(() => patchObject({ ...base, patchType: 'application/strategic-merge-patch+json', body: {}, strategicMergeSupported: false })), 415);
  assert.equal(code(() => patchObject({ ...base, patchType: 'application/merge-patch+json', body: '{"spec":' })), 400);
  assert.equal(code(() => patchObject({ ...base, patchType: 'application/merge-patch+json', body: {}, force: true })), 422);
  assert.equal(code(() => patchObject({ ...base, patchType: 'application/apply-patch+yaml', body: 'a: [', manager: 'kubectl' })), 400);
  assert.equal(code(() => patchObject({ ...base, patchType: 'application/apply-patch+yaml', body: 'apiVersion: apps/v1\nkind: StatefulSet\nspec:\n  replicas: 1\n  replicas: 2\n', fieldValidation: 'Strict' })), 400);
  assert.equal(code(() => patchObject({ ...base, patchType: 'application/apply-patch+yaml', body: { apiVersion: 'apps/v1beta1', kind: 'StatefulSet' } })), 400);
  assert.equal(code(() => patchObject({ ...base, patchType: 'application/apply-patch+yaml', body: { apiVersion: 'apps/v1', kind: 'StatefulSet' }, manager: '' })), 422);
  assert.equal(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
});

const cmObj = (data: JsonObject, metadata: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', uid: 'u1', ...metadata }, data });
const cmMeta = fallbackPatchMeta('ConfigMap');

test('capManagers: past ten Update managers, the oldest of a version are merged into "ancient-changes"', () => {
  let obj = trackUpdate({ old: undefined, next: cmObj({ k0: '0' }), manager: 'm00', apiVersion: 'v1', now: '2026-01-01T00:00:00Z', meta: cmMeta });
  for (let i = 1; i <= 11; i++) {
    const next = cmObj({ ...(obj.data as JsonObject), [`k${i}`]: String(i) }, { managedFields: (obj.metadata as JsonObject).managedFields ?? null });
    obj = trackUpdate({ old: obj, next, manager: `m${String(i).padStart(2, '0')}`, apiVersion: 'v1', now: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`, meta: cmMeta });
  }
  const es = entries(obj);
  assert.equal(es.length, 10);
  const ancient = es.find((e) => e.manager === 'ancient-changes')!;
  assert.ok(ancient, 'the bucket exists');
  assert.deepEqual(Object.keys(ancient.fieldsV1['f:data'] as JsonObject).sort(), ['.', 'f:k0', 'f:k1', 'f:k2'], 'the three oldest managers\' fields');
  assert.equal(ancient.time, '2026-01-01T00:00:02Z', 'the time of the newest entry merged in');
  assert.deepEqual(es.map((e) => e.manager).filter((m) => m !== 'ancient-changes'), ['m03', 'm04', 'm05', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11']);
});

test('managedFields a write sends: [] keeps the stored ones, [{}] resets them, and an untracked object stays untracked until an apply', () => {
  const created = trackUpdate({ old: undefined, next: cmObj({ a: '1' }), manager: 'maker', apiVersion: 'v1', now: T1, meta: cmMeta });
  const kept = trackUpdate({ old: created, next: cmObj({ a: '2' }, { managedFields: [] }), manager: 'editor', apiVersion: 'v1', now: T2, meta: cmMeta });
  assert.deepEqual(entries(kept).map((e) => e.manager), ['maker', 'editor'], '[] did not wipe the entries');
  assert.deepEqual(entries(kept)[1].fieldsV1, { 'f:data': { 'f:a': {} } }, 'editor took a from maker');
  const reset = trackUpdate({ old: kept, next: cmObj({ a: '2' }, { managedFields: [{}] }), manager: 'resetter', apiVersion: 'v1', now: T2, meta: cmMeta });
  assert.equal((reset.metadata as JsonObject).managedFields, undefined);
  const untracked = trackUpdate({ old: reset, next: cmObj({ a: '3', b: '1' }), manager: 'editor', apiVersion: 'v1', now: T2, meta: cmMeta });
  assert.equal((untracked.metadata as JsonObject).managedFields, undefined, 'skipNonApplied');
  const status = trackUpdate({ old: kept, next: cmObj({ a: '2' }, { managedFields: [{}] }), manager: 'x', apiVersion: 'v1', now: T2, meta: cmMeta, subresource: 'status' });
  assert.deepEqual(entries(status).map((e) => e.manager), ['maker', 'editor'], 'a subresource write never sets managedFields');
});

test('kubectl\'s server-side apply takes fields its last client-side apply set, and rewrites the annotation', () => {
  const lastApplied = '{"apiVersion":"v1","data":{"a":"1","b":"1"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"c","namespace":"default"}}\n';
  const live = trackUpdate({ old: undefined, next: cmObj({ a: '1', b: '1', c: '1' }, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }), manager: 'kubectl-client-side-apply', apiVersion: 'v1', now: T1, meta: cmMeta });
  const config = (data: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data });
  const { object } = serverSideApply({ current: live, applied: config({ a: '2', b: '<2>' }), manager: 'kubectl', force: false, now: T2, apiVersion: 'v1', kind: 'ConfigMap', meta: cmMeta });
  assert.deepEqual(object.data, { a: '2', b: '<2>', c: '1' });
  const annotation = ((object.metadata as JsonObject).annotations as JsonObject)['kubectl.kubernetes.io/last-applied-configuration'];
  assert.equal(annotation, '{"apiVersion":"v1","data":{"a":"2","b":"\\u003c2\\u003e"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}\n');
  assert.throws(() => serverSideApply({ current: live, applied: config({ a: '2', c: '2' }), manager: 'kubectl', force: false, now: T2, apiVersion: 'v1', kind: 'ConfigMap', meta: cmMeta }),
    (e: unknown) => isStatusError(e) && e.status.code === 409 && /\.data\.c/.test((e.status.message ?? '')) && !/\.data\.a/.test((e.status.message ?? '')),
    'a field the annotation does not name still conflicts, and only it is reported');
  assert.throws(() => serverSideApply({ current: live, applied: config({ a: '2' }), manager: 'other-applier', force: false, now: T2, apiVersion: 'v1', kind: 'ConfigMap', meta: cmMeta }),
    (e: unknown) => isStatusError(e) && e.status.code === 409, 'only kubectl\'s applies are waived');
  const edited = { ...live, data: { a: '9', b: '1', c: '1' } };
  assert.throws(() => serverSideApply({ current: edited, applied: config({ a: '2' }), manager: 'kubectl', force: false, now: T2, apiVersion: 'v1', kind: 'ConfigMap', meta: cmMeta }),
    (e: unknown) => isStatusError(e) && e.status.code === 409, 'a field changed since the last apply is no longer covered');
});

test('an apply body of another kind or version is refused as versionCheckManager does', () => {
  const refused = (applied: JsonObject): string => {
    try {
      serverSideApply({ current: undefined, applied, manager: 'm', force: false, now: T1, apiVersion: 'v1', kind: 'ConfigMap', meta: cmMeta });
    } catch (e) {
      assert.ok(isStatusError(e) && e.status.code === 400);
      return e.status.message ?? '';
    }
    return 'accepted';
  };
  assert.equal(refused({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' } }), 'invalid object type: /v1, Kind=Service');
  assert.equal(refused({ apiVersion: 'apps/v2', kind: 'ConfigMap', metadata: { name: 'c' } }), 'invalid object type: apps/v2, Kind=ConfigMap');
  assert.equal(refused({ metadata: { name: 'c' } }), 'invalid object type: /, Kind=');
  assert.equal(refused({ apiVersion: 'a/b/c', kind: 'ConfigMap' }), 'invalid object type: /, Kind=');
  assert.equal(refused({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }), 'accepted');
});
