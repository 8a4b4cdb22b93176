import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKubemock, type KubemockOptions, type RunningKubemock } from '../server/cli/cluster.js';
import { startEtcd, type EtcdServer } from './helpers/etcd-server.js';

/**
 * 50 clients doing read-modify-write on one ConfigMap counter, retrying on 409 Conflict: optimistic
 * concurrency must turn every race into a conflict, so the final count equals the increments that
 * succeeded (no lost update).
 */
const clients = 50;
const incrementsPerClient = 2;
const path = '/api/v1/namespaces/default/configmaps/counter';

interface CounterMap {
  metadata: { name: string; resourceVersion: string };
  data: { n: string };
}


for (const backend of ['memory', 'etcd'] as const) describe(`read-modify-write under contention (${backend} store)`, {
  timeout: 180_000,
}, () => {
  let km: RunningKubemock;
  let etcd: EtcdServer | undefined;
  before(async () => {
    const store: Partial<KubemockOptions> = {};
    if (backend === 'etcd') {
      etcd = await startEtcd();
      store.etcd = { endpoints: [etcd.endpoint] };
    }
    km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: null, dns: { port: null }, controllers: { enabled: false }, ...store });
    const res = await fetch(`${km.urls.api}/api/v1/namespaces/default/configmaps`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'counter' }, data: { n: '0' } }),
    });
    assert.equal(res.status, 201);
  });
  after(async () => {
    await km?.stop();
    await etcd?.stop();
  });

  /** One increment: GET, +1, PUT with the resourceVersion read; on 409 read again. Returns the conflicts seen. */
  async function increment(): Promise<number> {
    for (let conflicts = 0; ; conflicts++) {
      const cur = (await (await fetch(`${km.urls.api}${path}`)).json()) as CounterMap;
      const next = { ...cur, data: { n: String(Number(cur.data.n) + 1) } };
      const res = await fetch(`${km.urls.api}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(next) });
      await res.arrayBuffer();
      if (res.status === 200) return conflicts;
      assert.equal(res.status, 409, `unexpected ${res.status}`);
    }
  }

  test(`${clients} clients, ${incrementsPerClient} increments each: no lost update`, async () => {
    const results = await Promise.all(Array.from({ length: clients }, async () => {
      let conflicts = 0;
      for (let i = 0; i < incrementsPerClient; i++) conflicts += await increment();
      return conflicts;
    }));
    const final = (await (await fetch(`${km.urls.api}${path}`)).json()) as CounterMap;
    assert.equal(Number(final.data.n), clients * incrementsPerClient);
    // The test only means something if clients really raced.
    assert.ok(results.reduce((a, b) => a + b, 0) > 0, 'no conflict happened: the clients did not overlap');
  });
});
