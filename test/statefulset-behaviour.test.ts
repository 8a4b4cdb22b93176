import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { recordPodOrder } from './helpers/pod-order.js';
import { eventually, kubectl, kubectlOk, podNames, readyReplicas } from './helpers/kubectl.js';

function set(name: string, replicas: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      serviceName: name, replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
      ...extra,
    },
  });
}

async function admin(c: TestCluster, path: string): Promise<void> {
  const res = await fetch(`${c.urls.api}/kubemock/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200, await res.text());
}

/** Issue 3, items 2 and 4: ordering, halting, parallel bursts, and pods that come back with their storage. */
describe('StatefulSet behaviour against failures', () => {
  let c: TestCluster;
  let events: string[] = [];
  before(async () => {
    c = await startTestCluster({ controllers: { podStartDelayMs: 30, podReadyDelayMs: 30, podStopDelayMs: 30 } });
    events = recordPodOrder(c, { deleted: true });
  });
  after(async () => {
    await c.stop();
  });

  it('OrderedReady halts while a lower ordinal is unready and resumes when it is ready', async () => {
    await kubectlOk(c, ['apply', '-f', '-'], { stdin: set('ord', 1) });
    await eventually(async () => ((await readyReplicas(c, 'ord')) === 1 ? true : undefined), 20_000, 'ord-0 ready');
    await admin(c, 'namespaces/default/pods/ord-0/unready');
    await eventually(async () => ((await readyReplicas(c, 'ord')) === 0 ? true : undefined), 20_000, 'ord-0 unready');
    await kubectlOk(c, ['scale', 'sts', 'ord', '--replicas=3']);
    await c.controllersIdle();
    assert.deepEqual(await podNames(c, 'ord'), ['ord-0'], 'no new pod while ord-0 is unready');
    await admin(c, 'namespaces/default/pods/ord-0/ready');
    await eventually(async () => ((await podNames(c, 'ord')).length === 3 ? true : undefined), 20_000, 'ord-1 and ord-2 created');
    assert.ok(events.indexOf('ready ord-1') < events.indexOf('added ord-2'), events.join(', '));
  });

  it('scale-down removes the highest ordinal first, one at a time', async () => {
    await eventually(async () => ((await readyReplicas(c, 'ord')) === 3 ? true : undefined), 20_000, 'three ready');
    const start = events.length;
    await kubectlOk(c, ['scale', 'sts', 'ord', '--replicas=0']);
    await eventually(async () => ((await podNames(c, 'ord')).length === 0 ? true : undefined), 20_000, 'all gone');
    const deleted = events.slice(start).filter((e) => e.startsWith('deleted'));
    assert.deepEqual(deleted, ['deleted ord-2', 'deleted ord-1', 'deleted ord-0']);
    assert.equal((await kubectlOk(c, ['get', 'pvc', '-o', 'name'])).split('\n').filter((l) => l.includes('data-ord-')).length, 3, 'claims survive scale-down');
  });

  it('Parallel creates every pod at once', async () => {
    const start = events.length;
    await kubectlOk(c, ['apply', '-f', '-'], { stdin: set('par', 3, { podManagementPolicy: 'Parallel' }) });
    await eventually(async () => ((await readyReplicas(c, 'par')) === 3 ? true : undefined), 20_000, 'par ready');
    const mine = events.slice(start).filter((e) => e.includes('par-'));
    const firstReady = mine.findIndex((e) => e.startsWith('ready'));
    assert.equal(mine.slice(0, firstReady).filter((e) => e.startsWith('added')).length, 3, mine.join(', '));
  });

  it('a deleted pod comes back with the same name and claim', async () => {
    const uid = await kubectlOk(c, ['get', 'pod', 'par-1', '-o', 'jsonpath={.metadata.uid}']);
    // --wait=false: a short stop delay lets the replacement exist before kubectl's wait lists by name (README, pod lifecycle)
    await kubectlOk(c, ['delete', 'pod', 'par-1', '--wait=false']);
    await eventually(async () => {
      const r = await kubectl(c, ['get', 'pod', 'par-1', '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 && r.stdout && r.stdout !== uid ? true : undefined;
    }, 20_000, 'par-1 recreated');
    assert.equal(await kubectlOk(c, ['get', 'pod', 'par-1', '-o', 'jsonpath={.spec.volumes[0].persistentVolumeClaim.claimName}']), 'data-par-1');
  });

  it('a crashed node: the pod comes back elsewhere with the same name and storage', async () => {
    const node = await kubectlOk(c, ['get', 'pod', 'par-2', '-o', 'jsonpath={.spec.nodeName}']);
    const volume = await kubectlOk(c, ['get', 'pvc', 'data-par-2', '-o', 'jsonpath={.spec.volumeName}']);
    await admin(c, `nodes/${node}/crash`);
    const moved = await eventually(async () => {
      const r = await kubectl(c, ['get', 'pod', 'par-2', '-o', 'jsonpath={.spec.nodeName} {.status.phase}']);
      const [n, phase] = r.stdout.split(' ');
      return r.code === 0 && n && n !== node && phase === 'Running' ? n : undefined;
    }, 30_000, 'par-2 running on another node');
    assert.notEqual(moved, node);
    assert.equal(await kubectlOk(c, ['get', 'pvc', 'data-par-2', '-o', 'jsonpath={.spec.volumeName}']), volume);
  });

  it('kubectl delete statefulset keeps claims by default; whenDeleted=Delete removes them', async () => {
    await kubectlOk(c, ['delete', 'sts', 'par']);
    await eventually(async () => ((await podNames(c, 'par')).length === 0 ? true : undefined), 20_000, 'par pods gone');
    assert.match(await kubectlOk(c, ['get', 'pvc', 'data-par-0']), /data-par-0/);
    await kubectlOk(c, ['apply', '-f', '-'], { stdin: set('gone', 2, { podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }) });
    await eventually(async () => ((await readyReplicas(c, 'gone')) === 2 ? true : undefined), 20_000, 'gone ready');
    await kubectlOk(c, ['delete', 'sts', 'gone']);
    await eventually(async () => {
      const out = await kubectlOk(c, ['get', 'pvc', '-o', 'name']);
      return out.includes('data-gone-') ? undefined : true;
    }, 20_000, 'claims of gone deleted');
  });
});
