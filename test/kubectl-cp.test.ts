import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';
import { eventually, kubectl, kubectlOk } from './helpers/kubectl.js';

/**
 * kubectl cp against simulated containers: copying in execs `test -d DEST` and then
 * `tar -xmf - -C DIR` with an archive on stdin; copying out execs `tar cf - PATH` and unpacks stdout.
 * Both go through the simulated shell's tar.
 */

async function readyPod(c: TestCluster, name: string): Promise<void> {
  await eventually(async () => {
    const pod = JSON.parse(await kubectlOk(c, ['get', 'pod', name, '-o', 'json'])) as Pod;
    return pod.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? true : undefined;
  }, 30_000, `${name} Ready`);
}

/** A pod whose /ro is a readOnly mount of an emptyDir that /rw mounts writable. */
const readOnlyPod = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ro' },
  spec: {
    terminationGracePeriodSeconds: 0,
    volumes: [{ name: 'data', emptyDir: {} }],
    containers: [{
      name: 'bb', image: 'busybox:1.28.4', command: ['sleep', '3600'],
      volumeMounts: [{ name: 'data', mountPath: '/ro', readOnly: true }, { name: 'data', mountPath: '/rw' }],
    }],
  },
});

function localTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubemock-cp-'));
  writeFileSync(join(dir, 'file.txt'), 'hello from the laptop\n');
  mkdirSync(join(dir, 'tree', 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'tree', 'a.txt'), 'alpha\n');
  writeFileSync(join(dir, 'tree', 'sub', 'b.txt'), 'beta\n');
  writeFileSync(join(dir, 'tree', 'sub', 'deeper', 'c.bin'), Buffer.from([0, 1, 2, 255, 254, 10, 13]));
  return dir;
}

describe('kubectl cp into and out of simulated containers', () => {
  let c: TestCluster;
  let local: string;

  before(async () => {
    c = await startTestCluster();
    local = localTree();
    await kubectlOk(c, ['run', 'bb', '--image=busybox:1.28.4', '--command', '--', 'sleep', '3600']);
    await kubectlOk(c, ['apply', '-f', '-'], { stdin: readOnlyPod });
    await readyPod(c, 'bb');
    await readyPod(c, 'ro');
  });
  after(async () => {
    await c.stop();
    rmSync(local, { recursive: true, force: true });
  });

  it('a local file lands at the named path; copied into a directory it keeps its name', async () => {
    await kubectlOk(c, ['cp', join(local, 'file.txt'), 'bb:/tmp/f.txt']);
    assert.equal(await kubectlOk(c, ['exec', 'bb', '--', 'cat', '/tmp/f.txt']), 'hello from the laptop\n');
    await kubectlOk(c, ['cp', join(local, 'file.txt'), 'bb:/root']);
    assert.equal(await kubectlOk(c, ['exec', 'bb', '--', 'cat', '/root/file.txt']), 'hello from the laptop\n');
  });

  it('a local directory is copied in recursively, binary content intact', async () => {
    await kubectlOk(c, ['cp', join(local, 'tree'), 'bb:/srv']);
    assert.equal(await kubectlOk(c, ['exec', 'bb', '--', 'cat', '/srv/a.txt', '/srv/sub/b.txt']), 'alpha\nbeta\n');
    const bytes = await kubectlOk(c, ['exec', 'bb', '--', 'sh', '-c', 'wc -c < /srv/sub/deeper/c.bin']);
    assert.equal(bytes.trim(), '7');
  });

  it('a file and a directory come back out of the pod', async () => {
    const h = join(local, 'h');
    await kubectlOk(c, ['cp', 'bb:/etc/hostname', h]);
    assert.equal(readFileSync(h, 'utf8'), 'bb\n');
    const back = join(local, 'back');
    await kubectlOk(c, ['cp', 'bb:/srv', back]);
    assert.equal(readFileSync(join(back, 'sub', 'b.txt'), 'utf8'), 'beta\n');
    assert.deepEqual([...readFileSync(join(back, 'sub', 'deeper', 'c.bin'))], [0, 1, 2, 255, 254, 10, 13]);
  });

  it('a missing file in the pod copies nothing; tar in the pod says why and fails', async () => {
    // kubectl itself may still exit 0 here, as against a real cluster (kubernetes/kubectl#980)
    await kubectl(c, ['cp', 'bb:/nope/x', join(local, 'x')]);
    assert.equal(existsSync(join(local, 'x')), false);
    const r = await kubectl(c, ['exec', 'bb', '--', 'tar', 'cf', '-', '/nope/x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tar: \/nope\/x: No such file or directory\ntar: error exit delayed from previous errors\n/);
  });

  it('copying into a readOnly mount fails with "Read-only file system"; the writable mount of the same volume works', async () => {
    const r = await kubectl(c, ['cp', join(local, 'file.txt'), 'ro:/ro/f.txt']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /tar: can't open 'f\.txt': Read-only file system/);
    assert.equal((await kubectl(c, ['exec', 'ro', '--', 'cat', '/ro/f.txt'])).code, 1);
    await kubectlOk(c, ['cp', join(local, 'file.txt'), 'ro:/rw/f.txt']);
    assert.equal(await kubectlOk(c, ['exec', 'ro', '--', 'cat', '/ro/f.txt']), 'hello from the laptop\n');
  });
});

// The default cluster (1.32) execs over WebSocket v5; 1.30 is the first kubectl to do so by default.
// 1.27 execs over SPDY, where a stdin stream FINed too early lost copies ("tar: short read").
describe('kubectl cp from another kubectl version', () => {
  for (const minor of [27, 30]) {
    it(`kubectl 1.${minor}: in and out again`, async () => {
      const c = await startTestCluster({ kubernetesMinor: minor });
      const local = localTree();
      try {
        await kubectlOk(c, ['run', 'bb', '--image=busybox:1.28.4', '--command', '--', 'sleep', '3600']);
        await readyPod(c, 'bb');
        await kubectlOk(c, ['cp', join(local, 'tree'), 'bb:/tmp/tree']);
        assert.equal(await kubectlOk(c, ['exec', 'bb', '--', 'cat', '/tmp/tree/sub/b.txt']), 'beta\n');
        await kubectlOk(c, ['cp', 'bb:/tmp/tree', join(local, 'out')]);
        assert.equal(readFileSync(join(local, 'out', 'a.txt'), 'utf8'), 'alpha\n');
      } finally {
        await c.stop();
        rmSync(local, { recursive: true, force: true });
      }
    });
  }
});
