import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch, createMergePatch, mergePatchValue } from './merge-patch.js';
import { isStatusError } from '../../meta/errors.js';
import type { JsonObject, JsonValue } from './json-value.js';

const pod = (): JsonObject => ({ metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

function failure(fn: () => unknown): { code: number; message: string; details: unknown } {
  try {
    fn();
  } catch (e) {
    assert.ok(isStatusError(e));
    return { code: e.code, message: e.status.message ?? '', details: e.status.details };
  }
  assert.fail('expected a StatusError');
}

test('json patch: kubectl patch --type=json ops', () => {
  const out = applyJsonPatch(pod(), [
    { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
    { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    { op: 'remove', path: '/metadata/labels/app' },
    { op: 'test', path: '/metadata/name', value: 'p' },
  ]) as JsonObject;
  assert.deepEqual(out, { metadata: { name: 'p', labels: { tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } });
});

test('json patch: failures are kube\'s generic 422, shapes are 400', () => {
  const generic = { code: 422, message: 'the server rejected our request due to an error in our request', details: {} };
  assert.deepEqual(failure(() => applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'q' }])), generic);
  assert.deepEqual(failure(() => applyJsonPatch(pod(), [{ op: 'remove', path: '/spec/affinity' }])), generic);
  assert.deepEqual(failure(() => applyJsonPatch(pod(), [{ op: 'frobnicate', path: '/spec' }])), generic);
  const shape = failure(() => applyJsonPatch(pod(), { op: 'add' }));
  assert.equal(shape.code, 400);
  assert.equal(shape.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  assert.equal(failure(() => applyJsonPatch(pod(), new Array(10001).fill({ op: 'test', path: '/metadata/name', value: 'p' }))).code, 413);
});

test('json patch as json-patch.v4 applies it: missing keys read as null, negative indexes count from the end', () => {
  const labelled = applyJsonPatch(pod(), [{ op: 'replace', path: '/metadata/labels/tier', value: 'db' }]) as JsonObject;
  assert.deepEqual((labelled.metadata as JsonObject).labels, { app: 'web', tier: 'db' });
  applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/annotations', value: null }]);
  const two = { ...pod(), spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  const trimmed = applyJsonPatch(two, [{ op: 'remove', path: '/spec/containers/-1' }]) as JsonObject;
  assert.deepEqual((trimmed.spec as JsonObject).containers, [{ name: 'a' }]);
  const front = applyJsonPatch(two, [{ op: 'add', path: '/spec/containers/-3', value: { name: 'z' } }]) as JsonObject;
  assert.deepEqual((front.spec as JsonObject).containers, [{ name: 'z' }, { name: 'a' }, { name: 'b' }]);
  assert.equal(failure(() => applyJsonPatch(pod(), [{ op: 'replace', path: '/spec/containers/5', value: {} }])).code, 422);
  assert.equal(failure(() => applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/annotations', value: 'x' }])).code, 422);
  const copied = applyJsonPatch(two, [{ op: 'copy', from: '/spec/containers/-1', path: '/metadata/labels/last' }, { op: 'move', from: '/spec/containers/-2', path: '/spec/first' }]) as JsonObject;
  assert.deepEqual((copied.metadata as JsonObject).labels, { app: 'web', last: { name: 'b' } }, 'from takes negative indexes too');
  assert.deepEqual(copied.spec, { containers: [{ name: 'b' }], first: { name: 'a' } });
});

test('json patch never reaches prototypes', () => {
  for (const path of ['/constructor/polluted', '/__proto__/polluted', '/metadata/constructor/prototype/polluted']) {
    assert.equal(failure(() => applyJsonPatch(pod(), [{ op: 'add', path, value: 'yes' }])).code, 422);
  }
  assert.equal(failure(() => applyJsonPatch(pod(), [{ op: 'remove', path: '/metadata/constructor' }])).code, 422);
  assert.equal((Object as unknown as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('merge patch: scale and label bodies', () => {
  const sts: JsonObject = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'a' }] } } } };
  assert.deepEqual(applyMergePatch(sts, { spec: { replicas: 1 } }), { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'a' }] } } } });
  assert.deepEqual((applyMergePatch(sts, { metadata: { labels: { app: null, x: 'y' } } }) as JsonObject).metadata, { name: 'web', labels: { x: 'y' } });
  assert.equal(failure(() => applyMergePatch(sts, null)).code, 400);
});

test('merge patch keeps "__proto__" as data and does not read inherited "constructor"', () => {
  const out = applyMergePatch({ data: {} }, JSON.parse('{"data":{"__proto__":{"x":"1"},"constructor":{"y":"2"}}}')) as JsonObject;
  const data = out.data as JsonObject;
  assert.ok(Object.hasOwn(data, '__proto__'));
  assert.deepEqual(data.constructor, { y: '2' });
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

const nullFree: fc.Arbitrary<JsonValue> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string(), fc.boolean(), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor'), tie('v'), { maxKeys: 4, noNullPrototype: true })),
})).v as fc.Arbitrary<JsonValue>;
const nullFreeObject = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), nullFree, { maxKeys: 4, noNullPrototype: true }) as fc.Arbitrary<JsonObject>;

test('property: applying the merge patch of a diff reproduces the target', () => {
  fc.assert(fc.property(nullFreeObject, nullFreeObject, (from, to) => {
    assert.deepEqual(mergePatchValue(from, createMergePatch(from, to)), to);
  }), { numRuns: 300 });
});
