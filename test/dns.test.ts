/**
 * The embedded DNS server over real sockets: node's dns.Resolver (c-ares) and raw dns-packet
 * queries against UDP and TCP, with the view fed by the same watch events the store would send.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { FakeClock } from '../server/meta/clock.js';
import { WatchedDnsView } from '../server/dns/watched-view.js';
import { startDnsServer, type DnsServer, type DnsServerOptions } from '../server/dns/server.js';
import { runDnsLookup } from '../server/dns/lookup-cli.js';
import {
  added,
  deleted,
  endpointSliceObject,
  modified,
  namespaceObject,
  podObject,
  serviceObject,
  terra10Endpoints,
  terra10Ports,
} from '../server/dns/seed-fixtures.js';

const zone = 'cluster.local';
const hs = `terra10-hs.default.svc.${zone}`;

interface Cluster {
  view: WatchedDnsView;
  server: DnsServer;
  resolver: Resolver;
}

async function startCluster(t: TestContext, extra: Partial<DnsServerOptions> = {}): Promise<Cluster> {
  const view = new WatchedDnsView({ clock: new FakeClock() });
  for (const r of ['services', 'endpointslices', 'namespaces', 'pods'] as const) view.markSynced(r);
  view.apply('namespaces', added(namespaceObject('default')));
  view.apply('services', added(serviceObject('default', 'terra10-hs', { clusterIP: 'None', ports: terra10Ports })));
  view.apply('endpointslices', added(endpointSliceObject('default', 'terra10-hs', terra10Endpoints(['172.17.0.5', '172.17.0.6']), terra10Ports)));
  view.apply('pods', added(podObject('default', 'terra10-0', '172.17.0.5')));
  view.apply('pods', added(podObject('default', 'terra10-1', '172.17.0.6')));
  const server = await startDnsServer({ host: '127.0.0.1', port: 0, view, zone, ...extra, onError: (e) => assert.fail(`server error: ${String(e)}`) });
  t.after(() => server.close());
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  resolver.setServers([`127.0.0.1:${server.udpPort}`]);
  return { view, server, resolver };
}

/** One raw query over UDP, returning the decoded reply (the authority section included). */
async function rawUdp(port: number, name: string, type: RecordType, edns = false): Promise<DecodedPacket> {
  const socket = createSocket('udp4');
  try {
    const reply = await exchange(socket, port, queryBytes(name, type, 7, edns));
    return dnsPacket.decode(reply);
  } finally {
    socket.close();
  }
}

function queryBytes(name: string, type: RecordType, id: number, edns: boolean): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
    ...(edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {}),
  });
}

function exchange(socket: UdpSocket, port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    socket.once('message', resolve);
    socket.once('error', reject);
    socket.send(bytes, port, '127.0.0.1');
  });
}

async function rawTcp(port: number, messages: Buffer[]): Promise<Buffer[]> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(Buffer.concat(messages.map((m) => Buffer.concat([u16(m.length), m]))));
    const replies: Buffer[] = [];
    let buffered: Buffer = Buffer.alloc(0);
    for await (const chunk of socket) {
      buffered = Buffer.concat([buffered, chunk as Buffer]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
      if (replies.length === messages.length) break;
    }
    return replies;
  } finally {
    socket.destroy();
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

const sorted = (xs: string[]) => [...xs].sort();
/** dns-packet's typings leave out the decoded rcode; it lives in the low bits of the flags. */
const rcode = (reply: DecodedPacket) => ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][(reply.flags ?? 0) & 0xf];
const dataOf = (reply: DecodedPacket) => (reply.answers ?? []).map((a) => ('data' in a ? String(a.data) : ''));

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: NodeJS.ErrnoException) => e.code === code);
}

test("the seed's table: per-pod names, the headless name, scale down and back up", async (t) => {
  const { view, resolver } = await startCluster(t);
  assert.deepEqual(await resolver.resolve4(`terra10-0.${hs}`), ['172.17.0.5']);
  assert.deepEqual(await resolver.resolve4(`terra10-1.${hs}`), ['172.17.0.6']);
  assert.deepEqual(sorted(await resolver.resolve4(hs)), ['172.17.0.5', '172.17.0.6']);

  // scale to 1: the endpoint slice controller drops terra10-1
  view.apply('endpointslices', modified(endpointSliceObject('default', 'terra10-hs', terra10Endpoints(['172.17.0.5']), terra10Ports)));
  assert.deepEqual(await resolver.resolve4(hs), ['172.17.0.5']);
  await rejectsWithCode(resolver.resolve4(`terra10-1.${hs}`), 'ENOTFOUND');

  // scale back: terra10-1 returns with a new IP
  view.apply('endpointslices', modified(endpointSliceObject('default', 'terra10-hs', terra10Endpoints(['172.17.0.5', '172.17.0.9']), terra10Ports)));
  assert.deepEqual(await resolver.resolve4(`terra10-1.${hs}`), ['172.17.0.9']);
  assert.deepEqual(sorted(await resolver.resolve4(hs)), ['172.17.0.5', '172.17.0.9']);
});

