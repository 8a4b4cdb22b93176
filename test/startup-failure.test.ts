import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startKubemock } from '../server/cli/cluster.js';

const servers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

for (const [which, ports] of [['gRPC', (taken: number) => ({ grpcPort: taken, dns: { port: 0 } })], ['DNS', (taken: number) => ({ grpcPort: 0, dns: { port: taken } })]] as const) {
  test(`a kubemock that cannot start (its ${which} port is taken) stops what it had started and says why`, async () => {
    // what the case before closed may still be finishing (grpc-js closes a failed server a moment later)
    await new Promise((resolve) => setTimeout(resolve, 300));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const before = servers();
    try {
      await assert.rejects(startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', controllers: { enabled: false }, ...ports(taken) }), /EADDRINUSE/);
      // the listeners it had opened are closed again: a test process or an embedder is not kept alive
      assert.equal(servers(), before);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
}
