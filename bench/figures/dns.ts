/** DNS: queries/s and p99 with a fixed number in flight, against a UDP responder sending the same bytes. */
import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { withWorker } from '../lib/child.js';
import { row, type Progress, type Row, type Sizes } from '../lib/figure.js';
import { epochMs, percentile } from '../lib/stats.js';

interface DnsLoad { perSecond: number; p99Ms: number; timeouts: number; wrong: number }

function query(name: string): Buffer {
  return dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name, class: 'IN' }] });
}

/** Asks each name once and keeps the answer, checking it is a real one. */
async function answersOf(port: number, queries: Buffer[]): Promise<Buffer[]> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  try {
    const out: Buffer[] = [];
    for (const q of queries) {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('dns: no answer')), 2000);
        sock.once('message', (m) => { clearTimeout(timer); resolve(m); });
        sock.send(q, port, '127.0.0.1');
      });
      const decoded = dnsPacket.decode(reply);
      const rcode = (decoded.flags ?? 0) & 0xf;
      if (rcode !== 0 || (decoded.answers?.length ?? 0) < 1) throw new Error(`dns: rcode ${rcode} for ${decoded.questions?.[0]?.name}`);
      out.push(reply);
    }
    return out;
  } finally {
    sock.close();
  }
}

/** `inFlight` lanes, each sending its next query when the last is answered (or lost for a second). */
async function load(port: number, queries: Buffer[], expected: Buffer[], inFlight: number, seconds: number): Promise<DnsLoad> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const lanes = Array.from({ length: inFlight }, () => ({ id: 0, q: 0, sentAt: 0 }));
  const latencies: number[] = [];
  let timeouts = 0;
  let wrong = 0;
  let seq = 0;
  let nextName = 0;
  let running = true;
  const send = (lane: number): void => {
    const l = lanes[lane];
    l.q = nextName++ % queries.length;
    l.id = ((seq++ * inFlight) + lane) & 0xffff;
    const b = Buffer.from(queries[l.q]);
    b.writeUInt16BE(l.id, 0);
    l.sentAt = epochMs();
    sock.send(b, port, '127.0.0.1');
  };
  sock.on('message', (m) => {
    const id = m.readUInt16BE(0);
    const lane = id % inFlight;
    const l = lanes[lane];
    if (l.id !== id || l.sentAt === 0) return;
    latencies.push(epochMs() - l.sentAt);
    if (m.length !== expected[l.q].length || m.compare(expected[l.q], 2, expected[l.q].length, 2) !== 0) wrong++;
    l.sentAt = 0;
    if (running) send(lane);
  });
  const sweep = setInterval(() => {
    const now = epochMs();
    lanes.forEach((l, i) => {
      if (l.sentAt !== 0 && now - l.sentAt > 1000) {
        timeouts++;
        if (running) send(i);
      }
    });
  }, 100);
  const start = epochMs();
  for (let i = 0; i < inFlight; i++) send(i);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = (epochMs() - start) / 1000;
  clearInterval(sweep);
  sock.close();
  return { perSecond: latencies.length / elapsed, p99Ms: percentile(latencies, 99), timeouts, wrong };
}

export async function dns(sizes: Sizes, progress: Progress): Promise<Row[]> {
  return withWorker(async (km) => {
    const urls = await km.call<{ dns: string }>('kubemock', { controllers: false, grpc: false });
    const port = Number(urls.dns.split(':').pop());
    progress(`DNS: ${sizes.dnsNames} services`);
    await km.call('seedServices', { namespace: 'bench', count: sizes.dnsNames });
    const queries = Array.from({ length: sizes.dnsNames }, (_, i) => query(`svc-${i}.bench.svc.cluster.local`));
    const answers = await answersOf(port, queries);
    return withWorker(async (bare) => {
      const barePort = await bare.call<number>('bareUdp', {
        answers: queries.map((q, i) => [q.subarray(2).toString('base64'), answers[i].toString('base64')]),
      });
      progress(`DNS: bare UDP responder, ${sizes.dnsInFlight} in flight, ${sizes.seconds}s`);
      const ref = await load(barePort, queries, answers, sizes.dnsInFlight, sizes.seconds);
      progress(`DNS: kubemock, ${sizes.dnsInFlight} in flight, ${sizes.seconds}s`);
      const got = await load(port, queries, answers, sizes.dnsInFlight, sizes.seconds);
      return [row({
        id: 'dns', figure: `DNS A over ${sizes.dnsNames} names (${sizes.dnsInFlight} in flight)`, value: got.perSecond, unit: 'q/s',
        reference: { label: 'bare UDP responder, same bytes', value: ref.perSecond },
        target: { on: 'ratio', op: '>=', limit: 0.5 }, targetText: '≥ 0.5 × bare',
        note: `p99 ${got.p99Ms.toFixed(2)} ms (bare ${ref.p99Ms.toFixed(2)} ms); ${got.timeouts} timeouts, ${got.wrong} differing answers`,
      })];
    });
  });
}