test('SRV lists both pods on 8090; PTR of a pod IP gives its FQDN; unknown names are NXDOMAIN', async (t) => {
  const { server, resolver } = await startCluster(t);
  const srv = await resolver.resolveSrv(`_http-transporter._tcp.${hs}`);
  assert.deepEqual(
    srv.map((r) => [r.name, r.port, r.priority, r.weight]).sort(),
    [[`terra10-0.${hs}`, 8090, 0, 50], [`terra10-1.${hs}`, 8090, 0, 50]],
  );
  assert.deepEqual(await resolver.reverse('172.17.0.5'), [`terra10-0.${hs}`]);
  await rejectsWithCode(resolver.resolve4(`nope.default.svc.${zone}`), 'ENOTFOUND');
  const raw = await rawUdp(server.udpPort, `nope.default.svc.${zone}`, 'A');
  assert.equal(rcode(raw), 'NXDOMAIN');
  assert.equal(raw.flag_aa, true);
  assert.equal(raw.authorities?.[0]?.type, 'SOA');
});

test('AAAA for the IPv4-only headless service is NODATA with the zone SOA', async (t) => {
  const { server, resolver } = await startCluster(t);
  await rejectsWithCode(resolver.resolve6(hs), 'ENODATA');
  const reply = await rawUdp(server.udpPort, hs, 'AAAA');
  assert.equal(rcode(reply), 'NOERROR');
  assert.deepEqual(reply.answers, []);
  const soa = reply.authorities?.[0];
  assert.equal(soa?.type, 'SOA');
  assert.equal(soa?.name, zone);
  assert.equal(soa?.type === 'SOA' && soa.data.mname, `ns.dns.${zone}`);
  assert.equal(soa?.type === 'SOA' && soa.data.rname, `hostmaster.${zone}`);
  assert.deepEqual(soa?.type === 'SOA' && [soa.data.refresh, soa.data.retry, soa.data.expire, soa.data.minimum], [7200, 1800, 86400, 30]);
});

test('a headless service with no ready pods is NXDOMAIN', async (t) => {
  const { view, server, resolver } = await startCluster(t);
  view.apply('endpointslices', modified(endpointSliceObject('default', 'terra10-hs', [
    { ip: '172.17.0.5', hostname: 'terra10-0', ready: false },
    { ip: '172.17.0.6', hostname: 'terra10-1', ready: false },
  ], terra10Ports)));
  await rejectsWithCode(resolver.resolve4(hs), 'ENOTFOUND');
  assert.equal(rcode(await rawUdp(server.udpPort, hs, 'A')), 'NXDOMAIN');
  await rejectsWithCode(resolver.resolve4(`terra10-0.${hs}`), 'ENOTFOUND');
});

test('a name is resolvable as soon as the view has the event, and gone as soon as it is deleted', async (t) => {
  const { view, resolver } = await startCluster(t);
  const name = `web.default.svc.${zone}`;
  await rejectsWithCode(resolver.resolve4(name), 'ENOTFOUND');
  const svc = serviceObject('default', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] });
  view.apply('services', added(svc));
  assert.deepEqual(await resolver.resolve4(name), ['10.96.0.20']);
  assert.deepEqual(await resolver.reverse('10.96.0.20'), [name]);
  view.apply('services', deleted(svc));
  await rejectsWithCode(resolver.resolve4(name), 'ENOTFOUND');
});

test('a repeated question gets the same answer under its own ID, and a fresh one once the view changes', async (t) => {
  const { view, server } = await startCluster(t);
  const name = `cached.default.svc.${zone}`;
  const svc = serviceObject('default', 'cached', { clusterIP: '10.96.0.30', ports: [{ name: 'http', port: 80 }] });
  view.apply('services', added(svc));
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  const ask = async (id: number): Promise<DecodedPacket> => dnsPacket.decode(await exchange(socket, server.udpPort, queryBytes(name, 'A', id, false)));
  const first = await ask(101);
  const second = await ask(202);
  assert.equal(first.id, 101);
  assert.equal(second.id, 202);
  assert.deepEqual({ ...second, id: 101 }, first);
  assert.deepEqual(dataOf(second), ['10.96.0.30']);
  view.apply('services', modified(serviceObject('default', 'cached', { clusterIP: '10.96.0.31', ports: [{ name: 'http', port: 80 }] })));
  assert.deepEqual(dataOf(await ask(303)), ['10.96.0.31']);
});

