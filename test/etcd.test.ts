import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { startEtcd, type EtcdServer } from './helpers/etcd-server.js';
import { spawnKubemock, type KubemockProcess } from './helpers/process.js';

const leaseKey = '/registry/leases/kube-system/kubemock-controller-manager';
const fastPods = ['--pod-start-delay', '0', '--pod-ready-delay', '0', '--pod-stop-delay', '0'];

async function api<T>(base: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': init.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls until check() returns a value; the deadline only bounds a broken run, it asserts no timing. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, deadlineMs = 60_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Reads ADDED/MODIFIED/DELETED lines of a watch stream until `want` matches one. */
async function watchUntil(base: string, path: string, want: (e: { type: string; object: { metadata: { name: string } } }) => boolean): Promise<{ seen: Promise<{ type: string; object: { metadata: { name: string } } }>; close(): void }> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}${path}`, { signal: ctrl.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const seen = (async () => {
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('watch ended');
      buf += Buffer.from(value).toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const e = JSON.parse(buf.slice(0, nl)) as { type: string; object: { metadata: { name: string } } };
        buf = buf.slice(nl + 1);
        if (want(e)) return e;
      }
    }
  })();
  return { seen, close: () => ctrl.abort() };
}

function statefulSet(name: string, replicas: number): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas, serviceName: name, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } },
    },
  };
}

describe('two kubemock instances on one etcd', { timeout: 180_000 }, () => {
  let etcd: EtcdServer;
  let etcdClient: Etcd3;
  const instances: KubemockProcess[] = [];

  before(async () => {
    etcd = await startEtcd();
    etcdClient = new Etcd3({ hosts: etcd.endpoint });
    for (let i = 0; i < 2; i++) instances.push(await spawnKubemock(['--etcd-endpoints', etcd.endpoint, ...fastPods], 60_000));
  });
  after(async () => {
    for (const k of instances) await k.stop();
    etcdClient?.close();
    await etcd?.stop();
  });

  async function leaderPid(): Promise<number | undefined> {
    const value = await etcdClient.get(leaseKey).string();
    if (!value) return undefined;
    const lease = JSON.parse(value) as { spec: { holderIdentity: string } };
    return Number(lease.spec.holderIdentity.split('_')[1]);
  }

  test('a write through one instance is read and watched through the other', async () => {
    const [a, b] = instances.map((k) => k.urls.api);
    const list = await api<{ metadata: { resourceVersion: string } }>(b, '/api/v1/namespaces/default/configmaps');
    const watch = await watchUntil(b, `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`,
      (e) => e.type === 'ADDED' && e.object.metadata.name === 'shared');
    const created = await api<{ metadata: { uid: string; resourceVersion: string } }>(a, '/api/v1/namespaces/default/configmaps', {
      method: 'POST', body: { metadata: { name: 'shared' }, data: { from: 'a' } },
    });
    assert.equal(created.status, 201);
    const event = await watch.seen;
    watch.close();
    assert.equal(event.object.metadata.name, 'shared');
    const read = await api<{ metadata: { uid: string; resourceVersion: string }; data: Record<string, string> }>(b, '/api/v1/namespaces/default/configmaps/shared');
    assert.equal(read.status, 200);
    assert.equal(read.body.metadata.uid, created.body.metadata.uid);
    assert.equal(read.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    // Optimistic concurrency spans instances: B's update with A's stale resourceVersion conflicts.
    const update = await api<{ metadata: { resourceVersion: string } }>(b, '/api/v1/namespaces/default/configmaps/shared', {
      method: 'PUT', body: { metadata: { name: 'shared', resourceVersion: created.body.metadata.resourceVersion }, data: { from: 'b' } },
    });
    assert.equal(update.status, 200);
    const stale = await api<{ code: number; reason: string }>(a, '/api/v1/namespaces/default/configmaps/shared', {
      method: 'PUT', body: { metadata: { name: 'shared', resourceVersion: created.body.metadata.resourceVersion }, data: { from: 'a again' } },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
  });

  test('readyz runs kube\'s etcd check against the shared etcd', async () => {
    const res = await fetch(`${instances[0].urls.api}/readyz?verbose`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]shutdown ok\nreadyz check passed\n');
    assert.equal(await (await fetch(`${instances[1].urls.api}/livez/etcd`)).text(), 'ok');
  });

  test('killing the leader hands the controllers over; the StatefulSet keeps converging, no pod created twice', async () => {
    const pidOf = new Map(instances.map((k) => [k.child.pid!, k]));
    const firstLeader = await eventually('a leader', async () => {
      const pid = await leaderPid();
      return pid !== undefined && pidOf.has(pid) ? pid : undefined;
    });
    const leader = pidOf.get(firstLeader)!;
    const survivor = instances.find((k) => k !== leader)!;
    const base = survivor.urls.api;

    assert.equal((await api(leader.urls.api, '/apis/apps/v1/namespaces/default/statefulsets', { method: 'POST', body: statefulSet('web', 2) })).status, 201);
    const readyPods = async (n: number): Promise<Pod[] | undefined> => {
      const pods = (await api<{ items: Pod[] }>(base, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body.items;
      const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === n && pods.length === n ? pods : undefined;
    };
    const before = await eventually('2 ready pods under the first leader', () => readyPods(2));

    leader.child.kill('SIGKILL');
    await leader.exited;
    const next = await eventually('a new leader', async () => {
      const pid = await leaderPid();
      return pid !== undefined && pid !== firstLeader ? pid : undefined;
    }, 30_000);
    assert.equal(next, survivor.child.pid);

    const scaled = await api(base, '/apis/apps/v1/namespaces/default/statefulsets/web', { method: 'PATCH', body: { spec: { replicas: 4 } } });
    assert.equal(scaled.status, 200);
    const afterPods = await eventually('4 ready pods under the new leader', () => readyPods(4));

    // The pods of the first term are the same objects: nobody deleted and recreated them.
    for (const p of before) {
      const now = afterPods.find((q) => q.metadata?.name === p.metadata?.name);
      assert.equal(now?.metadata?.uid, p.metadata?.uid, `${p.metadata?.name} kept its uid`);
      assert.equal(now?.metadata?.creationTimestamp, p.metadata?.creationTimestamp);
    }
    assert.deepEqual(afterPods.map((p) => p.metadata?.name).sort(), ['web-0', 'web-1', 'web-2', 'web-3']);
    // One successful create per ordinal, across both leaders.
    const events = (await api<{ items: Event[] }>(base, '/api/v1/namespaces/default/events')).body.items
      .filter((e) => e.reason === 'SuccessfulCreate' && e.involvedObject.name === 'web' && /create Pod/.test(e.message ?? ''));
    const creates = new Map<string, number>();
    for (const e of events) {
      const pod = /Pod (\S+)/.exec(e.message ?? '')![1];
      creates.set(pod, (creates.get(pod) ?? 0) + (e.count ?? 1));
    }
    assert.deepEqual(Object.fromEntries([...creates].sort()), { 'web-0': 1, 'web-1': 1, 'web-2': 1, 'web-3': 1 });
  });
});
