import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster } from './helpers/cluster.js';
import { claimRanges } from './helpers/ranges.js';
import { seedDir } from './helpers/seed.js';
import { eventually } from './helpers/kubectl.js';
import { spawnKubemock, type KubemockProcess } from './helpers/process.js';

const seed = seedDir;

interface Item {
  metadata: { name: string; resourceVersion: string };
  data?: Record<string, string>;
}

describe('--data-dir: nothing acknowledged is lost (issue 7)', () => {
  const dirs: string[] = [];
  // every process a test starts, stopped here too: one left running after a failed assertion keeps the runner waiting
  const started: KubemockProcess[] = [];
  const spawn = async (args: string[]): Promise<KubemockProcess> => {
    const p = await spawnKubemock(args);
    started.push(p);
    return p;
  };
  after(async () => {
    for (const p of started) await p.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('survives kill -9 in the middle of concurrent writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubemock-crash-'));
    dirs.push(dir);
    const first = await spawn(['--data-dir', dir, '--nodes', '0']);
    const api = first.urls.api;
    const acknowledged = new Map<string, string>();
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        const value = `value-${w}-${i}`;
        try {
          const res = await fetch(`${api}/api/v1/namespaces/default/configmaps`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: value } }),
          });
          if (res.status === 201) acknowledged.set(name, value);
          await res.arrayBuffer();
        } catch {
          return; // the server died mid-request: that write was never acknowledged
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    while (acknowledged.size < 300) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await first.exited;
    assert.ok(acknowledged.size >= 300);

    const second = await spawn(['--data-dir', dir, '--nodes', '0']);
    try {
      const list = await (await fetch(`${second.urls.api}/api/v1/namespaces/default/configmaps`)).json() as { metadata: { resourceVersion: string }; items: Item[] };
      const stored = new Map(list.items.map((i) => [i.metadata.name, i]));
      for (const [name, value] of acknowledged) {
        assert.equal(stored.get(name)?.data?.v, value, `acknowledged write ${name} survived`);
      }
      // (kube-root-ca.crt is the root CA publisher's)
      for (const item of list.items.filter((i) => i.metadata.name !== 'kube-root-ca.crt')) assert.ok(item.data?.v?.startsWith('value-'), `no half-written object: ${item.metadata.name}`);
      const maxRv = Math.max(...list.items.map((i) => Number(i.metadata.resourceVersion)));
      const created = await (await fetch(`${second.urls.api}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } }),
      })).json() as Item;
      assert.ok(Number(created.metadata.resourceVersion) > maxRv, 'resourceVersions continue upward after a restart');
    } finally {
      await second.stop();
    }
  });
  it('brings pods back after kill -9: same IPs, their servers up again, their volumes intact', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'kubemock-crash-'));
    dirs.push(dir);
    const ranges = await claimRanges();
    t.after(() => ranges.release());
    const args = ['--data-dir', dir, ...ranges.args, '--pod-start-delay', '0', '--pod-ready-delay', '0', '--pod-stop-delay', '0'];
    const first = await spawn(args);
    const post = async (path: string, file: string): Promise<void> => {
      const res = await fetch(`${first.urls.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: readFileSync(join(seed, file)) });
      assert.equal(res.status, 201, await res.text());
    };
    await post('/api/v1/namespaces/default/services', 'terra10-service-headless.yaml');
    await post('/apis/apps/v1beta1/namespaces/default/statefulsets', 'terra10-statefulset.yaml');
    const readyIP = (api: string) => eventually(async () => {
      const pod = await (await fetch(`${api}/api/v1/namespaces/default/pods/terra10-0`)).json() as Pod;
      return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? pod.status.podIP : undefined;
    }, 30_000, 'terra10-0 ready');
    const ip = await readyIP(first.urls.api);
    assert.equal(await (await fetch(`http://${ip}:8090?name=Luc&from=DenBosch&to=Mars`)).text(), 'Hello, on terra10-0, Luc will be transported from DenBosch to Mars using the Terra10 transporter service\n');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await spawn(args);
    try {
      assert.equal(await readyIP(second.urls.api), ip);
      const log = await eventually(async () => (await fetch(`http://${ip}:8092`)).text(), 30_000, 'the monitor answering again');
      assert.equal(log, 'transporter terra10-0 has transporteed Luc is transported from DenBosch to Mars\n');
    } finally {
      await second.stop();
    }
  });
});

describe('without --data-dir nothing is left behind', () => {
  it('an in-memory cluster removes its volume directory when it stops', async () => {
    const c = await startTestCluster();
    const dir = c.dataDir;
    assert.ok(existsSync(dir), `${dir} exists while the cluster runs`);
    await c.stop();
    assert.equal(existsSync(dir), false, `${dir} is removed on stop`);
  });
});
