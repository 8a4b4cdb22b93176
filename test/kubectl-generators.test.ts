/**
 * From kubectl 1.32 on, the typed generators (`kubectl create namespace|configmap|secret|service|serviceaccount`)
 * send their bodies as application/vnd.kubernetes.protobuf with no JSON fallback (1.27 to 1.31 send JSON).
 * These run the real kubectl of the oldest, default and newest minors against kubemock and check what was stored.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk } from './helpers/kubectl.js';

interface Stored {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  type?: string;
  spec?: { type?: string; clusterIP?: string; externalName?: string; selector?: Record<string, string>; ports?: { name?: string; port: number; targetPort?: number | string; nodePort?: number; protocol?: string }[] };
  status?: { phase?: string };
}

async function getJson(c: TestCluster, args: string[]): Promise<Stored> {
  return JSON.parse(await kubectlOk(c, ['get', ...args, '-o', 'json'])) as Stored;
}

for (const minor of [27, 32, 33]) {
  describe(`kubectl 1.${minor} typed generators (protobuf bodies from 1.32 on)`, () => {
    let c: TestCluster;
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

    it('create namespace', async () => {
      assert.match(await kubectlOk(c, ['create', 'namespace', 'foo']), /namespace\/foo created/);
      const ns = await getJson(c, ['namespace', 'foo']);
      assert.equal(ns.metadata.name, 'foo');
      assert.equal(ns.status?.phase, 'Active');
    });

    it('create configmap from literals, a file and binary content', async () => {
      const file = join(c.dir, 'app.conf');
      await writeFile(file, 'key = value\nsecond line\n');
      const bin = join(c.dir, 'blob.bin');
      await writeFile(bin, Buffer.from([0, 0xff, 0x10, 0x80]));
      assert.match(await kubectlOk(c, ['create', 'configmap', 'x', '--from-literal=a=b', `--from-file=${file}`, `--from-file=${bin}`]), /configmap\/x created/);
      const cm = await getJson(c, ['configmap', 'x']);
      assert.deepEqual(cm.data, { a: 'b', 'app.conf': 'key = value\nsecond line\n' });
      assert.deepEqual(cm.binaryData, { 'blob.bin': Buffer.from([0, 0xff, 0x10, 0x80]).toString('base64') });
    });

    it('create secret generic: data is the base64 of the literal', async () => {
      assert.match(await kubectlOk(c, ['create', 'secret', 'generic', 's', '--from-literal=k=v', '--from-literal=pw=s3cr3t!']), /secret\/s created/);
      const s = await getJson(c, ['secret', 's']);
      assert.equal(s.type, 'Opaque');
      assert.deepEqual(s.data, { k: Buffer.from('v').toString('base64'), pw: Buffer.from('s3cr3t!').toString('base64') });
    });

    it('create secret docker-registry', async () => {
      await kubectlOk(c, ['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p']);
      const s = await getJson(c, ['secret', 'reg']);
      assert.equal(s.type, 'kubernetes.io/dockerconfigjson');
      const cfg = JSON.parse(Buffer.from(s.data?.['.dockerconfigjson'] ?? '', 'base64').toString()) as { auths: Record<string, { username: string }> };
      assert.equal(cfg.auths['registry.example'].username, 'u');
    });

    it('create service clusterip: ports and targetPort as given', async () => {
      assert.match(await kubectlOk(c, ['create', 'service', 'clusterip', 'web', '--tcp=80:8080']), /service\/web created/);
      const svc = await getJson(c, ['service', 'web']);
      assert.equal(svc.spec?.type, 'ClusterIP');
      assert.deepEqual(svc.spec?.selector, { app: 'web' });
      assert.deepEqual(svc.spec?.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
      assert.match(svc.spec?.clusterIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    });

    it('create service clusterip --clusterip=None (headless), nodeport and externalname', async () => {
      await kubectlOk(c, ['create', 'service', 'clusterip', 'hl', '--clusterip=None', '--tcp=8090']);
      assert.equal((await getJson(c, ['service', 'hl'])).spec?.clusterIP, 'None');
      await kubectlOk(c, ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080']);
      const np = await getJson(c, ['service', 'np']);
      assert.equal(np.spec?.type, 'NodePort');
      assert.deepEqual(np.spec?.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }]);
      await kubectlOk(c, ['create', 'service', 'externalname', 'ext', '--external-name=example.com']);
      const ext = await getJson(c, ['service', 'ext']);
      assert.equal(ext.spec?.type, 'ExternalName');
      assert.equal(ext.spec?.externalName, 'example.com');
    });

    it('create serviceaccount', async () => {
      assert.match(await kubectlOk(c, ['create', 'serviceaccount', 'sa']), /serviceaccount\/sa created/);
      assert.equal((await getJson(c, ['serviceaccount', 'sa'])).metadata.name, 'sa');
    });

    // kubectl debug node/… and --copy-to create their pod through the typed client: a protobuf Pod from 1.32 on
    const getPod = async (name: string): Promise<Pod> => JSON.parse(await kubectlOk(c, ['get', 'pod', name, '-o', 'json'])) as Pod;
    const running = (name: string) => eventually(async () => {
      const p = await getPod(name);
      return p.status?.phase === 'Running' ? p : undefined;
    }, 20_000, `${name} Running`);

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
      // sleep ignores SIGTERM: gone at once, so the drain below does not wait out their grace period
      await kubectlOk(c, ['delete', 'pod', 'target', 'target-copy', '--grace-period=0', '--force']);
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
      await kubectlOk(c, ['delete', 'pod', pod.metadata!.name!, '--grace-period=0', '--force']);
    });

    it('drain evicts a bare pod with a protobuf Eviction: DisruptionTarget, then deleted', async () => {
      await kubectlOk(c, ['run', 'bare', '--image=nginx']);
      const node = await eventually(async () => (await kubectlOk(c, ['get', 'pod', 'bare', '-o', 'jsonpath={.spec.nodeName}'])).trim() || undefined, 15_000, 'pod scheduled');
      const conditions: string[] = [];
      const watch = c.registry.storage.watch('core/pods', 'default', undefined, (e) => {
        const status = e.object.status as { conditions?: { type: string; reason?: string }[] } | undefined;
        if (e.object.metadata.name === 'bare') conditions.push(...(status?.conditions ?? []).filter((x) => x.type === 'DisruptionTarget').map((x) => `${e.type} ${x.reason}`));
      });
      try {
        const r = await kubectl(c, ['drain', node, '--force', '--ignore-daemonsets', '--timeout=30s']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /evicting pod default\/bare/, 'kubectl found pods/eviction in discovery');
        assert.match(r.stdout, /pod\/bare evicted/);
        assert.match((await kubectl(c, ['get', 'pod', 'bare'])).stderr, /NotFound/);
        assert.equal(conditions[0], 'MODIFIED EvictionByEvictionAPI', 'the condition is written before the deletion starts');
      } finally {
        watch.stop();
        await kubectl(c, ['uncordon', node]);
      }
    });
  });
}
