/** REST figures: GET by name against a bare server, creates in memory and durable, and big lists. */
import { withWorker } from '../lib/child.js';
import { row, type Progress, type Row, type Sizes } from '../lib/figure.js';
import { generatedPod } from '../lib/fixtures.js';
import { cannon, httpRequest, withServerCpu, type LoadResult } from '../lib/load.js';
import { median } from '../lib/stats.js';

interface Urls { api: string; grpc?: string; dns?: string }

export async function getByName(sizes: Sizes, progress: Progress): Promise<Row[]> {
  return withWorker(async (km) => {
    const urls = await km.call<Urls>('kubemock', { controllers: false, dns: false, grpc: false });
    await km.call('seedPods', { namespace: 'bench', count: 1 });
    const url = `${urls.api}/api/v1/namespaces/bench/pods/pod-0`;
    const sample = await httpRequest(url);
    if (sample.status !== 200) throw new Error(`GET ${url}: ${sample.status}`);
    return withWorker(async (bare) => {
      const bareUrl = await bare.call<string>('bareHttp', { body: sample.body, contentType: String(sample.headers['content-type']) });
      progress(`GET by name: bare node:http, ${sizes.connections} connections, ${sizes.seconds}s`);
      const ref = await withServerCpu(bare, () => cannon({ url: bareUrl, connections: sizes.connections, seconds: sizes.seconds }));
      progress(`GET by name: kubemock, ${sizes.connections} connections, ${sizes.seconds}s`);
      const got = await withServerCpu(km, () => cannon({ url, connections: sizes.connections, seconds: sizes.seconds }));
      return [row({
        id: 'get', figure: `GET pod by name (${sizes.connections} conns)`, value: got.perSecond, unit: 'req/s',
        reference: { label: 'bare node:http, same bytes', value: ref.perSecond },
        target: { on: 'ratio', op: '>=', limit: 0.5 }, targetText: '≥ 0.5 × bare',
        note: `server CPU ${cpuUs(got)} per request (bare ${cpuUs(ref)}); p99 ${got.p99Ms} ms (bare ${ref.p99Ms} ms); ${got.failed} failed; ${sample.body.length} B body`,
      })];
    });
  });
}

function cpuUs(r: { serverCpuUs?: number }): string {
  return `${Math.round(r.serverCpuUs ?? NaN)} µs`;
}

async function createRate(sizes: Sizes, durable: boolean): Promise<LoadResult> {
  return withWorker(async (km) => {
    const urls = await km.call<Urls>('kubemock', { controllers: false, dns: false, grpc: false, durable });
    await km.call('seedPods', { namespace: 'bench', count: 0 });
    return withServerCpu(km, () => cannon({
      url: `${urls.api}/api/v1/namespaces/bench/pods`, method: 'POST', connections: sizes.connections, seconds: sizes.seconds,
      body: JSON.stringify(generatedPod('bench')), headers: { 'content-type': 'application/json' },
    }));
  });
}

/** POSTs of the bench's pod to a bare node:http server that reads and parses the body and answers a created pod's bytes. */
async function bareCreateRate(sizes: Sizes): Promise<LoadResult> {
  const created = await withWorker(async (km) => {
    const urls = await km.call<Urls>('kubemock', { controllers: false, dns: false, grpc: false });
    await km.call('seedPods', { namespace: 'bench', count: 0 });
    return httpRequest(`${urls.api}/api/v1/namespaces/bench/pods`, { method: 'POST', body: JSON.stringify(generatedPod('bench')), headers: { 'content-type': 'application/json' } });
  });
  if (created.status !== 201) throw new Error(`POST pods: ${created.status}`);
  return withWorker(async (bare) => {
    const url = await bare.call<string>('bareHttp', { body: created.body, contentType: 'application/json', parseBody: true });
    return withServerCpu(bare, () => cannon({
      url, method: 'POST', connections: sizes.connections, seconds: sizes.seconds,
      body: JSON.stringify(generatedPod('bench')), headers: { 'content-type': 'application/json' },
    }));
  });
}

