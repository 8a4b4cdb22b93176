/**
 * Issue 6, contract tests:
 *   - the seed scenario (headless service + statefulset, scale 2 → 1 → 2, delete) through kubectl,
 *     @kubernetes/client-node, the generated REST SDK and the gRPC client, with equal outcomes;
 *   - every HTTP exchange of those runs (kubectl's, client-node's and the SDK's, through a recording proxy)
 *     validated against openapi/kubemock.json and the upstream schemas (kubernetes-models);
 *   - a self-test: deliberately broken responses are caught.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { StatefulSet as K8sStatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod as K8sPod, Service as K8sService } from 'kubernetes-types/core/v1.js';
import { createKubemockGrpcClient } from '../clients/grpc.js';
import { createKubemockClient, KubemockApiError, labelSelector, mergePatch, type Pod, type StatefulSet, type Service, type KubemockClient } from '../clients/index.js';
import { startContractTestCluster, type ContractTestCluster } from './contract/cluster.js';
import { knownDeviations, partitionKnown } from './contract/known-deviations.js';
import { startRecordingProxy, type Exchange } from './contract/recorder.js';
import { ContractValidator, formatViolations, validateExchanges } from './contract/validate.js';
import { seedDir } from './helpers/seed.js';
import { eventually, kubectlOk, kubectl } from './helpers/kubectl.js';

const seed = seedDir;

/** What the scenario must produce whichever client drives it (only what is deterministic). */
interface Outcome {
  service: { name: string; clusterIP: string; ports: string[] };
  statefulSet: { name: string; serviceName: string; replicas: number };
  podsAt2: string[];
  podsAt1: string[];
  podsBackAt2: string[];
  afterDelete: string;
}

const expected: Outcome = {
  service: { name: 'terra10-hs', clusterIP: 'None', ports: ['http-transporter:8090', 'http-monitor:8092'] },
  statefulSet: { name: 'terra10', serviceName: 'terra10-hs', replicas: 2 },
  podsAt2: ['terra10-0', 'terra10-1'],
  podsAt1: ['terra10-0'],
  podsBackAt2: ['terra10-0', 'terra10-1'],
  afterDelete: 'NotFound',
};

const podTemplate = {
  metadata: { labels: { app: 'terra10' } },
  spec: {
    containers: [
      { name: 'terra10-transporter', image: 'lgorissen/terra10-transporter:podname', volumeMounts: [{ name: 'transportlog', mountPath: '/tmp' }], ports: [{ containerPort: 8092, protocol: 'TCP' }] },
      { name: 'terra10-monitor', image: 'lgorissen/terra10-monitor', volumeMounts: [{ name: 'transportlog', mountPath: '/var/log', readOnly: true }], ports: [{ containerPort: 8090, protocol: 'TCP' }] },
    ],
  },
};

/** The seed's objects in apps/v1 form (v1 needs the selector the v1beta1 manifest leaves to defaulting). */
function seedService(): K8sService {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'terra10-hs' },
    spec: { clusterIP: 'None', selector: { app: 'terra10' }, ports: [{ name: 'http-transporter', port: 8090, targetPort: 8090 }, { name: 'http-monitor', port: 8092, targetPort: 8092 }] },
  };
}

function seedStatefulSet(): K8sStatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'terra10' },
    spec: {
      serviceName: 'terra10-hs', replicas: 2, selector: { matchLabels: { app: 'terra10' } }, template: structuredClone(podTemplate),
      volumeClaimTemplates: [{ metadata: { name: 'transportlog' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '1Mi' } } } }],
    },
  };
}

function serviceSummary(s: K8sService | Service | undefined): Outcome['service'] {
  return { name: s?.metadata?.name ?? '', clusterIP: s?.spec?.clusterIP ?? '', ports: (s?.spec?.ports ?? []).map((p) => `${p.name}:${p.port}`) };
}

