import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyStrategicMergePatch } from './strategic-merge.js';
import { mergePatchValue } from './merge-patch.js';
import { fallbackPatchMeta, noPatchMeta } from './patch-meta.js';
import { isStatusError } from '../../meta/errors.js';
import type { JsonObject } from './json-value.js';

const sts = fallbackPatchMeta('StatefulSet');

function statefulSet(): JsonObject {
  return {
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' }, annotations: { a: '1' }, finalizers: ['x/one'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'pg', image: 'postgres:16', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 5432, protocol: 'TCP' }], args: ['-a', '-b'] },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
        },
      },
    },
  };
}

type Spec = { template: { spec: { containers: JsonObject[]; volumes: JsonObject[] } } };
const specOf = (o: JsonObject) => o.spec as unknown as Spec;

test('client-side apply: $setElementOrder with a changed image keeps the other container and its fields', () => {
  const out = applyStrategicMergePatch(statefulSet(), {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}\n' } },
    spec: { replicas: 3, template: { spec: { '$setElementOrder/containers': [{ name: 'pg' }], containers: [{ image: 'postgres:17', name: 'pg' }] } } },
  }, sts);
  assert.equal((out.spec as JsonObject).replicas, 3);
  const containers = specOf(out).template.spec.containers;
  assert.deepEqual(containers.map((c) => c.name), ['pg', 'sidecar']);
  assert.equal(containers[0].image, 'postgres:17');
  assert.deepEqual(containers[0].env, [{ name: 'A', value: '1' }]);
  assert.deepEqual((out.metadata as JsonObject).annotations, { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}\n' });
  assert.ok(!JSON.stringify(out).includes('$setElementOrder'));
});

test('kubectl edit patch: null label, list item delete, env removal, $retainKeys on a volume', () => {
  const out = applyStrategicMergePatch(statefulSet(), {
    metadata: { labels: { app: null } },
    spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'pg' }, { name: 'sidecar' }],
      containers: [{ env: null, name: 'pg', ports: [{ containerPort: 8080 }, { $patch: 'delete', containerPort: 5432 }] }],
      volumes: [{ $retainKeys: ['name', 'secret'], configMap: null, name: 'cfg', secret: { secretName: 's' } }],
    } } },
  }, sts);
  assert.deepEqual((out.metadata as JsonObject).labels, { tier: 'front' });
  const pg = specOf(out).template.spec.containers[0];
  assert.equal(pg.env, undefined);
  assert.deepEqual(pg.ports, [{ containerPort: 8080 }]);
  assert.deepEqual(specOf(out).template.spec.volumes, [{ name: 'cfg', secret: { secretName: 's' } }]);
});

test('rollout undo: $patch replace swaps the whole template', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'pg', image: 'postgres:15' }] } };
  const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { $patch: 'replace', ...template } } }, sts);
  assert.deepEqual((out.spec as JsonObject).template, template);
  assert.equal((out.spec as JsonObject).replicas, 2);
});

test('rollout restart adds one template annotation', () => {
  const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-02T03:04:05Z' } } } } }, sts);
  const tmeta = (specOf(out).template as unknown as JsonObject).metadata as JsonObject;
  assert.deepEqual(tmeta, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-02T03:04:05Z' } });
  assert.equal(specOf(out).template.spec.containers.length, 2);
});

test('set image merges by name; a new item goes where the patch puts it (kube mergeSortedSlice)', () => {
  const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { containers: [{ name: 'new', image: 'nginx' }, { name: 'pg', image: 'postgres:18' }] } } } }, sts);
  assert.deepEqual(specOf(out).template.spec.containers.map((c) => `${c.name}=${c.image}`), ['new=nginx', 'pg=postgres:18', 'sidecar=busybox']);
});

test('lists without a merge strategy are replaced whole', () => {
  const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { containers: [{ name: 'pg', args: ['-c'] }] } } } }, sts);
  assert.deepEqual(specOf(out).template.spec.containers[0].args, ['-c']);
});

