/**
 * A bench worker process: runs one server under test (kubemock, or a bare reference server) or one
 * in-process measurement, driven by messages from bench/run.ts over IPC.
 */
import { createSocket } from 'node:dgram';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { startKubemock, type RunningKubemock } from '../server/cli/cluster.js';
import type { KubeObject } from '../server/meta/types.js';
import { pod, service, statefulSet } from './lib/fixtures.js';
import { epochMs } from './lib/stats.js';

interface Message { id: number; cmd: string; args: Record<string, unknown> }

let km: RunningKubemock | undefined;
const closers: (() => Promise<void> | void)[] = [];

const pods = () => km!.registry.ref('', 'pods');

async function ensureNamespace(name: string): Promise<void> {
  const ref = km!.registry.ref('', 'namespaces');
  try {
    await km!.registry.create(ref, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (e) {
    if ((e as { reason?: string }).reason !== 'AlreadyExists') throw e;
  }
}

interface KubemockArgs { controllers?: boolean; nodes?: number; dns?: boolean; grpc?: boolean; durable?: boolean }

async function startServer(a: KubemockArgs): Promise<RunningKubemock['urls']> {
  const dataDir = a.durable ? await mkdtemp(join(tmpdir(), 'kubemock-bench-')) : undefined;
  km = await startKubemock({
    port: 0, host: '127.0.0.1', logLevel: 'silent',
    dns: { port: a.dns === false ? null : 0 },
    grpcPort: a.grpc === false ? null : 0,
    controllers: a.controllers
      ? { podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, nodes: a.nodes ?? 3 }
      : { enabled: false },
    ...(dataDir ? { dataDir } : {}),
  });
  closers.push(() => km!.stop());
  return km.urls;
}

async function seedPods(a: { namespace: string; count: number; prefix?: string }): Promise<void> {
  await ensureNamespace(a.namespace);
  const ref = pods();
  for (let i = 0; i < a.count; i++) await km!.registry.create(ref, a.namespace, pod(a.namespace, `${a.prefix ?? 'pod'}-${i}`));
}

async function seedServices(a: { namespace: string; count: number }): Promise<void> {
  await ensureNamespace(a.namespace);
  const ref = km!.registry.ref('', 'services');
  for (let i = 0; i < a.count; i++) await km!.registry.create(ref, a.namespace, service(a.namespace, `svc-${i}`));
}

/** Creates pods at a steady pace, each stamped with its write time for the watchers to compare. */
async function churnPods(a: { namespace: string; count: number; perSecond: number }): Promise<{ ms: number }> {
  await ensureNamespace(a.namespace);
  const ref = pods();
  const start = epochMs();
  let i = 0;
  while (i < a.count) {
    const due = Math.min(a.count, Math.floor(((epochMs() - start) * a.perSecond) / 1000) + 1);
    for (; i < due; i++) {
      await km!.registry.create(ref, a.namespace, pod(a.namespace, `w-${i}`, { 'bench/t': String(epochMs()) }));
      // Each write in its own macrotask, as separate API requests would be: a chain of awaits
      // would hold every watch stream's corked writes until the whole batch was done.
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return { ms: epochMs() - start };
}

/**
 * A node:http server answering every request with the same bytes: the ceiling for GET by name. With
 * `parseBody`, it first reads the request's body and JSON.parses it, and answers 201: the ceiling for
 * a create, which cannot do less.
 */
async function bareHttp(a: { body: string; contentType: string; parseBody?: boolean }): Promise<string> {
  const body = Buffer.from(a.body);
  const answer = (res: ServerResponse, code: number): void => {
    res.writeHead(code, { 'Content-Type': a.contentType, 'Content-Length': body.length });
    res.end(body);
  };
  const server = createServer((req, res) => {
    if (!a.parseBody) return answer(res, 200);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      answer(res, 201);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A UDP responder with the answers precomputed: the ceiling for the DNS figure. */
async function bareUdp(a: { answers: [string, string][] }): Promise<number> {
  // Keyed by the query without its ID, so the only per-packet work is a lookup and an ID copy.
  const byQuery = new Map(a.answers.map(([q, r]) => [Buffer.from(q, 'base64').toString('latin1'), Buffer.from(r, 'base64')]));
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const answer = byQuery.get(msg.subarray(2).toString('latin1'));
    if (!answer) return;
    const out = Buffer.from(answer);
    out[0] = msg[0];
    out[1] = msg[1];
    sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => sock.close(() => r())));
  return sock.address().port;
}

/** RSS of a kubemock holding `count` pods, after a full GC, and what each pod added. */
async function memory(a: { count: number }): Promise<{ rssBytes: number; baseRssBytes: number; bytesPerPod: number; heapBytesPerPod: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory needs --expose-gc');
  await startServer({ controllers: false });
  await ensureNamespace('mem');
  gc();
  const before = process.memoryUsage();
  await seedPods({ namespace: 'mem', count: a.count });
  gc();
  const after = process.memoryUsage();
  return {
    rssBytes: after.rss,
    baseRssBytes: before.rss,
    bytesPerPod: (after.rss - before.rss) / a.count,
    heapBytesPerPod: (after.heapUsed - before.heapUsed) / a.count,
  };
}

/** Creates a StatefulSet and times it until status.readyReplicas reaches spec.replicas. */
async function statefulSetReady(a: { replicas: number; policy: 'Parallel' | 'OrderedReady'; timeoutMs: number }): Promise<{ ms: number; ready: number }> {
  const ns = 'sts';
  await ensureNamespace(ns);
  const ref = km!.registry.ref('apps', 'statefulsets');
  const name = `web-${a.policy.toLowerCase()}`;
  let ready = 0;
  const start = epochMs();
  const done = new Promise<number>((resolve) => {
    const timer = setTimeout(() => resolve(NaN), a.timeoutMs);
    const w = km!.registry.watch(ref, ns, { resourceVersion: String(km!.registry.storage.currentResourceVersion()) }, (e) => {
      if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
      const sts = e.object as KubeObject & StatefulSet;
      if (sts.metadata.name !== name) return;
      ready = sts.status?.readyReplicas ?? 0;
      if (ready >= a.replicas) {
        clearTimeout(timer);
        w.stop();
        resolve(epochMs() - start);
      }
    });
  });
  await km!.registry.create(ref, ns, statefulSet(ns, name, a.replicas, a.policy));
  const ms = await done;
  return { ms, ready };
}

/** CPU time this process has used, in microseconds: per-request cost that a loaded machine does not blur. */
async function cpu(): Promise<number> {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const handlers: Record<string, (a: never) => Promise<unknown>> = {
  cpu,
  kubemock: startServer,
  seedPods,
  seedServices,
  churnPods,
  bareHttp,
  bareUdp,
  memory,
  statefulSetReady,
};

async function exit(): Promise<void> {
  for (const c of closers.reverse()) await c();
  process.exit(0);
}

process.on('message', (m: Message) => {
  if (m.cmd === 'exit') {
    void exit();
    return;
  }
  const h = handlers[m.cmd];
  Promise.resolve()
    .then(() => (h ? h(m.args as never) : Promise.reject(new Error(`unknown command ${m.cmd}`))))
    .then(
      (result) => process.send!({ id: m.id, ok: true, result }),
      (e: unknown) => process.send!({ id: m.id, ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
    );
});
process.on('disconnect', () => void exit());
