/** Watch fan-out: many HTTP watch streams, a steady stream of writes, every event counted and timed. */
import { get, type ClientRequest } from 'node:http';
import { withWorker } from '../lib/child.js';
import { row, type Progress, type Row, type Sizes } from '../lib/figure.js';
import { epochMs, percentile } from '../lib/stats.js';

interface Watcher { req: ClientRequest; received: number }

const stampKey = '"bench/t":"';

function openWatch(url: string, delays: Float64Array, counter: { n: number }): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const w: Watcher = { req: undefined as unknown as ClientRequest, received: 0 };
    w.req = get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch: ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let carry = '';
      res.on('data', (chunk: string) => {
        const now = epochMs();
        const text = carry + chunk;
        let start = 0;
        for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
          // Only the write stamp is read: parsing 2 million events whole would time the bench, not kubemock.
          const at = text.indexOf(stampKey, start);
          if (at !== -1 && at < nl) {
            const from = at + stampKey.length;
            delays[counter.n++] = now - Number(text.slice(from, text.indexOf('"', from)));
            w.received++;
          }
          start = nl + 1;
        }
        carry = text.slice(start);
      });
      res.on('error', () => undefined);
      resolve(w);
    });
    w.req.on('error', reject);
  });
}

export async function watchFanOut(sizes: Sizes, progress: Progress): Promise<Row[]> {
  return withWorker(async (km) => {
    const urls = await km.call<{ api: string }>('kubemock', { controllers: false, dns: false, grpc: false });
    await km.call('seedPods', { namespace: 'watch', count: 0 });
    progress(`watch: opening ${sizes.watchers} watch streams`);
    const url = `${urls.api}/api/v1/namespaces/watch/pods?watch=1&timeoutSeconds=600`;
    const delays = new Float64Array(sizes.watchers * sizes.watchChanges);
    const counter = { n: 0 };
    const watchers: Watcher[] = [];
    for (let i = 0; i < sizes.watchers; i++) watchers.push(await openWatch(url, delays, counter));
    const expected = sizes.watchers * sizes.watchChanges;
    progress(`watch: ${sizes.watchChanges.toLocaleString('en-US')} pod creates at ${sizes.watchPerSecond}/s to ${sizes.watchers} watchers`);
    const cpuBefore = await km.call<number>('cpu');
    const churn = await km.call<{ ms: number }>('churnPods', { namespace: 'watch', count: sizes.watchChanges, perSecond: sizes.watchPerSecond });
    const deadline = epochMs() + 30_000;
    while (counter.n < expected && epochMs() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Server CPU per delivered event, the pod creates included: comparable across loads of the machine.
    const cpuUs = ((await km.call<number>('cpu')) - cpuBefore) / Math.max(1, counter.n);
    for (const w of watchers) w.req.destroy();
    const lost = expected - counter.n;
    const p99 = percentile(delays.subarray(0, counter.n), 99);
    return [row({
      id: 'watch', figure: `watch fan-out (${sizes.watchers} × ${sizes.watchChanges.toLocaleString('en-US')})`, value: p99, unit: 'ms p99',
      lost,
      target: { on: 'value', op: '<=', limit: 50 }, targetText: '0 lost, ≤ 50 ms',
      note: `${lost} of ${expected.toLocaleString('en-US')} events lost; writes at ${sizes.watchPerSecond}/s took ${(churn.ms / 1000).toFixed(1)} s; p50 ${percentile(delays.subarray(0, counter.n), 50).toFixed(1)} ms; server CPU ${cpuUs.toFixed(1)} µs per delivered event`,
    })].map((r) => (lost > 0 ? { ...r, pass: false } : r));
  });
}
