import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Behaviour } from '../server/runtime/behaviour.js';
import { handleFor, httpGet, testPod, testRuntime, testSubnet } from '../server/runtime/test-fixtures.js';

/**
 * A container's files reach the disk when something first uses them: most simulated pods are never
 * looked into, and creating ~20 directories and files per pod dominated large roll-outs. A user's
 * behaviour may take a host path from the synchronous files.resolve(), so it starts with them on disk.
 */
describe('container files', () => {
  let seenAtStart = '';
  const behaviours: Record<string, Behaviour> = {
    'example.com/host-path-reader': {
      name: 'host-path-reader',
      async start(ctx) {
        seenAtStart = readFileSync(ctx.files.resolve('/etc/hostname').hostPath, 'utf8');
      },
    },
  };
  const rt = testRuntime({ behaviours });
  after(() => rt.cleanup());
  const podDirs = (): string[] => (existsSync(join(rt.dataDir, 'pods')) ? readdirSync(join(rt.dataDir, 'pods')) : []);

  it('a built-in container writes nothing until its files are used, then serves them', async () => {
    const ip = `${testSubnet()}.21`;
    const pod = testPod('web-0', [{ name: 'nginx', image: 'nginx:1.27' }]);
    await rt.runtime.start(handleFor(pod, 'nginx', ip));
    assert.deepEqual(podDirs().filter((d) => d.startsWith('default_web-0_')), []);
    const page = await httpGet(`http://${ip}:80/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Welcome to nginx/);
    const [dir] = podDirs().filter((d) => d.startsWith('default_web-0_'));
    assert.ok(dir, 'serving the page created the file system');
    assert.equal(readFileSync(join(rt.dataDir, 'pods', dir, 'containers', 'nginx', 'rootfs', 'etc', 'hostname'), 'utf8'), 'web-0\n');
  });

  it("a user's behaviour finds its files on disk at start (files.resolve gives a host path)", async () => {
    const pod = testPod('reader-0', [{ name: 'app', image: 'example.com/host-path-reader' }]);
    await rt.runtime.start(handleFor(pod, 'app', `${testSubnet()}.22`));
    assert.equal(seenAtStart, 'reader-0\n');
  });
});
