import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createKubemockGrpcClient, KubemockGrpcError, type GrpcWatchEvent, type KindClient, type KubemockGrpcClient } from '../clients/grpc.js';
import { startGrpcServer, type RunningGrpcServer } from '../server/grpc/server.js';
import { Client, credentials } from '@grpc/grpc-js';
import { fromProto, toProto } from '../server/grpc/convert.js';
import { kindServices } from '../server/grpc/gen/kinds.js';
import { kubectlOk, tableRows } from './helpers/kubectl.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

let km: TestCluster;
let grpc: RunningGrpcServer;
let client: KubemockGrpcClient;

const web = (name: string, replicas: number): StatefulSet => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas, serviceName: name,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ name: 'web', containerPort: 80 }] }] } },
  },
});

async function rest(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${km.urls.api}${path}`, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Reads a watch until an event satisfies pred; the events passed over are returned too. */
async function until<T>(it: AsyncIterator<GrpcWatchEvent<T>>, pred: (e: GrpcWatchEvent<T>) => boolean): Promise<GrpcWatchEvent<T>[]> {
  const seen: GrpcWatchEvent<T>[] = [];
  for (;;) {
    const next = await it.next();
    if (next.done) throw new Error(`watch ended before the expected event; saw ${seen.map((e) => e.type).join(',')}`);
    seen.push(next.value);
    if (pred(next.value)) return seen;
  }
}

/**
 * REST JSON with the empty lists and maps (and nulls) dropped: proto has no way to keep them (see
 * convert.ts). Free-form JSON (FieldsV1, a ControllerRevision's data) is carried as it is.
 */
function withoutEmpties(v: unknown, freeForm = false): unknown {
  if (freeForm) return v;
  if (Array.isArray(v)) return v.map((x) => withoutEmpties(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    const isRevision = (v as { kind?: unknown }).kind === 'ControllerRevision';
    for (const [k, x] of Object.entries(v)) {
      if (x === null || (Array.isArray(x) && !x.length)) continue;
      if (x && typeof x === 'object' && !Array.isArray(x) && !Object.keys(x).length && isCollectionKey(k)) continue;
      out[k] = withoutEmpties(x, k === 'fieldsV1' || (isRevision && k === 'data'));
    }
    return out;
  }
  return v;
}

/** Map-typed fields that may be sent as {} (an empty struct-typed field such as emptyDir stays). */
function isCollectionKey(k: string): boolean {
  return ['labels', 'annotations', 'data', 'binaryData', 'selector', 'matchLabels', 'capacity', 'allocatable', 'requests', 'limits', 'nodeSelector', 'parameters', 'volumeAttributes'].includes(k);
}

describe('gRPC API over the shared registry', { timeout: 60_000 }, () => {
  before(async () => {
    km = await startTestCluster();
    grpc = await startGrpcServer({ registry: km.registry, host: '127.0.0.1', port: 0, bookmarkIntervalMs: 0 });
    client = createKubemockGrpcClient(`127.0.0.1:${grpc.port}`);
  });
  after(async () => {
    client.close();
    await grpc.stop();
    await km.stop();
  });

  it('a StatefulSet created over gRPC is served by REST and kubectl, and its pods are watched over gRPC as they come up', async () => {
    const created = await client.statefulSets.create(web('grpc-web', 2));
    assert.equal(created.kind, 'StatefulSet');
    assert.equal(created.metadata?.generation, 1);
    const got = await rest('GET', '/apis/apps/v1/namespaces/default/statefulsets/grpc-web');
    assert.equal(got.status, 200);
    assert.equal((got.json.metadata as { uid: string }).uid, created.metadata?.uid);
    const rows = tableRows(await kubectlOk(km, ['get', 'sts', '-n', 'default']));
    assert.ok(rows.some((r) => r[0] === 'grpc-web'), JSON.stringify(rows));

    // The StatefulSet controller and the simulated kubelet bring the pods up; the gRPC watch sees it.
    const podWatch = client.pods.watch({ namespace: 'default', labelSelector: 'app=grpc-web' })[Symbol.asyncIterator]();
    const ready = new Set<string>();
    const seen = await until(podWatch, (e) => {
      if (e.type === 'ERROR') throw new Error(e.status.message);
      const pod = e.object as Pod;
      if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready.add(pod.metadata!.name!);
      return ready.size === 2;
    });
    assert.deepEqual([...ready].sort(), ['grpc-web-0', 'grpc-web-1']);
    assert.ok(seen.some((e) => e.type === 'ADDED' || e.type === 'MODIFIED'));
    const owner = (seen.at(-1) as { object: Pod }).object.metadata?.ownerReferences?.[0];
    assert.equal(owner?.uid, created.metadata?.uid);
    await podWatch.return?.();
  });

  it('a scale through REST arrives on a gRPC watch, and GetScale agrees', async () => {
    await client.statefulSets.create(web('scaled', 1));
    const watch = client.statefulSets.watch({ namespace: 'default', fieldSelector: 'metadata.name=scaled' })[Symbol.asyncIterator]();
    await until(watch, (e) => e.type === 'ADDED');
    const patched = await rest('PATCH', '/apis/apps/v1/namespaces/default/statefulsets/scaled/scale', { spec: { replicas: 3 } }, 'application/merge-patch+json');
    assert.equal(patched.status, 200);
    const seen = await until(watch, (e) => e.type === 'MODIFIED' && e.object.spec?.replicas === 3);
    assert.equal(seen.at(-1)!.type, 'MODIFIED');
    await watch.return?.();
    assert.equal((await client.statefulSets.getScale('scaled', { namespace: 'default' })).spec?.replicas, 3);
    const down = await client.statefulSets.updateScale('scaled', 0, { namespace: 'default' });
    assert.equal(down.spec?.replicas, 0);
    const viaRest = await rest('GET', '/apis/apps/v1/namespaces/default/statefulsets/scaled');
    assert.equal((viaRest.json.spec as { replicas: number }).replicas, 0);
  });

  it('Watch resumes after a resourceVersion and sends the initial-events-end bookmark', async () => {
    const a = await client.configMaps.create({ metadata: { name: 'resume-a', namespace: 'default' }, data: { n: '1' } });
    await client.configMaps.create({ metadata: { name: 'resume-b', namespace: 'default' }, data: { n: '2' } });
    await client.configMaps.patch('resume-a', 'merge', { data: { n: '3' } }, { namespace: 'default' });
    const resumed = client.configMaps.watch({ namespace: 'default', resourceVersion: a.metadata!.resourceVersion })[Symbol.asyncIterator]();
    const events = await until(resumed, (e) => e.type === 'MODIFIED');
    assert.deepEqual(events.map((e) => (e.type === 'ERROR' ? 'ERROR' : `${e.type} ${e.object.metadata?.name}`)), ['ADDED resume-b', 'MODIFIED resume-a']);
    await resumed.return?.();

    const initial = client.configMaps.watch({ namespace: 'default', sendInitialEvents: true, allowWatchBookmarks: true, labelSelector: 'none=here' })[Symbol.asyncIterator]();
    const [bookmark] = await until(initial, () => true);
    assert.ok(bookmark.type === 'BOOKMARK', bookmark.type);
    assert.equal(bookmark.object.metadata?.annotations?.['k8s.io/initial-events-end'], 'true');
    await initial.return?.();
  });

  it('Patch supports every REST patch type, Delete honours preconditions', async () => {
    await client.configMaps.create({ metadata: { name: 'patched', namespace: 'default' }, data: { a: '1' } });
    await client.configMaps.patch('patched', 'json', [{ op: 'add', path: '/data/b', value: '2' }], { namespace: 'default' });
    await client.configMaps.patch('patched', 'strategic', { data: { c: '3' } }, { namespace: 'default' });
    const applied = await client.configMaps.patch('patched', 'apply', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: patched\ndata:\n  d: "4"\n', { namespace: 'default', fieldManager: 'grpc-test', force: true });
    assert.deepEqual(applied.data, { a: '1', b: '2', c: '3', d: '4' });
    assert.ok(applied.metadata?.managedFields?.some((m) => m.manager === 'grpc-test' && m.operation === 'Apply'));
    await assert.rejects(client.configMaps.delete('patched', { namespace: 'default', options: { preconditions: { uid: 'not-the-uid' } } }), (e: unknown) => e instanceof KubemockGrpcError && e.code === 10);
    const deleted = await client.configMaps.delete('patched', { namespace: 'default' });
    assert.equal(deleted.removed, true);
    assert.equal(deleted.object.metadata?.name, 'patched');
  });

  it('UpdateEphemeralContainers and PatchEphemeralContainers write through the subresource, as REST does', async () => {
    const pod = await client.pods.create({ metadata: { name: 'debuggee', namespace: 'default', labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    // without a resourceVersion: the scheduler and kubelet write the pod meanwhile
    const sent = { ...pod, metadata: { ...pod.metadata, resourceVersion: undefined, labels: { app: 'changed' } }, spec: { ...pod.spec!, ephemeralContainers: [{ name: 'dbg', image: 'busybox', stdin: true }] } };
    const updated = await client.pods.updateSubresource('ephemeralcontainers', sent);
    assert.deepEqual(updated.spec?.ephemeralContainers?.map((e) => [e.name, e.image, e.terminationMessagePolicy]), [['dbg', 'busybox', 'File']]);
    assert.deepEqual(updated.metadata?.labels, { app: 'd' }, 'the rest of the pod is put back');
    const patched = await client.pods.patchSubresource('ephemeralcontainers', 'debuggee', 'strategic', { spec: { ephemeralContainers: [{ name: 'two', image: 'busybox' }] } }, { namespace: 'default' });
    // strategic merge puts what the patch lists first when it sends no $setElementOrder, as kube's does
    assert.deepEqual(patched.spec?.ephemeralContainers?.map((e) => e.name), ['two', 'dbg']);
    await assert.rejects(client.pods.patchSubresource('ephemeralcontainers', 'debuggee', 'json', [{ op: 'remove', path: '/spec/ephemeralContainers/0' }], { namespace: 'default' }),
      (e: unknown) => e instanceof KubemockGrpcError && e.code === 3 && /existing ephemeral containers "two" may not be removed/.test(e.message));
    await assert.rejects(client.configMaps.updateSubresource('ephemeralcontainers', { metadata: { name: 'x', namespace: 'default' } }), (e: unknown) => e instanceof KubemockGrpcError && e.code === 12);
  });

  it('errors carry the gRPC code and the Kubernetes Status', async () => {
    const expectError = async (p: Promise<unknown>, code: number, reason: string, httpCode: number): Promise<KubemockGrpcError> => {
      try {
        await p;
      } catch (e) {
        assert.ok(e instanceof KubemockGrpcError, String(e));
        assert.equal(e.code, code, e.message);
        assert.equal(e.status?.reason, reason);
        assert.equal(e.status?.code, httpCode);
        assert.equal(e.status?.kind, 'Status');
        return e;
      }
      throw new Error('expected an error');
    };
    const nf = await expectError(client.pods.get('missing', { namespace: 'default' }), 5, 'NotFound', 404);
    assert.equal(nf.message, 'pods "missing" not found');
    await client.configMaps.create({ metadata: { name: 'dup', namespace: 'default' } });
    await expectError(client.configMaps.create({ metadata: { name: 'dup', namespace: 'default' } }), 6, 'AlreadyExists', 409);
    const cm = await client.configMaps.get('dup', { namespace: 'default' });
    await client.configMaps.update({ ...cm, data: { x: '1' } });
    await expectError(client.configMaps.update({ ...cm, data: { x: '2' } }), 10, 'Conflict', 409);
    // The request's name stands for the URL's: an object that leaves its own out is still named.
    const row = kindServices.find((r) => r.serviceName === 'ConfigMapsService')!;
    const def = (row.service as unknown as Record<string, { path: string; requestSerialize(v: unknown): Buffer; responseDeserialize(b: Buffer): unknown }>).update;
    const raw = new Client(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
    try {
      const reply = await new Promise<unknown>((resolve, reject) => raw.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize,
        { namespace: 'default', name: 'dup', object: toProto(row.message, { data: { x: '3' } }), dryRun: false, fieldManager: '', fieldValidation: '' },
        (err, res) => (err ? reject(err) : resolve(res))));
      assert.deepEqual((fromProto(row.message, reply) as { data?: unknown }).data, { x: '3' });
    } finally {
      raw.close();
    }
    const { selector: _dropped, ...specWithoutSelector } = web('no-selector', 1).spec!;
    const bad = { ...web('no-selector', 1), spec: specWithoutSelector } as unknown as StatefulSet;
    const invalid = await expectError(client.statefulSets.create(bad), 3, 'Invalid', 422);
    assert.ok(invalid.status?.details?.causes?.some((c) => c.field === 'spec.selector'), JSON.stringify(invalid.status));
    // the same option checks as REST: one 422 on the verb's options kind
    const noManager = await expectError(client.configMaps.patch('dup', 'apply', '{}', { namespace: 'default' }), 3, 'Invalid', 422);
    assert.equal(noManager.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const badValidation = await expectError(client.configMaps.create({ metadata: { name: 'v', namespace: 'default' } }, { fieldValidation: 'Loud' as 'Strict' }), 3, 'Invalid', 422);
    assert.equal(badValidation.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"');
    await expectError(client.configMaps.list({ namespace: 'default', resourceVersion: 'abc' }), 3, 'BadRequest', 400);
  });

  it('every kind reads the same over gRPC as over REST (JSON → proto → JSON on live objects)', async () => {
    for (const [path, body] of liveSamples) {
      const made = await rest('POST', path, body);
      assert.equal(made.status, 201, `${path}: ${JSON.stringify(made.json)}`);
    }
    for (const row of kindServices) {
      const path = `${row.group ? `/apis/${row.group}` : '/api'}/${row.version}/${row.resource}`;
      const viaRest = await rest('GET', path);
      assert.equal(viaRest.status, 200, path);
      const restItems = viaRest.json.items as { metadata: { name: string; namespace?: string } }[];
      const key = (o: { metadata?: { name?: string; namespace?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
      const kindClient = (client as unknown as Record<string, KindClient<{ metadata?: { name?: string; namespace?: string; resourceVersion?: string } }>>)[clientKey(row.serviceName)];
      const viaGrpc = await kindClient.list();
      const grpcByKey = new Map(viaGrpc.items.map((o) => [key(o), o]));
      let compared = 0;
      for (const item of restItems) {
        const mine = grpcByKey.get(key(item));
        if (!mine || mine.metadata?.resourceVersion !== (item.metadata as { resourceVersion?: string }).resourceVersion) continue; // changed in between
        assert.deepEqual(mine, withoutEmpties({ apiVersion: viaRest.json.apiVersion, kind: row.kind, ...item }), `${row.kind} ${key(item)}`);
        compared++;
      }
      assert.ok(compared > 0, `${row.kind}: no live object compared`);
    }
  });

  it('health Check answers SERVING for the server and each service; unknown services are NOT_FOUND', async () => {
    const { HealthClient: Ctor } = await import('../server/grpc/gen/grpc/health/v1/health.js');
    const { credentials } = await import('@grpc/grpc-js');
    const health = new Ctor(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
    try {
      const check = (service: string) => new Promise<{ status: number }>((resolve, reject) => health.check({ service }, (err, res) => (err ? reject(err) : resolve(res))));
      assert.equal((await check('')).status, 1);
      assert.equal((await check('kubemock.v1.StatefulSetsService')).status, 1);
      await assert.rejects(check('nope.Service'), (e: { code?: number }) => e.code === 5);
    } finally {
      health.close();
    }
  });
});

/** One object of every kind, written through REST so the server fills in what it does. */
const liveSamples: [string, unknown][] = [
  ['/apis/policy/v1/namespaces/default/poddisruptionbudgets', { metadata: { name: 'web' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } }],
  ['/api/v1/namespaces', { metadata: { name: 'team-a', labels: { team: 'a' } } }],
  ['/api/v1/namespaces/default/services', { metadata: { name: 'nginx' }, spec: { selector: { app: 'web' }, ports: [{ name: 'web', port: 80, targetPort: 'web' }, { name: 'm', port: 9090, targetPort: 9091 }] } }],
  ['/api/v1/namespaces/default/endpoints', { metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '10.1.0.5', hostname: 'a' }], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }] }],
  ['/api/v1/namespaces/default/persistentvolumeclaims', { metadata: { name: 'claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  ['/api/v1/persistentvolumes', { metadata: { name: 'pv-1' }, spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv-1' } } }],
  ['/apis/storage.k8s.io/v1/storageclasses', { metadata: { name: 'fast' }, provisioner: 'kubemock.io/hostpath', parameters: { tier: 'ssd' }, allowVolumeExpansion: false }],
  ['/apis/apps/v1/namespaces/default/controllerrevisions', { metadata: { name: 'rev-1' }, revision: 1, data: { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } }],
  ['/api/v1/namespaces/default/events', { metadata: { name: 'ev-1' }, involvedObject: { kind: 'Pod', name: 'manual-0', namespace: 'default' }, reason: 'Started', message: 'started', type: 'Normal', count: 1, firstTimestamp: '2024-05-01T10:00:00Z', lastTimestamp: '2024-05-01T10:00:00Z', source: { component: 'test' } }],
  ['/api/v1/namespaces/default/configmaps', { metadata: { name: 'literal', labels: { a: 'b' } }, data: { k: 'v', empty: '' }, binaryData: { b: 'AAE=' } }],
  ['/api/v1/namespaces/default/secrets', { metadata: { name: 'creds' }, type: 'Opaque', data: { password: 'czNjcjN0' }, stringData: { user: 'admin' } }],
  ['/api/v1/nodes', { metadata: { name: 'node-x', labels: { 'kubernetes.io/hostname': 'node-x' } }, spec: { podCIDR: '10.9.0.0/24', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } }],
  ['/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { metadata: { name: 'nginx-x', labels: { 'kubernetes.io/service-name': 'nginx' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true } }], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }],
  ['/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'builder' }, automountServiceAccountToken: false }],
];

function clientKey(serviceName: string): string {
  const plural = serviceName.replace(/Service$/, '');
  return plural.charAt(0).toLowerCase() + plural.slice(1);
}