/**
 * Creates in memory (beside a bare server's ceiling, which shows how fast this machine is today: the
 * target itself is absolute), then with --data-dir against that in-memory figure. Controllers are off:
 * only the API is measured.
 */
export async function creates(sizes: Sizes, progress: Progress): Promise<Row[]> {
  progress(`create: bare node:http reading and parsing the POST body, ${sizes.connections} connections, ${sizes.seconds}s`);
  const bare = await bareCreateRate(sizes);
  progress(`create: POST pods in memory, ${sizes.connections} connections, ${sizes.seconds}s (controllers off)`);
  const mem = await createRate(sizes, false);
  progress(`durable: POST pods with a data dir, ${sizes.connections} connections, ${sizes.seconds}s`);
  const disk = await createRate(sizes, true);
  return [
    row({
      id: 'create', figure: `create pods (${sizes.connections} conns)`, value: mem.perSecond, unit: 'pods/s',
      reference: { label: 'bare node:http parsing the body', value: bare.perSecond },
      target: { on: 'value', op: '>=', limit: 3000 }, targetText: '≥ 3,000/s',
      note: `controllers off (API only); server CPU ${cpuUs(mem)} per create (bare ${cpuUs(bare)}); p99 ${mem.p99Ms} ms; ${mem.failed} failed`,
    }),
    row({
      id: 'durable', figure: `durable creates (${sizes.connections} conns)`, value: disk.perSecond, unit: 'pods/s',
      reference: { label: 'in-memory creates', value: mem.perSecond },
      target: { on: 'ratio', op: '>=', limit: 0.3 }, targetText: '≥ 0.3 × memory',
      note: `--data-dir in a temporary directory; server CPU ${cpuUs(disk)} per create; p99 ${disk.p99Ms} ms; ${disk.failed} failed`,
    }),
  ];
}

const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export async function lists(sizes: Sizes, progress: Progress): Promise<Row[]> {
  return withWorker(async (km) => {
    const urls = await km.call<Urls>('kubemock', { controllers: false, dns: false, grpc: false });
    progress(`list: storing ${sizes.listPods.toLocaleString('en-US')} pods`);
    await km.call('seedPods', { namespace: 'bench', count: sizes.listPods });
    const url = `${urls.api}/api/v1/namespaces/bench/pods`;
    const timeList = async (accept: string, expectKind: string): Promise<{ cold: number; warm: number; bytes: number }> => {
      const runs: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 6; i++) {
        const r = await httpRequest(url, { headers: { accept } });
        const parsed = JSON.parse(r.body) as { kind: string; items?: unknown[]; rows?: unknown[] };
        const n = (parsed.items ?? parsed.rows ?? []).length;
        if (r.status !== 200 || parsed.kind !== expectKind || n !== sizes.listPods) throw new Error(`list ${accept}: ${r.status} ${parsed.kind} ${n}`);
        runs.push(r.ms);
        bytes = r.body.length;
      }
      return { cold: runs[0], warm: median(runs.slice(1)), bytes };
    };
    progress('list: JSON, 1 cold + 5 warm');
    const json = await timeList('application/json', 'PodList');
    progress('list: Table, 1 cold + 5 warm');
    const table = await timeList(tableAccept, 'Table');
    const n = sizes.listPods.toLocaleString('en-US');
    return [
      row({
        id: 'list-json', figure: `list ${n} pods, JSON`, value: json.warm, unit: 'ms',
        target: { on: 'value', op: '<=', limit: 150 }, targetText: '≤ 150 ms',
        note: `median of 5 after a first (cold) ${Math.round(json.cold)} ms; ${(json.bytes / 1e6).toFixed(1)} MB`,
      }),
      row({
        id: 'list-table', figure: `list ${n} pods, Table`, value: table.warm, unit: 'ms',
        target: { on: 'value', op: '<=', limit: 250 }, targetText: '≤ 250 ms',
        note: `as kubectl get asks; median of 5 after a first (cold) ${Math.round(table.cold)} ms; ${(table.bytes / 1e6).toFixed(1)} MB`,
      }),
    ];
  });
}
