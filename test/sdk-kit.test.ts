/** The examples of docs/sdk.md, run as written: the test kit, the SDK in a few lines, supertest, client-node, watch, errors. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { CoreV1Api } from '@kubernetes/client-node';
import { startKubemockForTests, type KubemockForTests } from '../clients/testing.js';
import { KubemockApiError, createKubemockClient, fromLabelSelector, labelSelector, mergePatch } from '../clients/index.js';
import { kubectlOk } from './helpers/kubectl.js';

describe('contract test kit (docs/sdk.md)', () => {
  let km: KubemockForTests;
  before(async () => {
    km = await startKubemockForTests();
  });
  after(async () => {
    await km.stop();
  });

  it('SDK: create a ConfigMap, read it back, patch it; errors carry the Status', async () => {
    const path = { namespace: 'default' };
    await km.client.POST('/api/v1/namespaces/{namespace}/configmaps', { params: { path }, body: { metadata: { name: 'settings', labels: { app: 'web' } }, data: { mode: 'fast' } } });
    const cm = await km.client.GET('/api/v1/namespaces/{namespace}/configmaps/{name}', { params: { path: { ...path, name: 'settings' } } });
    assert.equal(cm.data?.mode, 'fast');
    const patched = await km.client.patch('/api/v1/namespaces/{namespace}/configmaps/{name}', { path: { ...path, name: 'settings' } }, mergePatch({ data: { mode: 'safe' } }));
    assert.equal(patched.data?.mode, 'safe');
    const list = await km.client.GET('/api/v1/namespaces/{namespace}/configmaps', { params: { path, query: { labelSelector: labelSelector({ app: ['web', 'api'] }) } } });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['settings']);
    const err = await km.client.GET('/api/v1/namespaces/{namespace}/configmaps/{name}', { params: { path: { ...path, name: 'missing' } } }).catch((e: unknown) => e);
    assert.ok(err instanceof KubemockApiError);
    assert.equal(err.code, 404);
    assert.equal(err.reason, 'NotFound');
    assert.equal(err.status.details?.name, 'missing');
  });

  it('supertest against the kit', async () => {
    const res = await request(km.apiUrl).get('/api/v1/namespaces/default').set('Accept', 'application/json').expect(200);
    assert.equal(res.body.kind, 'Namespace');
    await request(km.apiUrl).get('/api/v1/namespaces/default/pods/nope').expect(404).expect((r) => assert.equal(r.body.reason, 'NotFound'));
  });

  it('client-node and kubectl with the kit\'s KubeConfig and kubeconfig file', async () => {
    const core = km.kubeConfig.makeApiClient(CoreV1Api);
    const ns = await core.readNamespace({ name: 'default' });
    assert.equal(ns.metadata?.name, 'default');
    const out = await kubectlOk({ kubeconfig: km.kubeconfigPath, cacheDir: `${km.kubeconfigPath}.cache` }, ['get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}']);
    assert.equal(out, 'safe');
  });

  it('watch yields typed events and stops on abort', async () => {
    const path = { namespace: 'default' };
    const abort = new AbortController();
    const names: string[] = [];
    const w = km.client.watch('/api/v1/namespaces/{namespace}/configmaps', { path, query: { labelSelector: 'watched=yes' } }, { signal: abort.signal });
    const done = (async () => {
      for await (const e of w) {
        if (e.type !== 'BOOKMARK') names.push(`${e.type} ${e.object.metadata?.name}`);
        if (names.length === 2) abort.abort();
      }
    })();
    await km.client.POST('/api/v1/namespaces/{namespace}/configmaps', { params: { path }, body: { metadata: { name: 'w1', labels: { watched: 'yes' } } } });
    await km.client.patch('/api/v1/namespaces/{namespace}/configmaps/{name}', { path: { ...path, name: 'w1' } }, mergePatch({ data: { a: '1' } }));
    await done;
    assert.deepEqual(names, ['ADDED w1', 'MODIFIED w1']);
  });

  it('a watch that cannot start throws its Status', async () => {
    const w = km.client.watch('/api/v1/namespaces/{namespace}/configmaps', { path: { namespace: 'default' }, query: { labelSelector: 'a in (' } });
    const err = await drain(w).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof KubemockApiError, String(err));
    assert.equal(err.code, 400);
  });
});

describe('watch stream handling', () => {
  it('BOOKMARK moves resourceVersion on; an ERROR event throws its Status (410 Expired)', async () => {
    const lines = [
      { type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '5' } } },
      { type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '9' } } },
      { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (9)', reason: 'Expired', code: 410 } },
    ];
    const fake = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Split mid-line on purpose: the client must reassemble lines across chunks.
      const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
      res.write(text.slice(0, 30));
      res.end(text.slice(30));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const client = createKubemockClient({ baseUrl: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` });
      const w = client.watch('/api/v1/namespaces/{namespace}/configmaps', { path: { namespace: 'default' } }, { yieldBookmarks: true });
      const seen: string[] = [];
      const err = await (async () => {
        for await (const e of w) seen.push(e.type);
      })().then(() => undefined, (e: unknown) => e);
      assert.deepEqual(seen, ['ADDED', 'BOOKMARK']);
      assert.equal(w.resourceVersion, '9');
      assert.ok(err instanceof KubemockApiError);
      assert.equal(err.code, 410);
      assert.equal(err.reason, 'Expired');
    } finally {
      await new Promise<void>((r) => fake.close(() => r()));
    }
  });
});

async function drain(w: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of w) {
    // only the end or the error matters
  }
}

describe('label selector helpers', () => {
  it('builds equality, set and existence requirements', () => {
    assert.equal(labelSelector({ app: 'web', tier: ['a', 'b'], env: { notIn: ['prod'] }, canary: { exists: false }, 'k8s.io/x': { exists: true }, v: { not: '1' } }),
      'app=web,tier in (a,b),env notin (prod),!canary,k8s.io/x,v!=1');
    assert.equal(fromLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }), 'app=web,tier in (a)');
  });

  it('refuses keys and values that would change the selector', () => {
    assert.throws(() => labelSelector({ app: 'web,env=prod' }), TypeError);
    assert.throws(() => labelSelector({ 'a b': 'x' }), TypeError);
    assert.throws(() => labelSelector({ tier: ['a)', 'b'] }), TypeError);
    assert.throws(() => labelSelector({ tier: [] }), TypeError);
  });
});
