import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Duplex, PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { createApiApp } from '../server/api/server.js';
import type { ExecRequest, PodStreams } from '../server/api/pod-streams.js';
import { createPodStreamHandlers, createUpgradeHandler } from '../server/api/streams/index.js';
import { SpdyTestPeer } from '../server/api/streams/spdy-test-peer.js';
import { versionInfo } from '../server/api/version.js';
import { startKubemock, type RunningKubemock } from '../server/cli/cluster.js';

/** Pod ports are PassThrough pairs the test holds the far end of. */
class FakePorts implements PodStreams {
  readonly conns: { port: number; toPod: PassThrough; fromPod: PassThrough; closed: boolean }[] = [];

  async exec(req: ExecRequest): Promise<number> {
    if (req.command[0] === 'cat' && req.stdin) {
      for await (const chunk of req.stdin) req.stdout?.write(chunk as Buffer);
      return 0;
    }
    req.stdout?.write(`${req.command.join(' ')}\n`);
    return Number(req.command[1] ?? 0) || 0;
  }

  async attach(): Promise<number> {
    return 0;
  }

  async logs(): Promise<Readable> {
    return Readable.from([]);
  }

  async portForward(_ns: string, _pod: string, port: number): Promise<Duplex> {
    if (port === 9) throw new Error('connection refused');
    const toPod = new PassThrough();
    const fromPod = new PassThrough();
    const entry = { port, toPod, fromPod, closed: false };
    this.conns.push(entry);
    const duplex = Duplex.from({ writable: toPod, readable: fromPod });
    duplex.on('close', () => (entry.closed = true));
    return duplex;
  }
}

