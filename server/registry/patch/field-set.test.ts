import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareObjects, decodeFieldsV1, encodeFieldsV1, FieldSet, type FieldPath } from './field-set.js';
import { fallbackPatchMeta } from './patch-meta.js';

const labels: FieldPath = ['f:metadata', 'f:labels'];
const app: FieldPath = [...labels, 'f:app'];
const container: FieldPath = ['f:spec', 'f:containers', 'k:{"name":"web"}'];
const image: FieldPath = [...container, 'f:image'];
const replicas: FieldPath = ['f:spec', 'f:replicas'];

test('FieldsV1 round trip: "." marks a member that also has members below it, keys sorted f < k < v < i', () => {
  const set = FieldSet.of([image, container, app, replicas, ['f:spec', 'f:containers']]);
  const encoded = encodeFieldsV1(set);
  assert.deepEqual(encoded, {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:containers': { '.': {}, 'k:{"name":"web"}': { '.': {}, 'f:image': {} } }, 'f:replicas': {} },
  });
  assert.deepEqual(JSON.stringify(Object.keys(encoded['f:spec'])), '["f:containers","f:replicas"]');
  const back = decodeFieldsV1(encoded)!;
  assert.equal(back.size, 5);
  assert.deepEqual(encodeFieldsV1(back), encoded);
  assert.equal(decodeFieldsV1({ 'x:bad': {} }), undefined);
});

test('set operations work path by path and leave untouched sets as they were', () => {
  const a = FieldSet.of([app, image, replicas]);
  const b = FieldSet.of([image, container]);
  assert.deepEqual([...a.union(b)].length, 4);
  assert.deepEqual([...a.difference(b)], [app, replicas]);
  assert.deepEqual([...a.intersection(b)], [image]);
  // difference removes exact paths only: container's members below it stay
  assert.ok(FieldSet.of([container, image]).difference(FieldSet.of([container])).has(image));
  // nothing to take away: the same set back, so an untouched manager keeps its FieldsV1
  assert.equal(a.difference(FieldSet.of([['f:status']])), a);
  assert.equal(a.difference(new FieldSet()), a);
  // an operation never changes its operands
  assert.equal(a.size, 3);
  assert.equal(b.size, 2);
});

test('withoutSubtrees drops a path and everything below it; ownsAtOrBelow looks down', () => {
  const s = FieldSet.of([app, image, container, replicas]);
  const t = s.withoutSubtrees([['f:spec', 'f:containers']]);
  assert.deepEqual([...t], [app, replicas]);
  assert.ok(s.ownsAtOrBelow(['f:spec']));
  assert.ok(s.ownsAtOrBelow(container));
  assert.ok(!t.ownsAtOrBelow(['f:spec', 'f:containers']));
  assert.ok(!s.ownsAtOrBelow(['f:status']));
  assert.equal(s.withoutSubtrees([[]]).isEmpty(), true);
});

test('iteration follows SMD: members of a level before the levels below it, each sorted', () => {
  const s = FieldSet.of([image, ['f:spec', 'f:tolerations'], ['f:spec', 'f:containers']]);
  assert.deepEqual([...s], [['f:spec', 'f:containers'], ['f:spec', 'f:tolerations'], image]);
});

test('compareObjects marks every node of an added value and only changed leaves of a kept one', () => {
  const meta = fallbackPatchMeta('Pod');
  const before = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } };
  const after = { metadata: { labels: { app: 'b', tier: 'x' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }], nodeName: 'n' } };
  const c = compareObjects(before, after, meta);
  assert.deepEqual(encodeFieldsV1(c.added), { 'f:metadata': { 'f:labels': { 'f:tier': {} } }, 'f:spec': { 'f:nodeName': {} } });
  assert.deepEqual(encodeFieldsV1(c.modified), { 'f:metadata': { 'f:labels': { 'f:app': {} } } });
  assert.ok(c.removed.isEmpty());
  const created = compareObjects({}, after, meta).added;
  assert.deepEqual(encodeFieldsV1(created)['f:spec'], { '.': {}, 'f:containers': { '.': {}, 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:nodeName': {} });
});

test("a create's managed fields, written in one walk, equal the comparison with an empty object", async () => {
  const { trackUpdate } = await import('./managed-fields.js');
  const objects = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', labels: { app: 'a' }, finalizers: ['x', 'x'], annotations: {} }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }] }, { name: 'c', env: [] }], nodeSelector: {}, tolerations: [{ key: 'k' }] }, status: { phase: 'Pending' } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', uid: 'u', resourceVersion: '1', generation: 1 }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [] } }, volumeClaimTemplates: [{ metadata: { name: 'v' } }] } },
    { metadata: { name: 'only-unowned', namespace: 'n' } },
    JSON.parse('{"metadata":{"name":"x","labels":{"__proto__":"v"}},"data":{"__proto__":"y","k":null}}'),
  ];
  for (const [i, next] of objects.entries()) {
    for (const resetFields of [[], [['status']], [['spec']], [['spec', 'template']]]) {
      const input = { next, manager: 'm', apiVersion: 'v1', now: '2026-01-01T00:00:00Z', meta: fallbackPatchMeta(String(next.kind ?? 'ConfigMap')), resetFields, subresource: i === 1 ? 'status' : undefined };
      const walked = trackUpdate({ ...input, old: undefined });
      const compared = trackUpdate({ ...input, old: {} });
      assert.equal(JSON.stringify(walked), JSON.stringify(compared), `object ${i}, reset ${JSON.stringify(resetFields)}`);
    }
  }
});
