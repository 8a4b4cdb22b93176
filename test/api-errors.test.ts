import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

interface StatusBody {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field?: string; reason?: string }[] };
}

async function call(c: TestCluster, method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(c.urls.api + path, { method, body, headers: body !== undefined ? { 'content-type': contentType } : {} });
  const text = await res.text();
  return { status: res.status, json: text && text.startsWith("{") ? JSON.parse(text) : text, headers: res.headers };
}

const cm = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' }, ...extra });

describe('errors are Kubernetes Status objects (issue 2 item 5)', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => {
    await c.stop();
  });

  it('a stale resourceVersion on update is 409 Conflict', async () => {
    const created = await call(c, 'POST', '/api/v1/namespaces/default/configmaps', cm('stale'));
    assert.equal(created.status, 201);
    const obj = created.json as { metadata: { resourceVersion: string } };
    const first = await call(c, 'PUT', '/api/v1/namespaces/default/configmaps/stale', JSON.stringify({ ...(created.json as object), data: { a: '2' } }));
    assert.equal(first.status, 200);
    const second = await call(c, 'PUT', '/api/v1/namespaces/default/configmaps/stale', JSON.stringify({ ...(created.json as object), metadata: { ...obj.metadata }, data: { a: '3' } }));
    assert.equal(second.status, 409);
    const s = second.json as StatusBody;
    assert.equal(s.kind, 'Status');
    assert.equal(s.reason, 'Conflict');
    assert.match(s.message, /Operation cannot be fulfilled on configmaps "stale": the object has been modified/);
  });

  it('a list at a resourceVersion not reached yet is 504 ResourceVersionTooLarge; one past uint64 is 400', async () => {
    const future = await call(c, 'GET', '/api/v1/namespaces/default/configmaps?resourceVersion=99999999');
    assert.equal(future.status, 504);
    const s = future.json as StatusBody;
    assert.equal(s.reason, 'Timeout');
    assert.equal(s.details?.causes?.[0].reason, 'ResourceVersionTooLarge');
    assert.match(s.message, /^Timeout: Too large resource version: 99999999, current: \d+$/);
    for (const rv of ['18446744073709551616', '99999999999999999999', 'abc']) {
      const bad = await call(c, 'GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}`);
      assert.equal(bad.status, 400, rv);
      assert.equal((bad.json as StatusBody).message, `invalid resource version: ${rv}`);
      const watch = await call(c, 'GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`);
      assert.equal(watch.status, 400, `watch ${rv}`);
    }
  });

  it('a value of the wrong JSON type is 400 worded as the Go decoder does; in a merge patch it is 422 on "patch"', async () => {
    const pvc = await call(c, 'POST', '/api/v1/namespaces/default/persistentvolumeclaims', JSON.stringify({ metadata: { name: 'typed' }, spec: '' }));
    assert.equal(pvc.status, 400);
    assert.equal((pvc.json as StatusBody).message, 'PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: json: cannot unmarshal string into Go struct field PersistentVolumeClaim.spec of type v1.PersistentVolumeClaimSpec');
    const sts = await call(c, 'POST', '/apis/apps/v1/namespaces/default/statefulsets', JSON.stringify({ metadata: { name: 'typed' }, spec: { replicas: '3' } }));
    assert.equal(sts.status, 400);
    assert.match((sts.json as StatusBody).message, /cannot unmarshal string into Go struct field StatefulSetSpec\.spec\.replicas of type int32$/);
    assert.equal((await call(c, 'POST', '/api/v1/namespaces/default/configmaps', cm('typed'))).status, 201);
    const patch = await call(c, 'PATCH', '/api/v1/namespaces/default/configmaps/typed', JSON.stringify({ data: { a: 2 } }), 'application/merge-patch+json');
    assert.equal(patch.status, 422);
    const s = patch.json as StatusBody;
    assert.equal(s.details?.causes?.[0].field, 'patch');
    assert.match(s.message, /json: cannot unmarshal number into Go struct field ConfigMap\.data of type string$/);
    // an unknown field under Strict is refused the same way: on "patch", not as a body
    const strict = await call(c, 'PATCH', '/api/v1/namespaces/default/configmaps/typed?fieldValidation=Strict', JSON.stringify({ bogus: 1 }), 'application/merge-patch+json');
    assert.equal(strict.status, 422);
    assert.equal((strict.json as StatusBody).details?.causes?.[0].field, 'patch');
    assert.match((strict.json as StatusBody).message, /strict decoding error: unknown field "bogus"$/);
    const kept = await call(c, 'GET', '/api/v1/namespaces/default/configmaps/typed');
    assert.deepEqual((kept.json as { data: unknown }).data, { a: '1' });
  });

  it('creating an existing name is 409 AlreadyExists', async () => {
    await call(c, 'POST', '/api/v1/namespaces/default/configmaps', cm('twice'));
    const again = await call(c, 'POST', '/api/v1/namespaces/default/configmaps', cm('twice'));
    assert.equal(again.status, 409);
    assert.equal((again.json as StatusBody).reason, 'AlreadyExists');
    assert.equal((again.json as StatusBody).message, 'configmaps "twice" already exists');
  });

  it('a bad name is 422 Invalid with a cause for metadata.name', async () => {
    const r = await call(c, 'POST', '/api/v1/namespaces/default/configmaps', cm('Not_Valid'));
    assert.equal(r.status, 422);
    const s = r.json as StatusBody;
    assert.equal(s.reason, 'Invalid');
    assert.equal(s.details?.causes?.[0].field, 'metadata.name');
    assert.equal(s.details?.causes?.[0].reason, 'FieldValueInvalid');
  });

  it('fieldValidation=Strict names the unknown field; Warn returns a Warning header', async () => {
    const strict = await call(c, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', cm('strict', { spec: { x: 1 } }));
    assert.equal(strict.status, 400);
    assert.match((strict.json as StatusBody).message, /strict decoding error: unknown field "spec"/);
    const warn = await call(c, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', cm('warned', { spec: { x: 1 } }));
    assert.equal(warn.status, 201);
    assert.match(warn.headers.get('warning') ?? '', /unknown field \\"spec\\"/);
    assert.equal((warn.json as Record<string, unknown>).spec, undefined, 'unknown fields are dropped, never stored');
  });

  it('a truncated JSON body is 400 and does not disturb other clients', async () => {
    const r = await call(c, 'POST', '/api/v1/namespaces/default/configmaps', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"tr');
    assert.equal(r.status, 400);
    assert.equal((r.json as StatusBody).reason, 'BadRequest');
    const ok = await call(c, 'GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(ok.status, 200);
  });

  it('unknown patch content type is 415; oversized body is 413; unknown resource 404; wrong verb 405', async () => {
    await call(c, 'POST', '/api/v1/namespaces/default/configmaps', cm('p415'));
    const r415 = await call(c, 'PATCH', '/api/v1/namespaces/default/configmaps/p415', '{}', 'text/plain');
    assert.equal(r415.status, 415);
    assert.equal((r415.json as StatusBody).reason, 'UnsupportedMediaType');
    const big = await call(c, 'POST', '/api/v1/namespaces/default/configmaps', cm('big', { data: { a: 'x'.repeat(4 * 1024 * 1024) } }));
    assert.equal(big.status, 413);
    const missing = await call(c, 'GET', '/api/v1/namespaces/default/configmaps/nope');
    assert.equal(missing.status, 404);
    assert.equal((missing.json as StatusBody).message, 'configmaps "nope" not found');
    const r405 = await call(c, 'POST', '/api/v1/namespaces/default/configmaps/p415', cm('p415'));
    assert.equal(r405.status, 405);
  });

  it('a watch from a resourceVersion older than the history is one ERROR event holding a 410 Expired', async () => {
    const small = await startTestCluster({ storage: new (await import('../server/store/memory.js')).MemoryStorage(5) });
    try {
      for (let i = 0; i < 20; i++) await call(small, 'POST', '/api/v1/namespaces/default/configmaps', cm(`h${i}`));
      // the Cacher's newErrWatcher: the request was accepted, so the watch itself carries the error
      const r = await call(small, 'GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2');
      assert.equal(r.status, 200);
      const event = r.json as { type: string; object: StatusBody };
      assert.equal(event.type, 'ERROR');
      assert.equal(event.object.code, 410);
      assert.equal(event.object.reason, 'Expired');
    } finally {
      await small.stop();
    }
  });

  it('a client that disconnects mid-body does not crash the server', async () => {
    await new Promise<void>((resolve) => {
      const u = new URL(c.urls.api);
      const req = request({ host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'application/json', 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"apiVersion":"v1"');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    const ok = await call(c, 'GET', '/healthz');
    assert.equal(ok.status, 200);
  });
});
