import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../meta/types.js';
import { ControllerHarness, gr } from '../../test/helpers/controller-harness.js';
import { startGarbageCollector } from './garbage-collector.js';

let h: ControllerHarness;

const ref = (o: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference => ({
  apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid!, ...extra,
});

async function configMap(name: string, ownerReferences?: OwnerReference[], finalizers?: string[]): Promise<KubeObject> {
  return h.client.create(gr.configmaps, 'default', { metadata: { name, ownerReferences, finalizers }, data: {} });
}

const names = async (): Promise<string[]> => (await h.list(gr.configmaps)).map((o) => o.metadata.name!).sort();

describe('garbage collector', () => {
  beforeEach(() => {
    h = new ControllerHarness().start(startGarbageCollector);
  });
  afterEach(() => h.stop());

  it('background: dependents go once every owner is gone, recursively', async () => {
    const a = await configMap('a');
    const b = await configMap('b', [ref(a)]);
    await configMap('c', [ref(b)]);
    await h.settle();
    assert.deepEqual(await names(), ['a', 'b', 'c']);
    await h.client.delete(gr.configmaps, 'default', 'a');
    await h.settle();
    assert.deepEqual(await names(), []);
  });

  it('a dependent with a live owner keeps living; only the dangling reference is dropped', async () => {
    const a = await configMap('a');
    const b = await configMap('b');
    await configMap('c', [ref(a), ref(b)]);
    await h.client.delete(gr.configmaps, 'default', 'a');
    await h.settle();
    assert.deepEqual(await names(), ['b', 'c']);
    assert.deepEqual((await h.get(gr.configmaps, 'c'))!.metadata.ownerReferences!.map((r) => r.name), ['b']);
  });

  it('owners are matched by UID: a re-created owner of the same name does not own old dependents', async () => {
    const a = await configMap('a');
    await h.client.delete(gr.configmaps, 'default', 'a');
    await configMap('a');
    await configMap('b', [ref(a)]);
    await h.settle();
    assert.deepEqual(await names(), ['a']);
  });

  it('an owner of a kind the server does not serve cannot be judged: the dependent stays', async () => {
    await configMap('b', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'nope' }]);
    await h.settle();
    assert.deepEqual(await names(), ['b']);
  });

  it('orphan: references are stripped, then the owner goes', async () => {
    const a = await configMap('a');
    await configMap('b', [ref(a, { controller: true, blockOwnerDeletion: true })]);
    await h.client.delete(gr.configmaps, 'default', 'a', { propagationPolicy: 'Orphan' });
    await h.settle();
    assert.deepEqual(await names(), ['b']);
    assert.equal((await h.get(gr.configmaps, 'b'))!.metadata.ownerReferences, undefined);
  });

  it('foreground: the owner waits for blocking dependents, which are deleted in the foreground too', async () => {
    const a = await configMap('a');
    const b = await configMap('b', [ref(a, { blockOwnerDeletion: true })]);
    await configMap('c', [ref(b, { blockOwnerDeletion: true })], ['test/hold']);
    await h.client.delete(gr.configmaps, 'default', 'a', { propagationPolicy: 'Foreground' });
    await h.settle();
    const owner = (await h.get(gr.configmaps, 'a'))!;
    assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(owner.metadata.deletionTimestamp);
    assert.deepEqual((await h.get(gr.configmaps, 'b'))!.metadata.finalizers, ['foregroundDeletion']);
    const c = (await h.get(gr.configmaps, 'c'))!;
    assert.ok(c.metadata.deletionTimestamp);
    c.metadata.finalizers = [];
    await h.client.update(gr.configmaps, 'default', c);
    await h.settle();
    assert.deepEqual(await names(), []);
  });

  it('a GC finalizer on an object without dependents is removed promptly', async () => {
    await configMap('lonely');
    await h.client.delete(gr.configmaps, 'default', 'lonely', { propagationPolicy: 'Foreground' });
    await configMap('alone');
    await h.client.delete(gr.configmaps, 'default', 'alone', { propagationPolicy: 'Orphan' });
    await h.settle();
    assert.deepEqual(await names(), []);
  });

  it('a cluster-scoped owner (a Namespace) owns namespaced dependents', async () => {
    const ns: KubeObject = await h.client.create({ group: '', resource: 'namespaces' }, '', { metadata: { name: 'owner-ns' } } as KubeObject);
    await configMap('b', [{ apiVersion: 'v1', kind: 'Namespace', name: 'owner-ns', uid: ns.metadata.uid! }]);
    await h.settle();
    assert.deepEqual(await names(), ['b']);
  });
});
