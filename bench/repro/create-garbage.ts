// How much a pod create allocates, and where: in-process creates of a freshly parsed body (as REST
// makes them) under the sampling heap profiler, keeping the objects the GC has already collected.
//   node --import tsx bench/repro/create-garbage.ts [creates]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startKubemock } from '../../server/cli/cluster.js';
import { generatedPod } from '../lib/fixtures.js';

interface SampleNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children?: SampleNode[] }

const km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', dns: { port: null }, grpcPort: null, controllers: { enabled: false } });
await km.registry.create(km.registry.ref('', 'namespaces'), '', { metadata: { name: 'bench' } });
const ref = km.registry.ref('', 'pods');
const text = JSON.stringify(generatedPod('bench'));
const create = () => km.registry.create(ref, 'bench', JSON.parse(text), { fieldManager: 'autocannon', warnings: [], duplicateFields: [] });
for (let i = 0; i < 3000; i++) await create();
const n = Number(process.argv[2] ?? 5000);
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
// includeObjectsCollectedBy* are V8 options the inspector's typings do not list yet
await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
for (let i = 0; i < n; i++) await create();
const { profile } = await session.post('HeapProfiler.stopSampling');
writeFileSync('/tmp/create-garbage.heapprofile', JSON.stringify(profile));
const bySite = new Map<string, number>();
let total = 0;
const walk = (node: SampleNode): void => {
  const site = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber}`;
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  total += node.selfSize;
  for (const child of node.children ?? []) walk(child);
};
walk(profile.head as unknown as SampleNode);
console.log(`${Math.round(total / n)} B allocated per create (${n} creates); profile in /tmp/create-garbage.heapprofile`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${String(Math.round(bytes / n)).padStart(7)}  ${site}`);
await km.stop();
