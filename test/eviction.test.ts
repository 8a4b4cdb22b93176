import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually } from './helpers/kubectl.js';

interface PodJson {
  metadata: { uid: string; resourceVersion: string; deletionTimestamp?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

describe('pods/eviction as kube\'s EvictionREST answers it when no budget covers the pod', () => {
  let c: TestCluster;
  let core: CoreV1Api;
  // a long grace period keeps an evicted pod Terminating long enough to read it
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'c', image: 'busybox:1.28.4', command: ['sleep', '3600'] }] } });
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(c.urls.api + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  };
  const evict = (name: string, extra: Record<string, unknown> = {}, query = '') => call('POST', `/api/v1/namespaces/default/pods/${name}/eviction${query}`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...extra });
  const read = async (name: string) => (await call('GET', `/api/v1/namespaces/default/pods/${name}`)).json as unknown as PodJson;
  // Ready is the kubelet's last write, so the resourceVersion holds still after it
  const ready = (name: string) => eventually(async () => (await read(name)).status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') || undefined, 15_000, `${name} ready`);

  before(async () => {
    c = await startTestCluster({ controllers: { podStopDelayMs: 60_000 } });
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    for (const name of ['e1', 'e2', 'e3']) await core.createNamespacedPod({ namespace: 'default', body: pod(name) });
    await Promise.all(['e1', 'e2', 'e3'].map(ready));
  });
  after(async () => {
    await c.stop();
  });

  it('client-node\'s createNamespacedPodEviction marks the pod DisruptionTarget and starts its graceful deletion', async () => {
    const status = await core.createNamespacedPodEviction({ name: 'e1', namespace: 'default', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'e1' } } });
    assert.equal(status.kind, 'Status', 'client-node reads the answer as an Eviction, keeping its kind');
    const p = await read('e1');
    assert.ok(p.metadata.deletionTimestamp, 'Terminating');
    const cond = p.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
    assert.deepEqual({ ...cond, lastTransitionTime: undefined }, { type: 'DisruptionTarget', status: 'True', lastTransitionTime: undefined, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
  });

  it('answers 201 with a Success Status; a dry run changes nothing', async () => {
    const before = await read('e2');
    const r = await evict('e2', { deleteOptions: { dryRun: ['All'] } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    assert.equal((await evict('e2', {}, '?dryRun=All')).status, 201);
    assert.equal((await read('e2')).metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('refuses what kube refuses, in its words', async () => {
    const mismatch = await call('POST', '/api/v1/namespaces/default/pods/e2/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.json.message, 'name in URL does not match name in Eviction object');
    const dry = await evict('e2', { deleteOptions: { dryRun: ['All'] } }, '?dryRun=All&dryRun=All');
    assert.equal(dry.status, 400, 'kube\'s plain error would be a 500; bad input is a 400 here');
    assert.equal(dry.json.message, 'Non-matching dry-run options in request and content: [All All] and [All]');
    const uid = await evict('e2', { deleteOptions: { preconditions: { uid: 'not-it' } } });
    assert.equal(uid.status, 409);
    assert.match(String(uid.json.message), /^Operation cannot be fulfilled on Pod "e2": the UID in the precondition \(not-it\) does not match the UID in record/);
    assert.equal((await fetch(`${c.urls.api}/api/v1/namespaces/default/pods/e2/eviction`)).status, 405, 'eviction is POST only, as its route');
    const missing = await evict('nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'pods "nope" not found');
    assert.equal((await read('e2')).metadata.deletionTimestamp, undefined, 'none of these evicted e2');
  });

  it('a resourceVersion precondition holds against the pod as sent, then moves past the eviction\'s own write', async () => {
    const current = await read('e3');
    const stale = await evict('e3', { deleteOptions: { preconditions: { resourceVersion: '1' } } });
    assert.equal(stale.status, 409);
    const ok = await evict('e3', { deleteOptions: { preconditions: { resourceVersion: current.metadata.resourceVersion } } });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.ok((await read('e3')).metadata.deletionTimestamp);
  });
});
