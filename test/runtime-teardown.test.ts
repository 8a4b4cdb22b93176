import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Behaviour } from '../server/runtime/behaviour.js';
import { handleFor, testPod, testRuntime, testSubnet } from '../server/runtime/test-fixtures.js';

/**
 * Stopping a container frees its ports at once, whatever its peers or its start() are doing: the
 * kubelet waits for the stop before deleting the pod, and the next pod of the same name may be given
 * the same IP and bind the same port.
 */

function dial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** A late listen() resolves (or fails) a few timer turns after the stop: let it. */
async function afterAFewTurns(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms).unref())]);
}

describe('container teardown frees its ports', () => {
  let release = (): void => undefined;
  let entered = (): void => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const inStart = new Promise<void>((r) => (entered = r));
  const behaviours: Record<string, Behaviour> = {
    'example.com/tcp-holder': {
      name: 'tcp-holder',
      async start(ctx) {
        // keeps every connection open and never ends it, as a database waiting for queries does
        await ctx.listenTcp(7000, () => undefined);
      },
    },
    'example.com/slow-binder': {
      name: 'slow-binder',
      async start(ctx) {
        entered();
        await gate;
        await ctx.listenTcp(7001, () => undefined);
      },
    },
  };
  const rt = testRuntime({ behaviours });
  after(() => rt.cleanup());

  it('a TCP server with an idle client open: kill resolves and the client sees the connection end', async () => {
    const ip = `${testSubnet()}.7`;
    const pod = testPod('holder-0', [{ name: 'db', image: 'example.com/tcp-holder' }]);
    const h = handleFor(pod, 'db', ip);
    await rt.runtime.start(h);
    const client = await dial(ip, 7000);
    const ended = new Promise<void>((r) => client.once('close', () => r()));
    client.on('error', () => undefined);
    await withTimeout(Promise.resolve(rt.runtime.kill(h)), 2000, 'kill');
    await withTimeout(ended, 2000, 'the client connection closing');
    await assert.rejects(dial(ip, 7000), /ECONNREFUSED/);
  });

  it('a container killed while its start() is still binding leaves no port bound', async () => {
    const ip = `${testSubnet()}.8`;
    const pod = testPod('slow-0', [{ name: 'app', image: 'example.com/slow-binder' }]);
    const h = handleFor(pod, 'app', ip);
    const starting = rt.runtime.start(h);
    await inStart;
    await rt.runtime.kill(h);
    release();
    await starting;
    await afterAFewTurns();
    await assert.rejects(dial(ip, 7001), /ECONNREFUSED/);
  });

  it('a runtime stopped while a container is still being set up leaves no port bound (nothing holds the process open)', async () => {
    const own = testRuntime({ behaviours: { 'example.com/binder': { name: 'binder', async start(ctx) {
      await ctx.listenTcp(7002, () => undefined);
    } } } });
    const ip = `${testSubnet()}.9`;
    const pod = testPod('late-0', [{ name: 'app', image: 'example.com/binder' }]);
    // stop while start() is still writing the container's files, before the container exists
    const starting = Promise.resolve(own.runtime.start(handleFor(pod, 'app', ip))).catch((e: unknown) => e);
    await own.cleanup();
    await starting;
    await afterAFewTurns();
    await assert.rejects(dial(ip, 7002), /ECONNREFUSED/);
  });
});
