import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnKubemock } from './helpers/process.js';

interface Item {
  metadata: { name: string; resourceVersion: string };
  data?: Record<string, string>;
}

describe('--data-dir: nothing acknowledged is lost (issue 7)', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('survives kill -9 in the middle of concurrent writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubemock-crash-'));
    dirs.push(dir);
    const first = await spawnKubemock(['--data-dir', dir, '--nodes', '0']);
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

    const second = await spawnKubemock(['--data-dir', dir, '--nodes', '0']);
    try {
      const list = await (await fetch(`${second.urls.api}/api/v1/namespaces/default/configmaps`)).json() as { metadata: { resourceVersion: string }; items: Item[] };
      const stored = new Map(list.items.map((i) => [i.metadata.name, i]));
      for (const [name, value] of acknowledged) {
        assert.equal(stored.get(name)?.data?.v, value, `acknowledged write ${name} survived`);
      }
      for (const item of list.items) assert.ok(item.data?.v?.startsWith('value-'), `no half-written object: ${item.metadata.name}`);
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
});
