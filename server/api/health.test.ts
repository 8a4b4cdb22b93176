import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { healthRouter } from './health.js';

function app(failing = false) {
  const a = express();
  a.set('query parser', 'simple');
  a.use(healthRouter([
    { name: 'etcd', check: () => { if (failing) throw new Error('connection refused'); } },
    { name: 'shutdown', readyzOnly: true, check: () => undefined },
  ]));
  return a;
}

describe('healthz, livez and readyz answer as kube-apiserver\'s healthz package', () => {
  it('"ok" alone, every check with ?verbose, readyz-only checks on readyz alone', async () => {
    const ok = await request(app()).get('/readyz');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'ok');
    assert.equal(ok.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(ok.headers['x-content-type-options'], 'nosniff');
    assert.equal((await request(app()).get('/readyz?verbose')).text, '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]shutdown ok\nreadyz check passed\n');
    assert.equal((await request(app()).get('/livez?verbose')).text, '[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n');
    assert.equal((await request(app()).get('/livez/shutdown')).status, 404, 'shutdown is a readyz check only');
  });

  it('a failing check withholds its reason from the whole answer and gives it on its own path', async () => {
    const all = await request(app(true)).get('/healthz');
    assert.equal(all.status, 500);
    assert.equal(all.text, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\nhealthz check failed\n');
    const one = await request(app(true)).get('/healthz/etcd');
    assert.equal(one.status, 500);
    assert.equal(one.text, 'internal server error: connection refused\n');
    assert.equal((await request(app(true)).get('/healthz/ping')).text, 'ok');
  });

  it('?exclude skips a check and warns about names it does not know', async () => {
    const r = await request(app(true)).get('/readyz?verbose&exclude=etcd&exclude=nope&exclude=abc');
    assert.equal(r.status, 200);
    assert.equal(r.text, '[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\n[+]shutdown ok\nwarn: some health checks cannot be excluded: no matches for "abc","nope"\nreadyz check passed\n');
  });
});
