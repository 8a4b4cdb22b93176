// How much kubemock allocates, and where, under the sampling heap profiler keeping the objects the GC
// has already collected:
//   node --import tsx bench/repro/garbage.ts create [creates]   in-process pod creates of a freshly
//                                                                parsed body, as REST makes them
//   node --import tsx bench/repro/garbage.ts rollout            a 1,000-pod Parallel StatefulSet roll-out
//                                                                (the bench's settings) to readyReplicas
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { startKubemock, type RunningKubemock } from '../../server/cli/cluster.js';
import type { KubeObject } from '../../server/meta/types.js';
import { generatedPod, statefulSet } from '../lib/fixtures.js';

interface SampleNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children?: SampleNode[] }

async function sampled(run: () => Promise<void>): Promise<SampleNode> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  // includeObjectsCollectedBy* are V8 options the inspector's typings do not list yet
  await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  await run();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync('/tmp/kubemock-garbage.heapprofile', JSON.stringify(profile));
  return profile.head as unknown as SampleNode;
}

function report(head: SampleNode, per: number, unit: string): void {
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: SampleNode): void => {
    const site = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children ?? []) walk(child);
  };
  walk(head);
  console.log(`${Math.round(total / per).toLocaleString('en-US')} B allocated ${unit}; profile in /tmp/kubemock-garbage.heapprofile`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${String(Math.round(bytes / per)).padStart(11)}  ${site}`);
}

async function creates(km: RunningKubemock, n: number): Promise<void> {
  await km.registry.create(km.registry.ref('', 'namespaces'), '', { metadata: { name: 'bench' } });
  const ref = km.registry.ref('', 'pods');
  const text = JSON.stringify(generatedPod('bench'));
  const create = () => km.registry.create(ref, 'bench', JSON.parse(text), { fieldManager: 'autocannon', warnings: [], duplicateFields: [] });
  for (let i = 0; i < 3000; i++) await create();
  report(await sampled(async () => { for (let i = 0; i < n; i++) await create(); }), n, `per create (${n} creates)`);
}

async function rollout(km: RunningKubemock): Promise<void> {
  await km.registry.create(km.registry.ref('', 'namespaces'), '', { metadata: { name: 'sts' } });
  const ref = km.registry.ref('apps', 'statefulsets');
  const head = await sampled(() => new Promise<void>((resolve) => {
    const w = km.registry.watch(ref, 'sts', { resourceVersion: String(km.registry.storage.currentResourceVersion()) }, (e) => {
      if ((e.type === 'ADDED' || e.type === 'MODIFIED') && ((e.object as KubeObject & StatefulSet).status?.readyReplicas ?? 0) >= 1000) {
        w.stop();
        resolve();
      }
    });
    void km.registry.create(ref, 'sts', statefulSet('sts', 'web', 1000, 'Parallel'));
  }));
  report(head, 1, 'in the roll-out');
}

const mode = process.argv[2] ?? 'create';
const km = await startKubemock(mode === 'rollout'
  ? { port: 0, host: '127.0.0.1', logLevel: 'silent', dns: { port: 0 }, grpcPort: null, controllers: { podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, nodes: 11 } }
  : { port: 0, host: '127.0.0.1', logLevel: 'silent', dns: { port: null }, grpcPort: null, controllers: { enabled: false } });
if (mode === 'rollout') await rollout(km);
else await creates(km, Number(process.argv[3] ?? 5000));
await km.stop();
process.exit(0);
