import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk, tableRows } from './helpers/kubectl.js';

interface BudgetStatus {
  currentHealthy: number; desiredHealthy: number; expectedPods: number; disruptionsAllowed: number; observedGeneration?: number;
  disruptedPods?: Record<string, string>; conditions?: { type: string; status: string; reason: string; message: string }[];
}

describe('PodDisruptionBudgets: the disruption controller counts, evictions and kubectl drain respect them', () => {
  let c: TestCluster;
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> => {
    const res = await fetch(c.urls.api + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, json: await res.json() as Record<string, unknown>, headers: res.headers };
  };
  const status = async (name: string): Promise<BudgetStatus> => (await api('GET', `/apis/policy/v1/namespaces/default/poddisruptionbudgets/${name}`)).json.status as BudgetStatus;
  const statefulSet = (name: string, replicas: number) => ({
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      replicas, serviceName: name, podManagementPolicy: 'Parallel', selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.28.4', command: ['sleep', '3600'] }] } },
    },
  });

  before(async () => {
    c = await startTestCluster();
    for (const name of ['web', 'db']) assert.equal((await api('POST', '/apis/apps/v1/namespaces/default/statefulsets', statefulSet(name, 2))).status, 201);
    await eventually(async () => (await kubectlOk(c, ['get', 'sts', 'web', 'db', '-o', 'jsonpath={.items[*].status.readyReplicas}'])) === '2 2' || undefined, 30_000, 'both sets ready');
  });
  after(async () => {
    await c.stop();
  });

  it('kubectl create pdb (protobuf) gets a status from the controller, and get pdb shows its columns', async () => {
    assert.equal(await kubectlOk(c, ['create', 'pdb', 'web', '--selector=app=web', '--max-unavailable=1']), 'poddisruptionbudget.policy/web created\n');
    const s = await eventually(async () => { const x = await status('web'); return x.observedGeneration === 1 && x.expectedPods === 2 ? x : undefined; }, 15_000, 'web budget counted');
    assert.deepEqual([s.currentHealthy, s.desiredHealthy, s.expectedPods, s.disruptionsAllowed], [2, 1, 2, 1]);
    assert.deepEqual(s.conditions?.map((x) => [x.type, x.status, x.reason, x.message]), [['DisruptionAllowed', 'True', 'SufficientPods', '']]);
    const rows = tableRows(await kubectlOk(c, ['get', 'pdb', 'web']));
    assert.deepEqual(rows[0], ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
    assert.deepEqual(rows[1].slice(0, 4), ['web', 'N/A', '1', '1']);
  });

  it('an eviction the budget does not allow is a 429 in EvictionREST\'s words, and the pod stays', async () => {
    assert.equal((await api('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { metadata: { name: 'db' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } } })).status, 201);
    await eventually(async () => (await status('db')).expectedPods === 2 || undefined, 15_000, 'db budget counted');
    const r = await api('POST', '/api/v1/namespaces/default/pods/db-0/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'db-0' } });
    assert.equal(r.status, 429);
    assert.deepEqual(r.json, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Cannot evict pod as it would violate the pod\'s disruption budget.', reason: 'TooManyRequests',
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget db needs 2 healthy pods and has 2 currently' }] }, code: 429,
    });
    assert.equal((await api('GET', '/api/v1/namespaces/default/pods/db-0')).json.metadata && (await api('GET', '/api/v1/namespaces/default/pods/db-0')).status, 200);
  });

  it('an allowed eviction takes a disruption from the budget and records the pod until it is gone', async () => {
    const r = await api('POST', '/api/v1/namespaces/default/pods/web-0/eviction?dryRun=All', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-0' } });
    assert.equal(r.status, 201);
    assert.equal((await status('web')).disruptedPods, undefined, 'a dry run records nothing');
  });

  it('kubectl drain of both nodes keeps one web pod up: the second eviction waits for the first pod to come back', async () => {
    const nodes = (await kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}'])).split(' ');
    await kubectlOk(c, ['delete', 'pdb', 'db']);
    const drain = await kubectl(c, ['drain', ...new Set(nodes), '--ignore-daemonsets', '--timeout=60s'], { timeoutMs: 90_000 });
    assert.equal(drain.code, 0, drain.stderr);
    assert.match(drain.stdout, /pod\/web-0 evicted/);
    assert.match(drain.stdout, /pod\/web-1 evicted/);
    for (const n of new Set(nodes)) await kubectl(c, ['uncordon', n]);
    await eventually(async () => (await kubectlOk(c, ['get', 'sts', 'web', '-o', 'jsonpath={.status.readyReplicas}'])) === '2' || undefined, 30_000, 'web back');
  });

  it('maxUnavailable over pods without a controller counts none of them; a controller kubemock cannot scale fails the sync', async () => {
    const pod = (name: string, app: string, extra: Record<string, unknown> = {}) => ({ metadata: { name, labels: { app }, ...extra }, spec: { containers: [{ name: 'c', image: 'busybox:1.28.4', command: ['sleep', '3600'] }] } });
    await api('POST', '/api/v1/namespaces/default/pods', pod('loose', 'loose'));
    await api('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { metadata: { name: 'loose' }, spec: { maxUnavailable: '50%', selector: { matchLabels: { app: 'loose' } } } });
    const s = await eventually(async () => { const x = await status('loose'); return x.conditions?.length ? x : undefined; }, 15_000, 'loose budget synced');
    assert.deepEqual([s.expectedPods, s.disruptionsAllowed, s.conditions?.[0].reason], [0, 0, 'InsufficientPods']);
    const events = await kubectlOk(c, ['get', 'events', '--field-selector=involvedObject.name=loose,reason=UnmanagedPods', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /^Pods selected by this PodDisruptionBudget \(selector: &LabelSelector\{MatchLabels:map\[string\]string\{app: loose,\},MatchExpressions:\[\]LabelSelectorRequirement\{\},\}\) were found to be unmanaged/);

    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '0f1e2d3c-0000-4000-8000-000000000001', controller: true };
    await api('POST', '/api/v1/namespaces/default/pods', pod('owned', 'owned', { ownerReferences: [owner] }));
    await api('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { metadata: { name: 'owned' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'owned' } } } });
    const f = await eventually(async () => { const x = await status('owned'); return x.conditions?.length ? x : undefined; }, 15_000, 'owned budget synced');
    assert.deepEqual(f.conditions?.map((x) => [x.status, x.reason, x.message]), [['False', 'SyncFailed', 'found no controllers for pod "owned"']]);
  });

  it('validation refuses both bounds, bad percents and unknown policies, in ValidatePodDisruptionBudgetSpec\'s words', async () => {
    const r = await api('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { metadata: { name: 'bad' }, spec: { minAvailable: 1, maxUnavailable: '150%', unhealthyPodEvictionPolicy: 'Sometimes' } });
    assert.equal(r.status, 422);
    assert.match(String(r.json.message), /spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set/);
    assert.match(String(r.json.message), /spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%/);
    assert.match(String(r.json.message), /spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"/);
  });
});
