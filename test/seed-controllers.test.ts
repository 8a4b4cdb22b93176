import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recordPodOrder } from './helpers/pod-order.js';
import { seedDir } from './helpers/seed.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk, tableRows } from './helpers/kubectl.js';

const seed = seedDir;

/** Issue 3, item 1: the seed chapter's cluster-side steps, checked with kubectl as the chapter shows them. */
describe('the seed walkthrough, control-plane side', () => {
  let c: TestCluster;
  let order: string[] = [];
  before(async () => {
    c = await startTestCluster({ controllers: { podStartDelayMs: 50, podReadyDelayMs: 50, podStopDelayMs: 200 } });
    order = recordPodOrder(c);
  });
  after(async () => {
    await c.stop();
  });

  it('creates terra10-0, then terra10-1 once terra10-0 is ready; both 2/2 Running', async () => {
    await kubectlOk(c, ['create', '-f', join(seed, 'terra10-service-headless.yaml')]);
    await kubectlOk(c, ['create', '-f', join(seed, 'terra10-statefulset.yaml')]);
    const rows = await eventually(async () => {
      const r = tableRows(await kubectlOk(c, ['get', 'pod']));
      return r.length === 3 && r.slice(1).every((row) => row[1] === '2/2' && row[2] === 'Running') ? r : undefined;
    }, 20_000, 'both pods 2/2 Running');
    assert.deepEqual(rows[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 4)), [['terra10-0', '2/2', 'Running', '0'], ['terra10-1', '2/2', 'Running', '0']]);
    assert.ok(order.indexOf('ready terra10-0') >= 0 && order.indexOf('ready terra10-0') < order.indexOf('added terra10-1'), `OrderedReady: ${order.join(', ')}`);
    const sts = tableRows(await kubectlOk(c, ['get', 'statefulset']));
    assert.deepEqual(sts[1].slice(0, 2), ['terra10', '2/2']);
  });

  it('binds one 1Mi RWO claim per pod to a dynamically provisioned pvc-<uid> volume with reclaim policy Delete', async () => {
    const pvc = await eventually(async () => {
      const r = tableRows(await kubectlOk(c, ['get', 'pvc']));
      return r.length === 3 && r.slice(1).every((row) => row[1] === 'Bound') ? r : undefined;
    }, 20_000, 'claims Bound');
    assert.deepEqual(pvc[0], ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']);
    for (const [i, row] of pvc.slice(1).entries()) {
      const uid = await kubectlOk(c, ['get', 'pvc', `transportlog-terra10-${i}`, '-o', 'jsonpath={.metadata.uid}']);
      assert.deepEqual(row.slice(0, 6), [`transportlog-terra10-${i}`, 'Bound', `pvc-${uid}`, '1Mi', 'RWO', 'standard']);
    }
    const pv = tableRows(await kubectlOk(c, ['get', 'pv']));
    assert.deepEqual(pv[0].slice(0, 7), ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS']);
    const claims = pv.slice(1).map((r) => [r[1], r[2], r[3], r[4], r[5], r[6]]).sort((a, b) => a[4].localeCompare(b[4]));
    assert.deepEqual(claims, [
      ['1Mi', 'RWO', 'Delete', 'Bound', 'default/transportlog-terra10-0', 'standard'],
      ['1Mi', 'RWO', 'Delete', 'Bound', 'default/transportlog-terra10-1', 'standard'],
    ]);
  });

  it('scaling to 1 terminates terra10-1 and keeps its claim; scaling back to 2 reuses the same claim and volume', async () => {
    const volumeBefore = await kubectlOk(c, ['get', 'pvc', 'transportlog-terra10-1', '-o', 'jsonpath={.spec.volumeName}']);
    const edit = await kubectl(c, ['edit', 'statefulset', 'terra10'], { env: { KUBE_EDITOR: "sed -i -e 's/^  replicas: 2$/  replicas: 1/'" } });
    assert.equal(edit.code, 0, edit.stderr);
    const terminating = tableRows(await kubectlOk(c, ['get', 'pod']));
    const one = terminating.find((r) => r[0] === 'terra10-1');
    if (one) assert.equal(one[2], 'Terminating');
    await eventually(async () => {
      const r = tableRows(await kubectlOk(c, ['get', 'pod']));
      return r.length === 2 && r[1][0] === 'terra10-0' ? r : undefined;
    }, 20_000, 'terra10-1 gone');
    assert.match(await kubectlOk(c, ['get', 'pvc', 'transportlog-terra10-1']), /Bound/);

    await kubectlOk(c, ['scale', 'statefulset', 'terra10', '--replicas=2']);
    await eventually(async () => {
      const r = tableRows(await kubectlOk(c, ['get', 'pod']));
      return r.length === 3 && r[2][0] === 'terra10-1' && r[2][2] === 'Running' ? r : undefined;
    }, 20_000, 'terra10-1 back');
    const claimName = await kubectlOk(c, ['get', 'pod', 'terra10-1', '-o', 'jsonpath={.spec.volumes[?(@.name=="transportlog")].persistentVolumeClaim.claimName}']);
    assert.equal(claimName, 'transportlog-terra10-1');
    assert.equal(await kubectlOk(c, ['get', 'pvc', 'transportlog-terra10-1', '-o', 'jsonpath={.spec.volumeName}']), volumeBefore);
  });

  it('kubectl delete statefulset removes the pods and keeps the claims', async () => {
    await kubectlOk(c, ['delete', 'statefulset', 'terra10']);
    await eventually(async () => {
      const r = await kubectl(c, ['get', 'pod', '-o', 'name']);
      return r.stdout.trim() === '' ? true : undefined;
    }, 20_000, 'pods gone');
    const pvcs = tableRows(await kubectlOk(c, ['get', 'pvc'])).slice(1).map((r) => r[0]);
    assert.deepEqual(pvcs, ['transportlog-terra10-0', 'transportlog-terra10-1']);
  });
});
