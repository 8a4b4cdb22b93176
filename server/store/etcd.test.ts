import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '../meta/types.js';
import { startEtcd, type EtcdServer } from '../../test/helpers/etcd-server.js';
import { EtcdStorage, etcdResourceKey } from './etcd.js';
import { AlreadyExistsError, ConflictError, NotFoundError, TooOldError, type StorageEvent } from './storage.js';


function cm(name: string, data: Record<string, string> = {}): KubeObject {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, data };
}

const key = (name: string, namespace = 'default') => ({ prefix: 'core/configmaps', namespace, name });

/** Collects events until `count` have arrived. */
function collector() {
  const events: StorageEvent[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    events,
    sink: (e: StorageEvent) => {
      events.push(e);
      for (const w of waiters.filter((x) => events.length >= x.n)) w.resolve();
    },
    waitFor: (n: number) => new Promise<void>((resolve) => (events.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

test('storage prefixes map to kube-apiserver etcd keys', () => {
  assert.equal(etcdResourceKey('/registry', 'core/pods'), '/registry/pods');
  assert.equal(etcdResourceKey('/registry', 'apps/statefulsets'), '/registry/statefulsets');
  assert.equal(etcdResourceKey('/registry', 'discovery.k8s.io/endpointslices'), '/registry/endpointslices');
  assert.equal(etcdResourceKey('/registry', 'core/events'), '/registry/events');
  assert.equal(etcdResourceKey('/registry', 'core/services'), '/registry/services/specs');
  assert.equal(etcdResourceKey('/registry', 'core/endpoints'), '/registry/services/endpoints');
  assert.equal(etcdResourceKey('/registry', 'core/nodes'), '/registry/minions');
  assert.equal(etcdResourceKey('/registry', 'storage.k8s.io/storageclasses'), '/registry/storageclasses');
  assert.equal(etcdResourceKey('/kubemock', 'example.com/widgets'), '/kubemock/example.com/widgets');
});

describe('EtcdStorage against a real etcd', () => {
  let etcd: EtcdServer;
  let a: EtcdStorage;
  let b: EtcdStorage;
  before(async () => {
    etcd = await startEtcd();
    a = await EtcdStorage.open({ endpoints: [etcd.endpoint] });
    b = await EtcdStorage.open({ endpoints: [etcd.endpoint] });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await etcd?.stop();
  });

  test('objects are JSON under kube keys, resourceVersion is mod_revision and is not stored', async () => {
    const created = await a.create(key('keys'), cm('keys', { a: '1' }));
    const raw = new Etcd3({ hosts: etcd.endpoint });
    try {
      const res = await raw.get('/registry/configmaps/default/keys').exec();
      const kv = res.kvs[0];
      assert.ok(kv, 'the object is under /registry/configmaps/<ns>/<name>');
      assert.equal(created.metadata.resourceVersion, String(kv.mod_revision));
      const stored = JSON.parse(kv.value.toString()) as KubeObject;
      assert.equal(stored.metadata.resourceVersion, undefined);
      assert.deepEqual(stored.data, { a: '1' });
    } finally {
      raw.close();
    }
    const read = await b.get(key('keys'));
    assert.equal(read?.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  test('create fails on a taken key; update and delete are guarded by resourceVersion', async () => {
    const c1 = await a.create(key('cas'), cm('cas', { n: '0' }));
    await assert.rejects(b.create(key('cas'), cm('cas')), AlreadyExistsError);
    const u1 = await b.update(key('cas'), cm('cas', { n: '1' }), c1.metadata.resourceVersion!);
    assert.ok(Number(u1.metadata.resourceVersion) > Number(c1.metadata.resourceVersion));
    await assert.rejects(a.update(key('cas'), cm('cas', { n: 'lost' }), c1.metadata.resourceVersion!), ConflictError);
    await assert.rejects(a.update(key('absent'), cm('absent'), '5'), NotFoundError);
    await assert.rejects(a.delete(key('cas'), c1.metadata.resourceVersion!), ConflictError);
    const gone = await a.delete(key('cas'), u1.metadata.resourceVersion!);
    assert.deepEqual(gone.data, { n: '1' });
    assert.ok(Number(gone.metadata.resourceVersion) > Number(u1.metadata.resourceVersion), 'the tombstone carries the deletion revision');
    assert.equal(await a.get(key('cas')), undefined);
    await assert.rejects(a.delete(key('cas')), NotFoundError);
  });

  test('list is per namespace and carries the store revision', async () => {
    await a.create(key('l1', 'ns-a'), { metadata: { name: 'l1', namespace: 'ns-a' } });
    await a.create(key('l2', 'ns-b'), { metadata: { name: 'l2', namespace: 'ns-b' } });
    const onlyA = await b.list('core/configmaps', 'ns-a');
    assert.deepEqual(onlyA.items.map((o) => o.metadata.name), ['l1']);
    const all = await b.list('core/configmaps');
    assert.ok(all.items.some((o) => o.metadata.name === 'l2'));
    assert.ok(all.resourceVersion >= Math.max(...all.items.map((o) => Number(o.metadata.resourceVersion))));
    assert.ok(b.currentResourceVersion() >= all.resourceVersion);
  });

  test('a watch on one client sees writes through another, with previous objects', async () => {
    const start = (await b.list('core/configmaps', 'watch')).resourceVersion;
    const c = collector();
    const w = b.watch('core/configmaps', 'watch', start, c.sink);
    const created = await a.create(key('w', 'watch'), { metadata: { name: 'w', namespace: 'watch' }, data: { v: '1' } });
    const updated = await a.update(key('w', 'watch'), { metadata: { name: 'w', namespace: 'watch' }, data: { v: '2' } }, created.metadata.resourceVersion!);
    const removed = await a.delete(key('w', 'watch'));
    await c.waitFor(3);
    w.stop();
    assert.deepEqual(c.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.equal(c.events[0].object.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.deepEqual(c.events[1].previous?.data, { v: '1' });
    assert.equal(c.events[1].object.metadata.resourceVersion, updated.metadata.resourceVersion);
    assert.equal(c.events[2].object.metadata.resourceVersion, removed.metadata.resourceVersion);
    assert.deepEqual(c.events[2].previous?.data, { v: '2' });
    assert.deepEqual(c.events[2].key, key('w', 'watch'));
  });

  test('a watch resumes from an earlier resourceVersion and replays only what came after', async () => {
    const first = await a.create(key('r1', 'resume'), { metadata: { name: 'r1', namespace: 'resume' } });
    await a.create(key('r2', 'resume'), { metadata: { name: 'r2', namespace: 'resume' } });
    await a.create(key('r3', 'resume'), { metadata: { name: 'r3', namespace: 'resume' } });
    const c = collector();
    const w = b.watch('core/configmaps', 'resume', Number(first.metadata.resourceVersion), c.sink);
    await c.waitFor(2);
    w.stop();
    assert.deepEqual(c.events.map((e) => e.object.metadata.name), ['r2', 'r3']);
  });

  test('a watch from a compacted revision ends with TooOldError', async () => {
    const old = await a.create(key('c1', 'compact'), { metadata: { name: 'c1', namespace: 'compact' } });
    const newer = await a.update(key('c1', 'compact'), { metadata: { name: 'c1', namespace: 'compact' }, data: { x: 'y' } }, old.metadata.resourceVersion!);
    await a.compact(Number(newer.metadata.resourceVersion));
    // The compacting client knows at once ...
    assert.throws(() => a.watch('core/configmaps', 'compact', Number(old.metadata.resourceVersion) - 1, () => undefined), TooOldError);
    // ... another learns it from etcd, asynchronously.
    const err = await new Promise<Error>((resolve) => {
      b.watch('core/configmaps', 'compact', Number(old.metadata.resourceVersion) - 1, () => undefined, resolve);
    });
    assert.ok(err instanceof TooOldError, String(err));
    assert.throws(() => b.watch('core/configmaps', 'compact', Number(old.metadata.resourceVersion) - 1, () => undefined), TooOldError);
    // The failed watch leaves the client's other watches working.
    const c = collector();
    const w = b.watch('core/configmaps', 'compact', b.currentResourceVersion(), c.sink);
    await a.create(key('c2', 'compact'), { metadata: { name: 'c2', namespace: 'compact' } });
    await c.waitFor(1);
    w.stop();
    assert.equal(c.events[0].object.metadata.name, 'c2');
  });
});
