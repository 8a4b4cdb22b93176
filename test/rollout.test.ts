import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk, tableRows } from './helpers/kubectl.js';

const web = (replicas: number, image: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
  spec: {
    serviceName: 'web', replicas, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } },
    ...extra,
  },
});

async function images(c: TestCluster): Promise<Record<string, string>> {
  const out = await kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image}{"\\n"}{end}']);
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => l.split('=') as [string, string]));
}

/** Issue 3, item 3, with kubectl's rollout commands against the controller. */
describe('StatefulSet updates through kubectl rollout', () => {
  let c: TestCluster;
  const deletions: string[] = [];
  before(async () => {
    c = await startTestCluster({ controllers: { podStartDelayMs: 20, podReadyDelayMs: 20, podStopDelayMs: 20 } });
    c.registry.watch(c.registry.ref('', 'pods'), 'default', {}, (e) => {
      if (e.type === 'DELETED') deletions.push((e.object as unknown as Pod).metadata!.name!);
    });
  });
  after(async () => {
    await c.stop();
  });

  it('rollout status waits for the set; a template change replaces pods from the highest ordinal down', async () => {
    await kubectlOk(c, ['apply', '-f', '-'], { stdin: web(3, 'nginx:1.25') });
    assert.match(await kubectlOk(c, ['rollout', 'status', 'statefulset/web', '--timeout=60s']), /roll out complete|partitioned roll out complete/);
    deletions.length = 0;
    await kubectlOk(c, ['set', 'image', 'statefulset/web', 'nginx=nginx:1.26']);
    assert.match(await kubectlOk(c, ['rollout', 'status', 'statefulset/web', '--timeout=60s']), /roll out complete/);
    assert.deepEqual(deletions.slice(0, 3), ['web-2', 'web-1', 'web-0']);
    assert.deepEqual(await images(c), { 'web-0': 'nginx:1.26', 'web-1': 'nginx:1.26', 'web-2': 'nginx:1.26' });
  });

  it('rollout history lists the revisions; rollout undo returns to the previous one', async () => {
    const history = tableRows(await kubectlOk(c, ['rollout', 'history', 'statefulset/web']));
    assert.deepEqual(history.slice(-2).map((r) => r[0]), ['1', '2']);
    await kubectlOk(c, ['rollout', 'undo', 'statefulset/web']);
    assert.match(await kubectlOk(c, ['rollout', 'status', 'statefulset/web', '--timeout=60s']), /roll out complete/);
    assert.deepEqual(await images(c), { 'web-0': 'nginx:1.25', 'web-1': 'nginx:1.25', 'web-2': 'nginx:1.25' });
    const revisions = tableRows(await kubectlOk(c, ['rollout', 'history', 'statefulset/web'])).slice(2).map((r) => r[0]);
    assert.deepEqual(revisions, ['2', '3'], 'the undo reuses revision 1 as revision 3');
  });

  it('partition=1 keeps web-0 on the old revision', async () => {
    await kubectlOk(c, ['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1}}}}']);
    await kubectlOk(c, ['set', 'image', 'statefulset/web', 'nginx=nginx:1.27']);
    assert.match(await kubectlOk(c, ['rollout', 'status', 'statefulset/web', '--timeout=60s']), /partitioned roll out complete: 2 new pods have been updated/);
    assert.deepEqual(await images(c), { 'web-0': 'nginx:1.25', 'web-1': 'nginx:1.27', 'web-2': 'nginx:1.27' });
  });

  it('rollout restart replaces every pod', async () => {
    await kubectlOk(c, ['patch', 'statefulset', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
    const before = await kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.uid}']);
    await kubectlOk(c, ['rollout', 'restart', 'statefulset/web']);
    assert.match(await kubectlOk(c, ['rollout', 'status', 'statefulset/web', '--timeout=60s']), /roll out complete/);
    const after = await kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.uid}']);
    for (const uid of before.split(' ')) assert.ok(!after.includes(uid), 'every pod was replaced');
  });

  it('OnDelete only replaces pods the user deletes', async () => {
    await kubectlOk(c, ['patch', 'statefulset', 'web', '--type=merge', '-p', '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}']);
    await kubectlOk(c, ['set', 'image', 'statefulset/web', 'nginx=nginx:1.28']);
    await c.controllersIdle();
    const imgs = await images(c);
    assert.ok(Object.values(imgs).every((i) => i !== 'nginx:1.28'), 'no pod replaced by the controller');
    // --wait=false: with zero stop delay the replacement can exist before kubectl's wait lists by name (README, pod lifecycle)
    await kubectlOk(c, ['delete', 'pod', 'web-1', '--wait=false']);
    await eventually(async () => ((await images(c))['web-1'] === 'nginx:1.28' ? true : undefined), 20_000, 'web-1 back at the new revision');
    const after = await images(c);
    assert.notEqual(after['web-0'], 'nginx:1.28');
    assert.notEqual(after['web-2'], 'nginx:1.28');
    const r = await kubectl(c, ['get', 'sts', 'web', '-o', 'jsonpath={.status.updatedReplicas}']);
    assert.equal(r.stdout, '1');
  });
});
