/** gRPC Get against REST GET of the same object, both from a Node client that decodes the object. */
import { createKubemockGrpcClient } from '../../clients/grpc.js';
import { withWorker } from '../lib/child.js';
import { row, type Progress, type Row, type Sizes } from '../lib/figure.js';
import { closedLoop, httpRequest, withServerCpu } from '../lib/load.js';

export async function grpc(sizes: Sizes, progress: Progress): Promise<Row[]> {
  return withWorker(async (km) => {
    const urls = await km.call<{ api: string; grpc: string }>('kubemock', { controllers: false, dns: false });
    await km.call('seedPods', { namespace: 'bench', count: 1 });
    const url = `${urls.api}/api/v1/namespaces/bench/pods/pod-0`;
    const client = createKubemockGrpcClient(urls.grpc);
    try {
      const first = await client.pods.get('pod-0', { namespace: 'bench' });
      if (first.metadata?.name !== 'pod-0') throw new Error('gRPC get returned the wrong pod');
      progress(`REST GET from a Node client (keep-alive, JSON.parse), ${sizes.connections} in flight, ${sizes.seconds}s`);
      const rest = await withServerCpu(km, () => closedLoop(sizes.connections, sizes.seconds, async () => {
        const r = await httpRequest(url);
        if (r.status !== 200) throw new Error(String(r.status));
        return JSON.parse(r.body) as unknown;
      }));
      progress(`gRPC Get with clients/grpc.ts, ${sizes.connections} in flight, ${sizes.seconds}s`);
      const g = await withServerCpu(km, () => closedLoop(sizes.connections, sizes.seconds, () => client.pods.get('pod-0', { namespace: 'bench' })));
      return [row({
        id: 'grpc', figure: `gRPC Get (${sizes.connections} in flight)`, value: g.perSecond, unit: 'calls/s',
        reference: { label: 'REST GET, Node client', value: rest.perSecond },
        target: { on: 'ratio', op: '>=', limit: 1 }, targetText: '≥ 1 × REST',
        note: `server CPU ${Math.round(g.serverCpuUs ?? NaN)} µs per call (REST ${Math.round(rest.serverCpuUs ?? NaN)} µs); p99 ${g.p99Ms.toFixed(1)} ms (REST ${rest.p99Ms.toFixed(1)} ms); ${g.failed} failed; both clients decode the pod`,
      })];
    } finally {
      client.close();
    }
  });
}