test('a large answer is truncated over UDP and complete over TCP', async (t) => {
  const { view, server, resolver } = await startCluster(t);
  const ips = Array.from({ length: 60 }, (_, i) => `10.1.0.${i + 1}`);
  view.apply('services', added(serviceObject('default', 'big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] })));
  view.apply('endpointslices', added(endpointSliceObject('default', 'big', ips.map((ip) => ({ ip })), [{ name: 'http', port: 80 }])));
  const name = `big.default.svc.${zone}`;

  const udp = await rawUdp(server.udpPort, name, 'A');
  assert.equal(udp.flag_tc, true);
  assert.ok(udp.answers!.length < 60);
  const [tcpReply] = await rawTcp(server.tcpPort, [queryBytes(name, 'A', 9, false)]);
  const tcp = dnsPacket.decode(tcpReply!);
  assert.equal(tcp.flag_tc, false);
  assert.deepEqual(sorted(dataOf(tcp)), sorted(ips));

  // c-ares sees TC and retries over TCP on its own
  const tcpBefore = server.stats().tcpQueries;
  assert.deepEqual(sorted(await resolver.resolve4(name)), sorted(ips));
  assert.ok(server.stats().tcpQueries > tcpBefore, 'the resolver fell back to TCP');

  // EDNS0: the OPT record is echoed and the larger payload size lets the answer fit
  const edns = await rawUdp(server.udpPort, name, 'A', true);
  assert.equal(edns.flag_tc, false);
  assert.equal(edns.answers!.length, 60);
  assert.equal(edns.additionals?.find((a) => a.type === 'OPT')?.type, 'OPT');
});

test('malformed packets are dropped or answered FORMERR and the server keeps answering', async (t) => {
  const { server } = await startCluster(t);
  const socket = createSocket('udp4');
  t.after(() => socket.close());

  // a readable header with a question section that runs off the end: FORMERR with the same id
  const header = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x05, 0x61]);
  const formerr = dnsPacket.decode(await exchange(socket, server.udpPort, header));
  assert.equal(formerr.id, 0xabcd);
  assert.equal(rcode(formerr), 'FORMERR');

  // deterministic pseudo-random garbage of every length up to 100 bytes
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 300; i++) {
    const garbage = Buffer.from(Array.from({ length: i % 100 }, next));
    socket.send(garbage, server.udpPort, '127.0.0.1');
  }
  const tcpReplies = await rawTcp(server.tcpPort, [header, queryBytes(hs, 'A', 11, false)]);
  assert.equal(rcode(dnsPacket.decode(tcpReplies[0]!)), 'FORMERR');
  assert.equal(dnsPacket.decode(tcpReplies[1]!).answers!.length, 2);

  const check = createSocket('udp4');
  t.after(() => check.close());
  const reply = dnsPacket.decode(await exchange(check, server.udpPort, queryBytes(hs, 'A', 12, false)));
  assert.equal(reply.answers!.length, 2);
  assert.ok(server.stats().formErrors >= 2);
});

