import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKubemock, type RunningKubemock } from '../server/cli/cluster.js';

/**
 * A short soak of mixed load (creates, updates, patches, lists, gets, watches opened and dropped,
 * deletes) in rounds: memory after the last round must stay near memory after the warm-up round.
 * The threshold is loose on purpose (GC timing varies); a leak of objects, watchers or sockets
 * per request grows far past it. Bounded by round count, no timings asserted.
 */
const rounds = 6;
const objectsPerRound = 60;
const allowedGrowthBytes = 120 * 1024 * 1024;

describe('soak: mixed load keeps memory flat', { timeout: 300_000 }, () => {
  let km: RunningKubemock;
  before(async () => {
    km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: null, dns: { port: null }, controllers: { enabled: false } });
  });
  after(async () => {
    await km?.stop();
  });

  async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<number> {
    const res = await fetch(`${km.urls.api}${path}`, {
      method, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** Opens a watch, reads its first bytes, and hangs up: the server must release the watcher. */
  async function shortWatch(): Promise<void> {
    const ctrl = new AbortController();
    const res = await fetch(`${km.urls.api}/api/v1/namespaces/soak/configmaps?watch=1`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    await reader.read().catch(() => undefined);
    ctrl.abort();
  }

  async function round(n: number): Promise<void> {
    const base = '/api/v1/namespaces/soak/configmaps';
    await Promise.all(Array.from({ length: objectsPerRound }, async (_, i) => {
      const name = `cm-${n}-${i}`;
      assert.equal(await call('POST', base, { metadata: { name, labels: { round: String(n) } }, data: { v: 'x'.repeat(512) } }), 201);
      assert.equal(await call('PATCH', `${base}/${name}`, { data: { w: String(i) } }, 'application/merge-patch+json'), 200);
      assert.equal(await call('GET', `${base}/${name}`), 200);
    }));
    await Promise.all(Array.from({ length: 10 }, () => shortWatch()));
    assert.equal(await call('GET', `${base}?labelSelector=round%3D${n}`), 200);
    assert.equal(await call('GET', '/apis'), 200);
    assert.equal(await call('DELETE', `${base}?labelSelector=round%3D${n}`), 200);
  }

  test(`${rounds} rounds of ${objectsPerRound} objects`, async () => {
    assert.equal(await call('POST', '/api/v1/namespaces', { metadata: { name: 'soak' } }), 201);
    await round(0);
    const warm = process.memoryUsage().rss;
    for (let n = 1; n <= rounds; n++) await round(n);
    const end = process.memoryUsage().rss;
    assert.ok(end - warm < allowedGrowthBytes, `RSS grew by ${Math.round((end - warm) / 1024 / 1024)} MiB`);
  });
});
