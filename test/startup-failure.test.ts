import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startKubemock } from '../server/cli/cluster.js';

const servers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

test('a kubemock that cannot start (its gRPC port is taken) stops what it had started and says why', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = (blocker.address() as AddressInfo).port;
  const before = servers();
  try {
    await assert.rejects(
      startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: taken, dns: { port: 0 }, controllers: { enabled: false } }),
      /EADDRINUSE/,
    );
    // the API listener (and DNS) it had opened are closed again: a test process or an embedder is not kept alive
    assert.equal(servers(), before);
  } finally {
    blocker.close();
  }
});
