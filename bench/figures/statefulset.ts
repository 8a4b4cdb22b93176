/** StatefulSet roll-out with zero pod delays: create to status.readyReplicas = replicas. */
import { withWorker } from '../lib/child.js';
import { row, type Progress, type Row, type Sizes } from '../lib/figure.js';

async function rollOut(replicas: number, policy: 'Parallel' | 'OrderedReady'): Promise<{ ms: number; ready: number; nodes: number }> {
  // 110 pods fit on a node, as on a kubelet with default maxPods.
  const nodes = Math.ceil(replicas / 100) + 1;
  return withWorker(async (km) => {
    await km.call('kubemock', { controllers: true, nodes, grpc: false });
    const r = await km.call<{ ms: number; ready: number }>('statefulSetReady', { replicas, policy, timeoutMs: 60_000 });
    return { ...r, nodes };
  });
}

export async function statefulSets(sizes: Sizes, progress: Progress): Promise<Row[]> {
  const out: Row[] = [];
  for (const [replicas, policy] of [[sizes.stsParallel, 'Parallel'], [sizes.stsOrdered, 'OrderedReady']] as const) {
    progress(`StatefulSet: ${replicas} replicas ${policy}, zero delays`);
    const r = await rollOut(replicas, policy);
    out.push(row({
      id: `sts-${policy.toLowerCase()}`, figure: `StatefulSet ${replicas.toLocaleString('en-US')} ${policy}`, value: r.ms, unit: 'ms',
      target: { on: 'value', op: '<=', limit: 2000 }, targetText: '≤ 2 s',
      note: Number.isFinite(r.ms) ? `create to readyReplicas=${replicas}; ${r.nodes} nodes, all controllers on, DNS on` : `timed out at ${r.ready} ready`,
    }));
  }
  return out;
}