test('a 1,000-name zone answers a concurrent burst without losing queries', async (t) => {
  const { view, server } = await startCluster(t);
  const count = 1000;
  for (let i = 0; i < count; i++) {
    view.apply('services', added(serviceObject('default', `svc-${i}`, { clusterIP: `10.96.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80 }] })));
  }
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  t.after(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  // 200 queries in flight at a time: a burst, yet within a default 208 KiB socket buffer, so a
  // lost reply here means the server dropped or failed a query, not that the kernel was full
  const inFlight = 200;
  const answers = new Map<number, string>();
  let sent = 0;
  const send = () => socket.send(queryBytes(`svc-${sent}.default.svc.${zone}`, 'A', sent++, false), server.udpPort, '127.0.0.1');
  const all = new Promise<void>((resolve) => {
    socket.on('message', (bytes) => {
      const reply = dnsPacket.decode(bytes);
      answers.set(reply.id!, dataOf(reply)[0]!);
      if (answers.size === count) resolve();
      else if (sent < count) send();
    });
  });
  while (sent < inFlight) send();
  await all;
  for (let i = 0; i < count; i++) assert.equal(answers.get(i), `10.96.${i >> 8}.${i & 255}`);
});

test('forwards names outside the zone to --dns-upstream, SERVFAIL when it does not answer', async (t) => {
  const upstream = await startCluster(t, { zone: 'example.test' });
  upstream.view.apply('services', added(serviceObject('default', 'far', { clusterIP: '10.200.0.1' })));
  const { server } = await startCluster(t, { upstream: `127.0.0.1:${upstream.server.udpPort}` });
  const forwarded = await rawUdp(server.udpPort, 'far.default.svc.example.test', 'A');
  assert.deepEqual(dataOf(forwarded), ['10.200.0.1']);
  assert.equal((await rawUdp(server.udpPort, hs, 'A')).answers!.length, 2, 'in-zone names are still answered locally');

  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  t.after(() => silent.close());
  const { server: lonely } = await startCluster(t, { upstream: `127.0.0.1:${silent.address().port}`, upstreamTimeoutMs: 200 });
  assert.equal(rcode(await rawUdp(lonely.udpPort, 'example.com', 'A')), 'SERVFAIL');
  assert.equal(rcode(await rawUdp(lonely.udpPort, hs, 'A')), 'NOERROR');
  // without an upstream, outside names are refused
  const { server: plain } = await startCluster(t);
  assert.equal(rcode(await rawUdp(plain.udpPort, 'example.com', 'A')), 'REFUSED');
});

test('kubemock dns lookup helper resolves short names through the pod search path', async (t) => {
  const { server } = await startCluster(t);
  const base = { server: '127.0.0.1', port: server.udpPort };
  assert.equal(await runDnsLookup({ ...base, name: 'terra10-0.terra10-hs', searchNamespace: 'default' }), '172.17.0.5');
  assert.equal(await runDnsLookup({ ...base, name: `_http-monitor._tcp.${hs}`, type: 'SRV' }), [
    `0 50 8092 terra10-0.${hs}.`,
    `0 50 8092 terra10-1.${hs}.`,
  ].join('\n'));
  assert.equal(await runDnsLookup({ ...base, name: '172.17.0.6' }), `terra10-1.${hs}.`);
  assert.equal(await runDnsLookup({ ...base, name: 'nope', searchNamespace: 'default' }), "** server can't find nope: NXDOMAIN");
  assert.equal(await runDnsLookup({ ...base, name: hs, type: 'AAAA' }), `*** Can't find ${hs}: No answer`);
  assert.equal(await runDnsLookup({ ...base, name: `dns-version.${zone}`, type: 'TXT' }), '"1.1.0"');
});

test('dig agrees (dig must be installed: apt-get install bind9-dnsutils)', async (t) => {
  const dig = promisify(execFile);
  await assert.doesNotReject(dig('dig', ['-v']), 'dig is not on PATH; CI installs it, locally run apt-get install -y bind9-dnsutils');
  const { server } = await startCluster(t);
  const run = async (...args: string[]) => (await dig('dig', [`@127.0.0.1`, '-p', String(server.udpPort), '+time=3', '+tries=2', ...args])).stdout;
  assert.equal((await run(`terra10-0.${hs}`, '+short')).trim(), '172.17.0.5');
  assert.deepEqual(sorted((await run(hs, '+short')).trim().split('\n')), ['172.17.0.5', '172.17.0.6']);
  assert.deepEqual(sorted((await run(`_http-transporter._tcp.${hs}`, 'SRV', '+short')).trim().split('\n')), [
    `0 50 8090 terra10-0.${hs}.`,
    `0 50 8090 terra10-1.${hs}.`,
  ]);
  assert.equal((await run('-x', '172.17.0.6', '+short')).trim(), `terra10-1.${hs}.`);
  const nx = await run(`nope.default.svc.${zone}`);
  assert.match(nx, /status: NXDOMAIN/);
  assert.match(nx, /flags: qr aa/);
  const nodata = await run(hs, 'AAAA');
  assert.match(nodata, /status: NOERROR/);
  assert.match(nodata, /ANSWER: 0, AUTHORITY: 1/);
  assert.match(nodata, new RegExp(`${zone}\\.\\s+30\\s+IN\\s+SOA\\s+ns\\.dns\\.${zone}\\. hostmaster\\.${zone}\\. \\d+ 7200 1800 86400 30`));
  assert.equal((await run(`dns-version.${zone}`, 'TXT', '+short')).trim(), '"1.1.0"');
  assert.equal((await run(`10-1-2-3.default.pod.${zone}`, '+short')).trim(), '10.1.2.3');
  assert.equal((await run(`terra10-0.${hs}`, '+tcp', '+short')).trim(), '172.17.0.5');
});
