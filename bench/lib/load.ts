/** Load generators: autocannon for HTTP, and a closed loop of N in-flight calls for anything else. */
import autocannon from 'autocannon';
import { request, Agent } from 'node:http';
import { epochMs, percentile } from './stats.js';

export interface LoadResult {
  /** Successful operations per second. */
  perSecond: number;
  ok: number;
  failed: number;
  p99Ms: number;
  /** CPU microseconds the server process spent per successful operation, when measured. */
  serverCpuUs?: number;
}

/** Runs a load and charges the server worker's CPU time over it to each successful operation. */
export async function withServerCpu(server: { call<T>(cmd: string): Promise<T> }, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const before = await server.call<number>('cpu');
  const r = await run();
  const after = await server.call<number>('cpu');
  return { ...r, serverCpuUs: r.ok > 0 ? (after - before) / r.ok : NaN };
}

export async function cannon(opts: { url: string; connections: number; seconds: number; method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> }): Promise<LoadResult> {
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    method: opts.method ?? 'GET',
    body: opts.body,
    headers: opts.headers,
  });
  const ok = r['2xx'];
  return { perSecond: ok / r.duration, ok, failed: r.non2xx + r.errors + r.timeouts, p99Ms: r.latency.p99 };
}

/** Keeps `inFlight` calls going for `seconds`; each call's latency is kept for the p99. */
export async function closedLoop(inFlight: number, seconds: number, call: () => Promise<unknown>): Promise<LoadResult> {
  const end = epochMs() + seconds * 1000;
  const latencies: number[] = [];
  let failed = 0;
  const start = epochMs();
  const lane = async (): Promise<void> => {
    while (epochMs() < end) {
      const t = epochMs();
      try {
        await call();
        latencies.push(epochMs() - t);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsed = (epochMs() - start) / 1000;
  return { perSecond: latencies.length / elapsed, ok: latencies.length, failed, p99Ms: percentile(latencies, 99) };
}

export interface HttpReply { status: number; headers: Record<string, string | string[] | undefined>; body: string; ms: number }

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP request over a keep-alive agent, timed from send to the last body byte. */
export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const t = epochMs();
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        // latency ends with the last byte, not with this client's copying of it
        const ms = epochMs() - t;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), ms });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function closeHttpAgent(): void {
  agent.destroy();
}
