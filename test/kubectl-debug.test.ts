import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk } from './helpers/kubectl.js';

/** kubectl debug of a running pod: an ephemeral container through pods/ephemeralcontainers, attached. */
describe('kubectl debug adds ephemeral containers to a running pod', () => {
  let c: TestCluster;
  const getPod = async (name: string): Promise<Pod> => JSON.parse(await kubectlOk(c, ['get', 'pod', name, '-o', 'json', '--show-managed-fields'])) as Pod;
  before(async () => {
    c = await startTestCluster();
    await kubectlOk(c, ['run', 'target', '--image=nginx']);
    await eventually(async () => (await getPod('target')).status?.phase === 'Running' || undefined, 15_000, 'target Running');
  });
  after(async () => {
    await c.stop();
  });

  it('discovery lists pods/ephemeralcontainers with get, patch and update', async () => {
    const list = JSON.parse(await kubectlOk(c, ['get', '--raw', '/api/v1'])) as { resources: { name: string; kind: string; verbs: string[] }[] };
    assert.deepEqual(list.resources.find((r) => r.name === 'pods/ephemeralcontainers'), { name: 'pods/ephemeralcontainers', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  });

  it('-i runs the debug container with stdin and shows its output; it ends with its exit code and is not restarted', async () => {
    const r = await kubectl(c, ['debug', 'target', '-i', '--image=busybox', '--container=dbg'], { stdin: 'echo hello from $(hostname); exit 3\n', timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^hello from target$/m);
    const pod = await getPod('target');
    assert.deepEqual(pod.spec?.ephemeralContainers, [{
      name: 'dbg', image: 'busybox', stdin: true, imagePullPolicy: 'Always', resources: {},
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }]);
    const status = pod.status?.ephemeralContainerStatuses?.[0];
    assert.equal(status?.state?.terminated?.exitCode, 3);
    assert.equal(status?.restartCount, 0);
    assert.equal(pod.status?.containerStatuses?.[0].restartCount, 0, 'the pod\'s own container is untouched');
    // kubectl debug names no field manager: the user agent's program name is the manager
    assert.equal(pod.metadata?.managedFields?.find((m) => m.subresource === 'ephemeralcontainers')?.manager, 'kubectl');
  });

  it('without attaching, the container keeps running beside the target, and the pod\'s own containers stay as they were', async () => {
    const r = await kubectl(c, ['debug', 'target', '--image=busybox', '--container=sleeper', '--target=target', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Targeting container "target"/);
    const pod = await eventually(async () => {
      const p = await getPod('target');
      return p.status?.ephemeralContainerStatuses?.find((s) => s.name === 'sleeper')?.state?.running ? p : undefined;
    }, 15_000, 'sleeper running');
    assert.equal(pod.spec?.ephemeralContainers?.find((e) => e.name === 'sleeper')?.targetContainerName, 'target');
    assert.equal(await kubectlOk(c, ['exec', 'target', '-c', 'sleeper', '--', 'hostname']), 'target\n');
    assert.equal(await kubectlOk(c, ['get', 'pod', 'target', '-o', 'jsonpath={.status.containerStatuses[0].ready}']), 'true');
  });

  it('an existing ephemeral container may not be changed or removed, in kube\'s words', async () => {
    const patch = (body: unknown) => kubectl(c, ['patch', 'pod', 'target', '--subresource=ephemeralcontainers', '--type=json', '-p', JSON.stringify(body)]);
    const removed = await patch([{ op: 'remove', path: '/spec/ephemeralContainers/0' }]);
    assert.equal(removed.code, 1);
    assert.match(removed.stderr, /The Pod "target" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed/);
    const ports = await patch([{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] } }]);
    assert.match(ports.stderr, /spec.ephemeralContainers\[2\].ports: Forbidden: cannot be set for an Ephemeral Container/);
    const create = await kubectl(c, ['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ephemeralContainers: [{ name: 'd', image: 'busybox' }] } }) });
    assert.match(create.stderr, /spec.ephemeralContainers: Forbidden: cannot be set on create/);
  });
});
