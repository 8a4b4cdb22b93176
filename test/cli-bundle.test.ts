import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { bundleCli } from '../scripts/bundle-cli.js';
import { startEtcd, type EtcdServer } from './helpers/etcd-server.js';
import { eventually, kubectlOk, type KubectlTarget } from './helpers/kubectl.js';
import { installedBin, spawnKubemock, type KubemockProcess } from './helpers/process.js';
import { claimRanges, type ClaimedRanges } from './helpers/ranges.js';

/**
 * The CLI as users run it: bin/kubemock.js loads the esbuild bundle in dist/cli, rebuilt here from the
 * current sources. The bundle must still find the OpenAPI documents, load tsx for TypeScript behaviours,
 * and load its lazy chunks (ws, tar, etcd3) when they are first needed.
 */
describe('bin/kubemock.js on the bundled CLI', { timeout: 180_000 }, () => {
  let dir: string;
  let km: KubemockProcess;
  let k: KubectlTarget;
  let ranges: ClaimedRanges | undefined;

  before(async () => {
    await bundleCli();
    dir = await mkdtemp(join(tmpdir(), 'kubemock-bin-'));
    await writeFile(join(dir, 'hi.ts'), `
      const word: string = 'hi';
      export default { 'example.com/hi:*': { start(): void {}, exec(_c: unknown, argv: readonly string[], io: { stdout: { write(s: string): unknown } }): number | undefined {
        if (argv[0] !== 'hi') return undefined;
        io.stdout.write(word + ' from the bundle\\n');
        return 0;
      } } };
    `);
    const kubeconfig = join(dir, 'kubeconfig');
    km = await spawnKubemock([
      '--write-kubeconfig', kubeconfig, '--behaviours', join(dir, 'hi.ts'),
      '--pod-start-delay', '0', '--pod-ready-delay', '0', '--pod-stop-delay', '0',
      ...(ranges = await claimRanges()).args,
    ], 60_000, installedBin);
    k = { kubeconfig, cacheDir: join(dir, 'cache') };
  });
  after(async () => {
    await km?.stop();
    ranges?.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves the bundle ASCII, which bin/kubemock.js reads as latin1', async () => {
    const bytes = await readFile(join(import.meta.dirname, '..', 'dist', 'cli', 'main.cjs'));
    const offset = bytes.findIndex((b) => b > 0x7f);
    assert.equal(offset, -1, `a non-ASCII byte at offset ${offset}`);
  });

  it('serves discovery and the OpenAPI documents kubectl reads', async () => {
    assert.match(await kubectlOk(k, ['api-resources']), /statefulsets\s+sts\s+apps\/v1\s+true\s+StatefulSet/);
    const v3 = JSON.parse(await kubectlOk(k, ['get', '--raw', '/openapi/v3'])) as { paths: Record<string, unknown> };
    assert.ok(v3.paths['apis/apps/v1'], 'openapi/v3 lists apps/v1');
    assert.match(await kubectlOk(k, ['explain', 'statefulset.spec.serviceName']), /serviceName/);
  });

  it('runs a TypeScript behaviour through tsx, execs over WebSocket and copies with tar', async () => {
    await kubectlOk(k, ['run', 'hi', '--image=example.com/hi:1']);
    await eventually(async () => ((await kubectlOk(k, ['get', 'pod', 'hi', '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined), 30_000, 'hi Running');
    assert.equal(await kubectlOk(k, ['exec', 'hi', '--', 'hi']), 'hi from the bundle\n');
    await writeFile(join(dir, 'note.txt'), 'carried by tar\n');
    await kubectlOk(k, ['cp', join(dir, 'note.txt'), 'hi:/tmp/note.txt']);
    assert.equal(await kubectlOk(k, ['exec', 'hi', '--', 'cat', '/tmp/note.txt']), 'carried by tar\n');
  });

  it('stops cleanly on a SIGTERM sent the moment it prints its ready line, five times out of five', async () => {
    // the handlers must be in place before the line: a script that stops kubemock on it otherwise kills it outright.
    // spawnKubemock is too slow for this: its promise hop gives the old code time to install them.
    for (let i = 0; i < 5; i++) {
      const child = spawn(process.execPath, [...installedBin, 'serve', '--port', '0', '--dns-port', '0', '--grpc-port', '0', '--nodes', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('kubemock ready:')) child.kill('SIGTERM');
      });
      assert.deepEqual(await exited, [0, null], `run ${i + 1}: exit code and signal`);
    }
  });

  it('writes a kubeconfig that client-node accepts', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(k.kubeconfig, 'utf8'));
    const ns = await kc.makeApiClient(CoreV1Api).listNamespace();
    assert.ok(ns.items.some((n) => n.metadata?.name === 'kube-system'));
  });
});

describe('bin/kubemock.js on etcd (the etcd chunk and etcd3 load on demand)', { timeout: 120_000 }, () => {
  let etcd: EtcdServer;
  let km: KubemockProcess;

  before(async () => {
    await bundleCli();
    etcd = await startEtcd();
    km = await spawnKubemock(['--etcd-endpoints', etcd.endpoint, '--nodes', '0'], 60_000, installedBin);
  });
  after(async () => {
    await km?.stop();
    await etcd?.stop();
  });

  it('creates and reads back a ConfigMap kept in etcd', async () => {
    const base = `${km.urls.api}/api/v1/namespaces/default/configmaps`;
    const created = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'in-etcd' }, data: { a: '1' } }) });
    assert.equal(created.status, 201, await created.clone().text());
    const read = (await (await fetch(`${base}/in-etcd`)).json()) as { data?: Record<string, string> };
    assert.deepEqual(read.data, { a: '1' });
  });
});