/** Opens a raw SPDY/3.1 upgrade the way kubectl before 1.31 does for port-forward. */
function spdyUpgrade(port: number, path: string, protocol: string): Promise<{ socket: Socket; peer: SpdyTestPeer; headers: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let peer: SpdyTestPeer | undefined;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      if (peer) return peer.receive(chunk);
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = buf.subarray(0, end).toString();
      peer = new SpdyTestPeer((c) => socket.write(c));
      const rest = buf.subarray(end + 4);
      if (rest.length) peer.receive(rest);
      resolve({ socket, peer, headers });
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\nContent-Length: 0\r\n\r\n`);
  });
}

describe('stream protocols on the wire', () => {
  let km: RunningKubemock;
  let server: Server;
  let port = 0;
  const fake = new FakePorts();

  before(async () => {
    km = await startKubemock({ port: 0, logLevel: 'silent', grpcPort: null, dns: { port: null }, controllers: { enabled: false } });
    const logger = pino({ level: 'silent' });
    const deps = { registry: km.registry, streams: fake, logger };
    server = createServer(createApiApp({ registry: km.registry, clock: km.clock, logger, version: versionInfo(32), subresources: createPodStreamHandlers(deps) }));
    server.on('upgrade', createUpgradeHandler(deps));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    const ref = km.registry.ref('', 'pods');
    await km.registry.create(ref, 'default', { metadata: { name: 'p' }, spec: { nodeName: 'n', containers: [{ name: 'c', image: 'i' }] } });
    const pod = await km.registry.get(ref, 'default', 'p');
    await km.registry.update(ref, 'default', 'p', { ...pod, status: { phase: 'Running' } }, {}, 'status');
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await km.stop();
  });

  test('SPDY port-forward: concurrent request ids, FIN both ways, error stream closed empty', async () => {
    const { socket, peer, headers } = await spdyUpgrade(port, '/api/v1/namespaces/default/pods/p/portforward', 'portforward.k8s.io');
    try {
      assert.match(headers, /^HTTP\/1\.1 101/);
      assert.match(headers, /X-Stream-Protocol-Version: portforward\.k8s\.io/);
      const e0 = peer.open({ streamtype: 'error', port: '80', requestid: '0' });
      const e1 = peer.open({ streamtype: 'error', port: '443', requestid: '1' });
      const d1 = peer.open({ streamtype: 'data', port: '443', requestid: '1' });
      const d0 = peer.open({ streamtype: 'data', port: '80', requestid: '0' });
      await peer.until(() => [e0, e1, d0, d1].every((id) => peer.streams.get(id)!.replied) && fake.conns.length === 2);
      const c80 = fake.conns.find((c) => c.port === 80)!;
      const c443 = fake.conns.find((c) => c.port === 443)!;
      const toPod80: Buffer[] = [];
      c80.toPod.on('data', (d: Buffer) => toPod80.push(d));
      peer.write(d0, 'GET / HTTP/1.0\r\n\r\n');
      c443.fromPod.write('from 443');
      await peer.until(() => peer.text(d1) === 'from 443');
      await new Promise<void>((r) => setImmediate(r));
      assert.equal(Buffer.concat(toPod80).toString(), 'GET / HTTP/1.0\r\n\r\n');
      c80.fromPod.end('bye');
      await peer.until(() => peer.streams.get(d0)!.fin && peer.streams.get(e0)!.fin);
      assert.equal(peer.text(d0), 'bye');
      assert.equal(peer.text(e0), '');
      assert.equal(peer.streams.get(d1)!.fin, false, 'the other forward is untouched');
    } finally {
      socket.destroy();
    }
  });

  test('SPDY port-forward: RST_STREAM CANCEL from the client closes the pod connection', async () => {
    const { socket, peer } = await spdyUpgrade(port, '/api/v1/namespaces/default/pods/p/portforward', 'portforward.k8s.io');
    try {
      const before = fake.conns.length;
      const e = peer.open({ streamtype: 'error', port: '5432', requestid: '0' });
      const d = peer.open({ streamtype: 'data', port: '5432', requestid: '0' });
      await peer.until(() => peer.streams.get(d)!.replied && fake.conns.length === before + 1);
      const conn = fake.conns.at(-1)!;
      peer.reset(d);
      peer.reset(e);
      await new Promise<void>((r) => conn.toPod.once('close', () => r()).once('end', () => r()));
      peer.ping(1);
      await peer.until(() => peer.frames.some((f) => f.type === 'ping' && f.id === 1));
    } finally {
      socket.destroy();
    }
  });

  test('SPDY port-forward: a port that cannot be reached is reported as text on the error stream', async () => {
    const { socket, peer } = await spdyUpgrade(port, '/api/v1/namespaces/default/pods/p/portforward', 'portforward.k8s.io');
    try {
      const e = peer.open({ streamtype: 'error', port: '9', requestid: '7' });
      peer.open({ streamtype: 'data', port: '9', requestid: '7' });
      await peer.until(() => peer.streams.get(e)!.fin);
      assert.equal(peer.text(e), 'error forwarding port 9 to pod p: connection refused');
    } finally {
      socket.destroy();
    }
  });

  test('SPDY with no common protocol version is refused with 403', async () => {
    const { socket, headers } = await spdyUpgrade(port, '/api/v1/namespaces/default/pods/p/portforward', 'portforward.k8s.io.v2');
    socket.destroy();
    assert.match(headers, /^HTTP\/1\.1 403/);
  });

  for (const protocol of ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io']) {
    test(`WebSocket exec with ${protocol} (as @kubernetes/client-node speaks it)`, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/namespaces/default/pods/p/exec?command=echo&command=7&stdout=1&stderr=1`, [protocol]);
      const messages: { channel: number; text: string }[] = [];
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) messages.push({ channel: data[0], text: data.subarray(1).toString() });
        else messages.push({ channel: Number(data.toString()[0]), text: Buffer.from(data.toString().slice(1), 'base64').toString() });
      });
      const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
      assert.equal(ws.protocol, protocol);
      assert.equal(code, 1000);
      assert.deepEqual(messages[0], { channel: 1, text: 'echo 7\n' });
      const status = JSON.parse(messages[1].text) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
      assert.equal(messages[1].channel, 3);
      assert.equal(status.reason, 'NonZeroExitCode');
      assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '7' }]);
    });
  }

  test('WebSocket v5: stdin close signal ends the command input', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/namespaces/default/pods/p/exec?command=cat&stdin=1&stdout=1`, ['v5.channel.k8s.io']);
    const out: string[] = [];
    ws.on('message', (data: Buffer) => out.push(`${data[0]}:${data.subarray(1).toString()}`));
    await new Promise<void>((r) => ws.on('open', () => r()));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('abc')]));
    ws.send(Buffer.from([255, 0]));
    await new Promise<void>((r) => ws.on('close', () => r()));
    assert.deepEqual(out, ['1:abc', '3:{"metadata":{},"status":"Success"}']);
  });

  test('WebSocket upgrade for a missing pod is answered with its 404 Status', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=1`, ['v5.channel.k8s.io']);
    ws.on('error', () => {});
    const [status, body] = await new Promise<[number, string]>((r) => ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => r([res.statusCode ?? 0, text]));
    }));
    assert.equal((JSON.parse(body) as { message: string }).message, 'pods "nope" not found');
    assert.equal(status, 404);
  });
});
