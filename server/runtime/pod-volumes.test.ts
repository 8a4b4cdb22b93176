import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { noObjects } from './pod-objects.js';
import { podVolumes } from './pod-volumes.js';

describe('podVolumes', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('touches the disk only on create(), and creates once however many containers ask', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kubemock-volumes-'));
    dirs.push(root);
    const pod = {
      metadata: { name: 'p', namespace: 'default', uid: 'u1' },
      spec: { containers: [], volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } }] },
    };
    const volumes = podVolumes(pod, '127.10.0.2', {}, { podDir: join(root, 'pod'), nodeDir: join(root, 'node') }, noObjects);
    const scratch = volumes.sources.get('scratch')!.hostPath;
    await assert.rejects(stat(scratch), { code: 'ENOENT' });
    const first = volumes.create();
    assert.equal(volumes.create(), first, 'a second container waits for the same creation');
    await first;
    assert.ok((await stat(scratch)).isDirectory());
    assert.equal(await readFile(join(volumes.sources.get('info')!.hostPath, 'name'), 'utf8'), 'p');
  });
});
