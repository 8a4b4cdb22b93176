// Micro-benchmark of one StatefulSet sync's pure part (planStatefulSet) over a rolled-out set:
//   node --import tsx bench/repro/statefulset-plan.ts [replicas] [iterations]
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { startKubemock } from '../../server/cli/cluster.js';
import { planStatefulSet } from '../../server/controllers/statefulset-plan.js';
import type { PodObject, RevisionObject, StatefulSetObject } from '../../server/controllers/statefulset-utils.js';
import type { KubeObject } from '../../server/meta/types.js';
import { statefulSet } from '../lib/fixtures.js';

const replicas = Number(process.argv[2] ?? 200);
const iterations = Number(process.argv[3] ?? 500);
const km = await startKubemock({
  port: 0, host: '127.0.0.1', logLevel: 'silent', dns: { port: null }, grpcPort: null,
  controllers: { podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, nodes: Math.ceil(replicas / 100) + 1 }, containers: 'instant',
});
await km.registry.create(km.registry.ref('', 'namespaces'), '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sts' } });
const ref = km.registry.ref('apps', 'statefulsets');
await new Promise<void>((resolve) => {
  const w = km.registry.watch(ref, 'sts', { resourceVersion: String(km.registry.storage.currentResourceVersion()) }, (e) => {
    if ((e.type === 'ADDED' || e.type === 'MODIFIED') && ((e.object as KubeObject & StatefulSet).status?.readyReplicas ?? 0) >= replicas) {
      w.stop();
      resolve();
    }
  });
  void km.registry.create(ref, 'sts', statefulSet('sts', 'web', replicas, 'OrderedReady'));
});
await km.controllersIdle();
const set = km.informers.for<StatefulSetObject>('apps', 'statefulsets').get('sts', 'web')!;
const pods = km.informers.for<PodObject>('', 'pods').list('sts');
const revisions = km.informers.for<RevisionObject>('apps', 'controllerrevisions').list('sts');
const input = { set, pods, revisions, claims: new Map(), namespaceRevisions: new Map(revisions.map((r) => [r.metadata.name ?? '', r])), now: Date.now() };
for (let i = 0; i < 50; i++) planStatefulSet(input);
const t = performance.now();
let actions = 0;
for (let i = 0; i < iterations; i++) actions += planStatefulSet(input).actions.length;
const ms = (performance.now() - t) / iterations;
console.log(`planStatefulSet over ${pods.length} pods: ${(ms * 1000).toFixed(0)} µs per sync (${(ms * 1e6 / pods.length).toFixed(0)} ns per pod), ${actions / iterations} actions`);
await km.stop();
process.exit(0);