test('finalizers merge as a set; $deleteFromPrimitiveList removes', () => {
  const out = applyStrategicMergePatch(statefulSet(), { metadata: { finalizers: ['x/two', 'x/one'], '$deleteFromPrimitiveList/finalizers': ['x/one'] } }, sts);
  assert.deepEqual((out.metadata as JsonObject).finalizers, ['x/two']);
  const added = applyStrategicMergePatch(statefulSet(), { metadata: { finalizers: ['x/two'] } }, sts);
  assert.deepEqual((added.metadata as JsonObject).finalizers, ['x/two', 'x/one']);
});

test('$patch delete on a map, $patch replace inside a list, $setElementOrder reorders', () => {
  const a = applyStrategicMergePatch(statefulSet(), { spec: { selector: { $patch: 'delete' } } }, sts);
  assert.deepEqual((a.spec as JsonObject).selector, {});
  const b = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } }, sts);
  assert.deepEqual(specOf(b).template.spec.containers, [{ name: 'only', image: 'x' }]);
  const c = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'pg' }] } } } }, sts);
  assert.deepEqual(specOf(c).template.spec.containers.map((x) => x.name), ['sidecar', 'pg']);
});

test('Service ports merge by port', () => {
  const svc: JsonObject = { metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
  const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, fallbackPatchMeta('Service'));
  assert.deepEqual((out.spec as JsonObject).ports, [{ port: 80, targetPort: 9090 }, { port: 443 }]);
});

test('malformed directives are client errors with kube\'s texts', () => {
  const code = (patch: unknown): [number, string] => {
    try {
      applyStrategicMergePatch(statefulSet(), patch, sts);
    } catch (e) {
      assert.ok(isStatusError(e));
      return [e.code, e.status.message ?? ''];
    }
    return [0, ''];
  };
  assert.deepEqual(code({ spec: { $patch: 'explode' } })[0], 400);
  assert.match(code({ spec: { $patch: 'explode' } })[1], /^unknown patch type: explode in map:/);
  assert.deepEqual(code({ spec: { template: { spec: { volumes: [{ name: 'cfg', $retainKeys: 'x' }] } } } }), [400, 'invalid patch format of retainKeys']);
  assert.equal(code({ spec: { template: { spec: { volumes: [{ name: 'cfg', $retainKeys: ['name'], secret: {} }] } } } })[0], 400);
  assert.equal(code({ spec: { template: { spec: { containers: [[1]] } } } })[0], 422);
  assert.deepEqual(code({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), [400, 'map: map[image:x] does not contain declared merge key: name']);
  assert.equal(code([1])[0], 400);
  assert.equal(code({ spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b' }] } } } })[0], 400);
});

test('"__proto__" and "constructor" stay data', () => {
  const patch = JSON.parse('{"metadata":{"annotations":{"__proto__":{"polluted":"yes"},"constructor":{"x":"y"}}}}');
  const out = applyStrategicMergePatch(statefulSet(), patch, sts);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const ann = (out.metadata as JsonObject).annotations as JsonObject;
  assert.ok(Object.hasOwn(ann, '__proto__'));
  assert.deepEqual(Object.getPrototypeOf(ann), Object.prototype);
});

const plainMap: fc.Arbitrary<JsonObject> = fc.letrec((tie) => ({
  map: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string(), fc.constant(null), tie('map'), fc.array(fc.integer(), { maxLength: 3 }))),
})).map as fc.Arbitrary<JsonObject>;

test('property: with no directives and no merge lists, SMP equals merge patch', () => {
  fc.assert(fc.property(plainMap, plainMap, (target, patch) => {
    const t = JSON.parse(JSON.stringify(mergePatchValue({}, target))) as JsonObject;
    assert.deepEqual(applyStrategicMergePatch(t, patch, noPatchMeta), mergePatchValue(t, patch));
  }), { numRuns: 200 });
});
