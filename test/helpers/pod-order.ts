import type { Pod } from 'kubernetes-types/core/v1.js';
import type { TestCluster } from './cluster.js';

export function isPodReady(p: Pod): boolean {
  return !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * "added X" and "ready X" (the first time X turns Ready) in the order the API's own watch saw them in
 * the default namespace; with `unready`, also "unready X" when a ready pod stops being ready; with
 * `deleted`, also "deleted X", after which X's next Ready counts again.
 */
export function recordPodOrder(c: TestCluster, opts: { unready?: boolean; deleted?: boolean } = {}): string[] {
  const order: string[] = [];
  const ready = new Set<string>();
  c.registry.watch(c.registry.ref('', 'pods'), 'default', {}, (e) => {
    if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
    const pod = e.object as unknown as Pod;
    const name = pod.metadata!.name!;
    if (e.type === 'DELETED') {
      if (opts.deleted) {
        order.push(`deleted ${name}`);
        ready.delete(name);
      }
      return;
    }
    if (e.type === 'ADDED') order.push(`added ${name}`);
    if (isPodReady(pod) && !ready.has(name)) {
      ready.add(name);
      order.push(`ready ${name}`);
    }
    if (opts.unready && !isPodReady(pod) && ready.delete(name)) order.push(`unready ${name}`);
  });
  return order;
}
