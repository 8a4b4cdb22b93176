/**
 * kubectl 1.32+ creates the pods of `kubectl debug POD --copy-to` and `kubectl debug node/NAME` through its typed
 * clientset, so the Pod body arrives as application/vnd.kubernetes.protobuf. These run the real kubectl of those minors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk } from './helpers/kubectl.js';

for (const minor of [32, 33]) {
  describe(`kubectl 1.${minor} debug creates pods with protobuf bodies`, () => {
    let c: TestCluster;
    const getPod = async (name: string): Promise<Pod> => JSON.parse(await kubectlOk(c, ['get', 'pod', name, '-o', 'json'])) as Pod;
    const running = (name: string) => eventually(async () => {
      const p = await getPod(name);
      return p.status?.phase === 'Running' ? p : undefined;
    }, 20_000, `${name} Running`);

    before(async () => {
      c = await startTestCluster({ kubernetesMinor: minor });
    });
    after(async () => {
      await c.stop();
    });

    it(`runs kubectl 1.${minor}`, async () => {
      const v = JSON.parse(await kubectlOk(c, ['version', '-o', 'json'])) as { clientVersion: { minor: string } };
      assert.equal(parseInt(v.clientVersion.minor, 10), minor);
    });

    it('debug --copy-to copies the pod with the debug container added, and the copy runs', async () => {
      await kubectlOk(c, ['run', 'target', '--image=nginx']);
      await running('target');
      const r = await kubectl(c, ['debug', 'target', '--copy-to=target-copy', '--image=busybox', '--container=dbg', '--', 'sleep', '3600']);
      assert.equal(r.code, 0, r.stderr);
      const copy = await getPod('target-copy');
      assert.deepEqual(copy.spec?.containers.map((k) => ({ name: k.name, image: k.image, command: k.command })), [
        { name: 'target', image: 'nginx', command: undefined },
        { name: 'dbg', image: 'busybox', command: ['sleep', '3600'] },
      ]);
      assert.equal(copy.metadata?.labels, undefined, 'without --keep-labels kubectl drops the original\'s labels');
      const ran = await running('target-copy');
      assert.deepEqual(ran.status?.containerStatuses?.map((s) => [s.name, Boolean(s.state?.running)]).sort(), [['dbg', true], ['target', true]]);
    });

    it('debug node/NAME creates a host-namespaced pod on that node with / mounted at /host, and it runs', async () => {
      const node = (await kubectlOk(c, ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      assert.ok(node, 'the cluster has a node');
      const r = await kubectl(c, ['debug', `node/${node}`, '--image=busybox', '--', 'sleep', '3600']);
      assert.equal(r.code, 0, r.stderr);
      const list = JSON.parse(await kubectlOk(c, ['get', 'pods', '-o', 'json'])) as { items: Pod[] };
      const pattern = new RegExp(`^node-debugger-${node.replace(/[.]/g, '\\.')}-[a-z0-9]{5}$`);
      const debuggers = list.items.filter((p) => pattern.test(p.metadata?.name ?? ''));
      assert.equal(debuggers.length, 1, `one node debugger pod among ${list.items.map((p) => p.metadata?.name).join(', ')}`);
      const pod = debuggers[0];
      const spec = pod.spec!;
      assert.equal(spec.nodeName, node);
      // the legacy profile shares the node's network, PID and IPC namespaces
      assert.deepEqual([spec.hostNetwork, spec.hostPID, spec.hostIPC], [true, true, true]);
      const hostVolume = spec.volumes?.find((v) => v.hostPath?.path === '/');
      assert.ok(hostVolume, `a hostPath volume for /: ${JSON.stringify(spec.volumes)}`);
      // (the service account admission adds its token mount beside kubectl's)
      assert.deepEqual(spec.containers.map((k) => ({ image: k.image, command: k.command, mounts: k.volumeMounts?.filter((m) => m.name === hostVolume.name).map((m) => m.mountPath) })), [
        { image: 'busybox', command: ['sleep', '3600'], mounts: ['/host'] },
      ]);
      assert.deepEqual(spec.tolerations, [{ operator: 'Exists' }]);
      await running(pod.metadata!.name!);
    });
  });
}
