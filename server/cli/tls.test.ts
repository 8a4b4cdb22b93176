import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clusterCABundle, selfSignedTls } from './tls.js';

test('the published CA bundle: the serving CA, else the chain\'s last certificate, else a CA of the cluster\'s own kept in the data directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemock-ca-test-'));
  try {
    const tls = await selfSignedTls(['127.0.0.1']);
    assert.equal(await clusterCABundle(tls), tls.caPem);
    assert.equal(await clusterCABundle({ cert: `${tls.cert}${tls.caPem}`, key: tls.key }), tls.caPem, 'a chain file ends in its root');

    const own = await clusterCABundle(undefined, dir);
    const x = new X509Certificate(own);
    assert.ok(x.ca, 'a CA certificate');
    assert.ok(x.checkIssued(x), 'self-issued');
    assert.equal(await clusterCABundle(undefined, dir), own, 'kept across restarts with --data-dir');
    assert.notEqual(await clusterCABundle(undefined), own, 'in memory, every start makes its own');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
