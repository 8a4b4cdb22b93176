import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, setHeaderOptions,
  type KubernetesObject, type V1ConfigMap,
} from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually } from './helpers/kubectl.js';

type Fixture = KubernetesObject & Record<string, unknown>;

/** One valid object of every kind kubemock serves, each with a label to select on. */
function fixtures(): Fixture[] {
  const labels = { suite: 'client-node' };
  const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), labels });
  const podSpec = { containers: [{ name: 'c', image: 'busybox:1.28.4', command: ['sleep', '3600'] }] };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta('cn-ns') },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cn-cm', 'default'), data: { a: '1' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('cn-secret', 'default'), stringData: { a: '1' } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('cn-svc', 'default'), spec: { selector: { app: 'cn' }, ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('cn-ep', 'default'), subsets: [{ addresses: [{ ip: '127.10.0.9' }], ports: [{ port: 80 }] }] },
    { apiVersion: 'v1', kind: 'Pod', metadata: meta('cn-pod', 'default'), spec: podSpec },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('cn-pvc', 'default'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } },
    { apiVersion: 'v1', kind: 'PersistentVolume', metadata: meta('cn-pv'), spec: { capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/cn-pv' }, storageClassName: 'manual' } },
    { apiVersion: 'v1', kind: 'Node', metadata: meta('cn-node'), spec: {} },
    { apiVersion: 'v1', kind: 'Event', metadata: meta('cn-event', 'default'), involvedObject: { kind: 'Pod', name: 'cn-pod', namespace: 'default' }, reason: 'Test', message: 'hello', type: 'Normal' },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('cn-sa', 'default') },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('cn-sts', 'default'), spec: { serviceName: 'cn', replicas: 0, selector: { matchLabels: { app: 'cn-sts' } }, template: { metadata: { labels: { app: 'cn-sts' } }, spec: podSpec } } },
    { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta('cn-cr', 'default'), revision: 1, data: { spec: {} } },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta('cn-sc'), provisioner: 'kubemock.io/hostpath' },
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('cn-slice', 'default'), addressType: 'IPv4', endpoints: [{ addresses: ['127.10.0.9'] }], ports: [{ port: 80 }] },
    { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta('cn-event2', 'default'), eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'test', reportingInstance: 'test-1', action: 'Testing', reason: 'Test', regarding: { kind: 'Pod', name: 'cn-pod', namespace: 'default' }, note: 'hi', type: 'Normal' },
  ];
}

function kubeConfigFor(c: TestCluster): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  return kc;
}

describe('@kubernetes/client-node against kubemock (issue 2 item 3)', () => {
  let c: TestCluster;
  let kc: KubeConfig;
  before(async () => {
    c = await startTestCluster();
    kc = kubeConfigFor(c);
  });
  after(async () => {
    await c.stop();
  });

  for (const fx of fixtures()) {
    it(`create, read, list by label, patch, replace and delete a ${fx.apiVersion} ${fx.kind}`, async () => {
      const client = KubernetesObjectApi.makeApiClient(kc);
      const created = await client.create(structuredClone(fx));
      assert.equal(created.metadata?.name, fx.metadata?.name);
      assert.ok(created.metadata?.uid, 'uid assigned');
      const read = await client.read({ apiVersion: fx.apiVersion!, kind: fx.kind!, metadata: { name: fx.metadata!.name!, namespace: fx.metadata!.namespace } });
      assert.equal(read.metadata?.uid, created.metadata?.uid);
      const list = await client.list(fx.apiVersion!, fx.kind!, fx.metadata!.namespace, undefined, undefined, undefined, undefined, 'suite=client-node');
      assert.ok(list.items.some((i) => i.metadata?.name === fx.metadata!.name));
      const none = await client.list(fx.apiVersion!, fx.kind!, fx.metadata!.namespace, undefined, undefined, undefined, undefined, 'suite=other');
      assert.equal(none.items.length, 0);
      const patched = await client.patch({ apiVersion: fx.apiVersion, kind: fx.kind, metadata: { name: fx.metadata!.name, namespace: fx.metadata!.namespace, annotations: { patched: 'yes' } } }, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
      assert.equal(patched.metadata?.annotations?.patched, 'yes');
      // a Pod's status moves under the client (the kubelet writes it), so replace does what
      // client-go's RetryOnConflict does: read the latest, change it, PUT, and again on 409
      const replaced = await eventually(async () => {
        const latest = await client.read({ apiVersion: fx.apiVersion!, kind: fx.kind!, metadata: { name: fx.metadata!.name!, namespace: fx.metadata!.namespace } });
        latest.metadata = { ...latest.metadata, labels: { ...latest.metadata?.labels, replaced: 'yes' } };
        return client.replace(latest).catch((e: { code?: number }) => {
          if (e.code === 409) return undefined;
          throw e;
        });
      }, 15_000, `${fx.kind} replaced without a conflict`);
      assert.equal(replaced.metadata?.labels?.replaced, 'yes');
      assert.equal(replaced.metadata?.annotations?.patched, 'yes', 'replace kept the patched annotation');
      await client.delete({ apiVersion: fx.apiVersion, kind: fx.kind, metadata: { name: fx.metadata!.name, namespace: fx.metadata!.namespace } }, undefined, undefined, 0);
      await eventually(async () => {
        try {
          await client.read({ apiVersion: fx.apiVersion!, kind: fx.kind!, metadata: { name: fx.metadata!.name!, namespace: fx.metadata!.namespace } });
          return undefined;
        } catch (e) {
          return (e as { code?: number }).code === 404 || undefined;
        }
      }, 15_000, `${fx.kind} to be gone`);
    });
  }

  it('typed APIs: CoreV1Api and AppsV1Api, strategic merge patch, 404 as ApiException', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'typed', labels: { x: 'y' } }, data: { a: '1' } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'x=y' });
    assert.deepEqual(list.items.map((i: V1ConfigMap) => i.metadata?.name), ['typed']);
    const patched = await core.patchNamespacedConfigMap({ name: 'typed', namespace: 'default', body: { data: { b: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    assert.deepEqual(patched.data, { a: '1', b: '2' });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'missing', namespace: 'default' }), (e: { code?: number }) => e.code === 404);
    const sts = await apps.createNamespacedStatefulSet({ namespace: 'default', body: { metadata: { name: 'typed-sts' }, spec: { serviceName: 'x', replicas: 0, selector: { matchLabels: { app: 'typed' } }, template: { metadata: { labels: { app: 'typed' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } });
    assert.equal(sts.spec?.podManagementPolicy, 'OrderedReady');
    const scale = await apps.readNamespacedStatefulSetScale({ name: 'typed-sts', namespace: 'default' });
    assert.equal(scale.spec?.replicas, 0);
  });

  it('Watch receives ADDED, MODIFIED and DELETED', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const seen: string[] = [];
    const watch = new Watch(kc);
    const controller = await watch.watch('/api/v1/namespaces/default/configmaps', { labelSelector: 'watched=yes' },
      (phase, obj: V1ConfigMap) => seen.push(`${phase} ${obj.metadata?.name}`), () => undefined);
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w1', labels: { watched: 'yes' } } } });
      await core.patchNamespacedConfigMap({ name: 'w1', namespace: 'default', body: { data: { k: 'v' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'default' });
      await eventually(() => seen.length >= 3 || undefined, 10_000, 'three watch events');
      assert.deepEqual(seen, ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
    } finally {
      controller.abort();
    }
  });
});