function stsSummary(s: K8sStatefulSet | StatefulSet | undefined): Outcome['statefulSet'] {
  return { name: s?.metadata?.name ?? '', serviceName: s?.spec?.serviceName ?? '', replicas: s?.spec?.replicas ?? -1 };
}

type AnyPod = K8sPod | Pod | V1Pod;
const readyNames = (pods: AnyPod[]): string[] =>
  pods
    .filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.metadata?.name ?? '')
    .sort();
const allNames = (pods: AnyPod[]): string[] => pods.map((p) => p.metadata?.name ?? '').sort();

/** Waits until the client's own view shows exactly `want` pods, all ready. */
async function podsSettle(list: () => Promise<AnyPod[]>, want: string[], what: string): Promise<string[]> {
  return eventually(async () => {
    const pods = await list();
    const ready = readyNames(pods);
    return JSON.stringify(ready) === JSON.stringify(want) && JSON.stringify(allNames(pods)) === JSON.stringify(want) ? ready : undefined;
  }, 30_000, `${what}: pods ${want.join(', ')}`);
}

async function ensureNamespace(km: KubemockClient, name: string): Promise<void> {
  await km.POST('/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

describe('contract: one scenario through four clients, every exchange validated', () => {
  let c: ContractTestCluster;
  let km: KubemockClient;
  const outcomes: Record<string, Outcome> = {};

  before(async () => {
    c = await startContractTestCluster();
    km = createKubemockClient({ baseUrl: c.apiUrl });
  });
  after(async () => {
    await c?.stop();
  });

  it('kubectl: create -f the seed manifests, get, scale, edit, delete', async () => {
    const ns = 'via-kubectl';
    await ensureNamespace(km, ns);
    const k = (args: string[], env?: Record<string, string>) => kubectlOk(c, ['-n', ns, ...args], env ? { env } : {});
    await k(['create', '-f', join(seed, 'terra10-service-headless.yaml')]);
    await k(['create', '-f', join(seed, 'terra10-statefulset.yaml')]);
    const svc = JSON.parse(await k(['get', 'service', 'terra10-hs', '-o', 'json'])) as K8sService;
    const sts = JSON.parse(await k(['get', 'statefulset', 'terra10', '-o', 'json'])) as K8sStatefulSet;
    const pods = async (): Promise<K8sPod[]> => (JSON.parse(await k(['get', 'pods', '-l', 'app=terra10', '-o', 'json'])) as { items: K8sPod[] }).items;
    await k(['get', 'statefulsets,pods,pvc']);
    const podsAt2 = await podsSettle(pods, ['terra10-0', 'terra10-1'], 'kubectl');
    await k(['scale', 'statefulset', 'terra10', '--replicas=1']);
    const podsAt1 = await podsSettle(pods, ['terra10-0'], 'kubectl');
    await k(['edit', 'statefulset', 'terra10'], { KUBE_EDITOR: "sed -i -e 's/^  replicas: 1$/  replicas: 2/'" });
    const podsBackAt2 = await podsSettle(pods, ['terra10-0', 'terra10-1'], 'kubectl');
    await k(['delete', '-f', join(seed, 'terra10-statefulset.yaml')]);
    const gone = await kubectl(c, ['-n', ns, 'get', 'statefulset', 'terra10']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
    outcomes.kubectl = { service: serviceSummary(svc), statefulSet: stsSummary(sts), podsAt2, podsAt1, podsBackAt2, afterDelete: 'NotFound' };
    assert.deepEqual(outcomes.kubectl, expected);
  });

  it('@kubernetes/client-node: create, read, scale through /scale, delete', async () => {
    const ns = 'via-client-node';
    await ensureNamespace(km, ns);
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const svc = await core.createNamespacedService({ namespace: ns, body: seedService() as never });
    const sts = await apps.createNamespacedStatefulSet({ namespace: ns, body: seedStatefulSet() as never });
    const pods = async (): Promise<V1Pod[]> => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=terra10' })).items;
    const podsAt2 = await podsSettle(pods, ['terra10-0', 'terra10-1'], 'client-node');
    const scaleTo = async (replicas: number): Promise<void> => {
      const scale = await apps.readNamespacedStatefulSetScale({ name: 'terra10', namespace: ns });
      await apps.replaceNamespacedStatefulSetScale({ name: 'terra10', namespace: ns, body: { ...scale, spec: { replicas } } });
    };
    await scaleTo(1);
    const podsAt1 = await podsSettle(pods, ['terra10-0'], 'client-node');
    await scaleTo(2);
    const podsBackAt2 = await podsSettle(pods, ['terra10-0', 'terra10-1'], 'client-node');
    await apps.deleteNamespacedStatefulSet({ name: 'terra10', namespace: ns });
    const afterDelete = await apps.readNamespacedStatefulSet({ name: 'terra10', namespace: ns }).then(() => 'Found', (e: { code?: number }) => (e.code === 404 ? 'NotFound' : String(e)));
    outcomes.clientNode = { service: serviceSummary(svc as K8sService), statefulSet: stsSummary(sts as K8sStatefulSet), podsAt2, podsAt1, podsBackAt2, afterDelete };
    assert.deepEqual(outcomes.clientNode, expected);
  });

  it('the generated REST SDK: typed create, watch pods come up, merge-patch the scale, delete', async () => {
    const ns = 'via-sdk';
    await ensureNamespace(km, ns);
    const path = { namespace: ns };
    const svc = await km.POST('/api/v1/namespaces/{namespace}/services', { params: { path }, body: seedService() as Service });
    // Watch from before the StatefulSet exists, so the pods' whole life is on the stream.
    const list = await km.GET('/api/v1/namespaces/{namespace}/pods', { params: { path } });
    const watch = km.watch('/api/v1/namespaces/{namespace}/pods', { path, query: { labelSelector: labelSelector({ app: 'terra10' }), resourceVersion: list.metadata?.resourceVersion } });
    const seen: string[] = [];
    const watching = (async () => {
      for await (const e of watch) if (e.type === 'ADDED') seen.push(e.object.metadata?.name ?? '');
    })();
    const sts = await km.POST('/apis/apps/v1/namespaces/{namespace}/statefulsets', { params: { path }, body: seedStatefulSet() as StatefulSet });
    const pods = async (): Promise<Pod[]> => (await km.GET('/api/v1/namespaces/{namespace}/pods', { params: { path, query: { labelSelector: 'app=terra10' } } })).items;
    const podsAt2 = await podsSettle(pods, ['terra10-0', 'terra10-1'], 'sdk');
    const scalePath = '/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale' as const;
    await km.patch(scalePath, { path: { ...path, name: 'terra10' } }, mergePatch({ spec: { replicas: 1 } }));
    const podsAt1 = await podsSettle(pods, ['terra10-0'], 'sdk');
    await km.patch(scalePath, { path: { ...path, name: 'terra10' } }, mergePatch({ spec: { replicas: 2 } }));
    const podsBackAt2 = await podsSettle(pods, ['terra10-0', 'terra10-1'], 'sdk');
    await km.DELETE('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { params: { path: { ...path, name: 'terra10' } }, body: {} });
    const afterDelete = await km.GET('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { params: { path: { ...path, name: 'terra10' } } })
      .then(() => 'Found', (e: unknown) => (e instanceof KubemockApiError ? String(e.reason) : String(e)));
    watch.stop();
    await watching;
    // terra10-1 is created twice (before the scale down and after the scale up): the watch saw both.
    assert.deepEqual(seen, ['terra10-0', 'terra10-1', 'terra10-1']);
    assert.ok(watch.resourceVersion, 'the watch tracked a resourceVersion to resume from');
    outcomes.sdk = { service: serviceSummary(svc), statefulSet: stsSummary(sts), podsAt2, podsAt1, podsBackAt2, afterDelete };
    assert.deepEqual(outcomes.sdk, expected);
  });

  it('the gRPC client: create, scale, delete over gRPC against the same cluster', async () => {
    const ns = 'via-grpc';
    await ensureNamespace(km, ns);
    assert.ok(c.urls.grpc, 'the test cluster serves gRPC');
    const g = createKubemockGrpcClient(c.urls.grpc);
    try {
      const svc = await g.services.create(seedService(), { namespace: ns });
      const sts = await g.statefulSets.create(seedStatefulSet(), { namespace: ns });
      const pods = async (): Promise<K8sPod[]> => (await g.pods.list({ namespace: ns, labelSelector: 'app=terra10' })).items;
      const podsAt2 = await podsSettle(pods, ['terra10-0', 'terra10-1'], 'grpc');
      await g.statefulSets.updateScale('terra10', 1, { namespace: ns });
      const podsAt1 = await podsSettle(pods, ['terra10-0'], 'grpc');
      await g.statefulSets.updateScale('terra10', 2, { namespace: ns });
      const podsBackAt2 = await podsSettle(pods, ['terra10-0', 'terra10-1'], 'grpc');
      await g.statefulSets.delete('terra10', { namespace: ns });
      const afterDelete = await g.statefulSets.get('terra10', { namespace: ns }).then(() => 'Found', (e: { status?: { reason?: string } }) => String(e.status?.reason));
      outcomes.grpc = { service: serviceSummary(svc), statefulSet: stsSummary(sts), podsAt2, podsAt1, podsBackAt2, afterDelete };
      assert.deepEqual(outcomes.grpc, expected);
    } finally {
      g.close();
    }
  });

  it('all four clients saw the same outcome', () => {
    assert.deepEqual(Object.keys(outcomes).sort(), ['clientNode', 'grpc', 'kubectl', 'sdk']);
    for (const [client, o] of Object.entries(outcomes)) assert.deepEqual(o, outcomes.kubectl, client);
  });

  it('every recorded request and response keeps the OpenAPI and upstream contracts', async (t) => {
    const { violations, stats } = await c.report();
    t.diagnostic(`checked ${stats.exchanges} exchanges, ${stats.bodiesChecked} bodies, ${stats.objectsChecked} objects; unchecked: ${JSON.stringify(stats.unchecked)}`);
    const byAgent = new Map<string, number>();
    for (const ex of c.proxy.exchanges) {
      const agent = String(ex.requestHeaders['user-agent'] ?? 'none').split('/')[0]!;
      byAgent.set(agent, (byAgent.get(agent) ?? 0) + 1);
    }
    t.diagnostic(`exchanges by user agent: ${JSON.stringify(Object.fromEntries(byAgent))}`);
    assert.ok(stats.exchanges > 50 && stats.objectsChecked > 50, `the scenario's traffic was recorded (${stats.exchanges} exchanges)`);
    assert.ok([...byAgent.keys()].some((a) => a.startsWith('kubectl')), 'kubectl traffic went through the proxy');
    assert.ok(c.proxy.exchanges.some((ex) => /[?&]watch=(1|true)/.test(ex.url)), 'a watch went through the proxy');
    const { unexpected, known } = partitionKnown(violations);
    for (const [d, n] of known) t.diagnostic(`known deviation ×${n}: ${d.why}`);
    assert.equal(unexpected.length, 0, `contract violations:\n${formatViolations(unexpected)}`);
    const stale = knownDeviations.filter((d) => !known.has(d));
    assert.deepEqual(stale.map((d) => d.why), [], 'known deviations that no longer occur: remove them from test/contract/known-deviations.ts');
  });
});

/** A recorded GET of one StatefulSet, made to order. */
function stsExchange(body: unknown, over: Partial<Exchange> = {}): Exchange {
  return {
    seq: 0, method: 'GET', url: '/apis/apps/v1/namespaces/default/statefulsets/web', requestHeaders: {}, requestBody: Buffer.alloc(0),
    status: 200, responseHeaders: { 'content-type': 'application/json' }, responseBody: Buffer.from(JSON.stringify(body) ?? ""), complete: true, upgraded: false,
    ...over,
  };
}

function goodSts(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: '6b1c1a52-5f38-4a8e-9d53-0c4c0a4f1f11', resourceVersion: '12', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      replicas: 2, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    },
    status: { replicas: 0, availableReplicas: 0 },
  };
}

describe('contract validator self-test: deliberately broken responses are caught', () => {
  const validator = new ContractValidator();
  const check = (ex: Exchange) => validator.check(ex);

  it('accepts a well-formed StatefulSet', () => {
    assert.deepEqual(check(stsExchange(goodSts())), []);
  });

  it('catches spec.replicas: "two" (OpenAPI schema and upstream model)', () => {
    const bad = goodSts();
    (bad.spec as Record<string, unknown>).replicas = 'two';
    const v = check(stsExchange(bad));
    assert.ok(v.some((x) => x.check === 'response' && /\/spec\/replicas: must be integer/.test(x.message)), formatViolations(v));
    assert.ok(v.some((x) => x.check === 'upstream' && /spec\/replicas must be integer/.test(x.message)), formatViolations(v));
  });

  it('catches an unknown top-level field and an unknown nested one', () => {
    const bad: Record<string, unknown> = { ...goodSts(), surprise: true };
    (bad.spec as Record<string, unknown>).replicaCount = 2;
    const v = check(stsExchange(bad));
    assert.ok(v.some((x) => x.message === '/: unknown field "surprise"'), formatViolations(v));
    assert.ok(v.some((x) => x.message === '/spec: unknown field "replicaCount"'), formatViolations(v));
  });

  it('catches a missing required field (spec.selector) and a missing uid', () => {
    const bad = goodSts();
    delete (bad.spec as Record<string, unknown>).selector;
    delete (bad.metadata as Record<string, unknown>).uid;
    const v = check(stsExchange(bad));
    assert.ok(v.some((x) => x.check === 'response' && x.message === '/spec: missing required field "selector"'), formatViolations(v));
    assert.ok(v.some((x) => x.check === 'upstream' && /selector/.test(x.message)), formatViolations(v));
    assert.ok(v.some((x) => x.check === 'invariant' && /lacks uid/.test(x.message)), formatViolations(v));
  });

  it('catches an unlisted status code, an error without a Status, and a bad watch event', () => {
    assert.ok(check(stsExchange(goodSts(), { status: 203 })).some((x) => x.check === 'status'));
    assert.ok(check(stsExchange({ error: 'nope' }, { status: 500 })).some((x) => x.check === 'response'));
    const stream = [
      JSON.stringify({ type: 'ADDED', object: goodSts() }),
      JSON.stringify({ type: 'MODIFIED', object: { ...goodSts(), spec: { ...(goodSts().spec as object), replicas: 'two' } } }),
      JSON.stringify({ type: 'BOOKMARK', object: { kind: 'StatefulSet', apiVersion: 'apps/v1', metadata: { resourceVersion: '13' } } }),
    ].join('\n') + '\n';
    const v = check(stsExchange(undefined, { url: '/apis/apps/v1/namespaces/default/statefulsets?watch=1', responseBody: Buffer.from(stream) }));
    assert.ok(v.length > 0 && v.every((x) => /watch event 2/.test(x.message)), formatViolations(v));
  });

  it('catches a broken response end to end: a fake server behind the recording proxy', async () => {
    const bad = { ...goodSts(), spec: { ...(goodSts().spec as object), replicas: 'two' } };
    const fake = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(bad));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const proxy = await startRecordingProxy(`http://127.0.0.1:${(fake.address() as AddressInfo).port}`);
    try {
      const client = createKubemockClient({ baseUrl: proxy.url });
      await client.GET('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}', { params: { path: { namespace: 'default', name: 'web' } } });
      await proxy.settled();
      const { violations } = validateExchanges(proxy.exchanges);
      assert.ok(violations.some((x) => /spec\/replicas/.test(x.message)), formatViolations(violations));
    } finally {
      await proxy.stop();
      await new Promise<void>((r) => fake.close(() => r()));
    }
  });
});
