import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdServer {
  endpoint: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A loopback port nobody holds right now (etcd cannot report the port it picked for :0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Whether Debian's etcd-server is installed (scripts/install-test-tools.sh installs it in CI). */
export async function etcdAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('etcd', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`);
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts a single-member etcd on loopback with a temporary data directory; stop() kills it and removes the directory. */
/** Starts Debian's etcd on loopback; fails (never skips) when it is missing, naming the fix. */
export async function startEtcd(): Promise<EtcdServer> {
  if (!(await etcdAvailable())) throw new Error('etcd is not installed: scripts/install-test-tools.sh installs it (npm run test:all runs it)');
  const dir = await mkdtemp(join(tmpdir(), 'kubemock-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child = spawn('etcd', [
    '--name', 't', '--data-dir', dir,
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `t=${peerUrl}`, '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  // Poll the health endpoint: etcd prints nothing reliable on stdout when it is ready.
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    if (await healthy(endpoint)) return { endpoint, child, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`etcd did not become healthy: ${err}`);
}
