// Reproduction of the StatefulSet figure, in-process so --cpu-prof sees the whole server:
//   node --cpu-prof --cpu-prof-dir=/tmp/stsprof --import tsx bench/repro/statefulset.ts [replicas] [Parallel|OrderedReady]
// Same settings as bench/worker.ts (zero pod delays, all controllers, DNS on, nodes = replicas/100 + 1).
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { startKubemock } from '../../server/cli/cluster.js';
import type { KubeObject } from '../../server/meta/types.js';
import { statefulSet } from '../lib/fixtures.js';
import { WorkQueue } from '../../server/controllers/runtime.js';

// REPRO_COUNT=1: how many reconciles each queue ran and the wall time spent inside them.
const counts = new Map<string, { n: number; ms: number }>();
if (process.env.REPRO_COUNT) {
  const proto = WorkQueue.prototype as unknown as { process(key: string): Promise<void>; opts: { name: string } };
  const orig = proto.process;
  proto.process = async function (this: typeof proto, key: string) {
    const c = counts.get(this.opts.name) ?? { n: 0, ms: 0 };
    counts.set(this.opts.name, c);
    c.n++;
    const t = performance.now();
    try { return await orig.call(this, key); } finally { c.ms += performance.now() - t; }
  };
}

const replicas = Number(process.argv[2] ?? 1000);
const policy = (process.argv[3] ?? 'Parallel') as 'Parallel' | 'OrderedReady';
const km = await startKubemock({
  port: 0, host: '127.0.0.1', logLevel: 'silent', dns: { port: 0 }, grpcPort: null,
  controllers: { podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, nodes: Math.ceil(replicas / 100) + 1 },
});
await km.registry.create(km.registry.ref('', 'namespaces'), '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sts' } });
// REPRO_COUNT=1 also counts registry writes by verb and resource.
const writes = new Map<string, number>();
if (process.env.REPRO_COUNT) {
  const reg = km.registry as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const verb of ['create', 'update', 'patch', 'delete'] as const) {
    const orig = reg[verb].bind(km.registry);
    reg[verb] = (ref: unknown, ...rest: unknown[]) => {
      const sub = verb === 'update' && rest[4] ? `/${rest[4]}` : verb === 'patch' && rest[5] ? `/${rest[5]}` : '';
      const k = `${verb} ${(ref as { info: { resource: string } }).info.resource}${sub}`;
      writes.set(k, (writes.get(k) ?? 0) + 1);
      return orig(ref, ...rest);
    };
  }
}
const ref = km.registry.ref('apps', 'statefulsets');
// REPRO_SERVICE=1: also a headless Service selecting the pods (the bench figure has none).
if (process.env.REPRO_SERVICE) {
  await km.registry.create(km.registry.ref('', 'services'), 'sts', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: `web-${policy.toLowerCase()}`, namespace: 'sts' },
    spec: { clusterIP: 'None', selector: { app: `web-${policy.toLowerCase()}` }, ports: [{ name: 'http', port: 80 }] },
  });
}
const name = `web-${policy.toLowerCase()}`;
const start = performance.now();
const c0 = process.cpuUsage();
const ms = await new Promise<number>((resolve) => {
  const timer = setTimeout(() => resolve(NaN), 120_000);
  const w = km.registry.watch(ref, 'sts', { resourceVersion: String(km.registry.storage.currentResourceVersion()) }, (e) => {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
    const sts = e.object as KubeObject & StatefulSet;
    if (sts.metadata.name !== name) return;
    if ((sts.status?.readyReplicas ?? 0) >= replicas) {
      clearTimeout(timer);
      w.stop();
      resolve(performance.now() - start);
    }
  });
  void km.registry.create(ref, 'sts', statefulSet('sts', name, replicas, policy));
});
const c = process.cpuUsage(c0);
console.log(`${replicas} ${policy}: ${ms.toFixed(0)} ms wall, ${((c.user + c.system) / 1000).toFixed(0)} ms cpu`);
if (counts.size) for (const [k, v] of counts) console.log(`  ${k}: ${v.n} reconciles, ${v.ms.toFixed(0)} ms inside (incl. awaits)`);
if (writes.size) console.log('  writes:', [...writes].map(([k, n]) => `${k}=${n}`).join(', '));
await km.stop();
process.exit(0);
