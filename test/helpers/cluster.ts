import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubemock, type KubemockOptions, type RunningKubemock } from '../../server/cli/cluster.js';
import { writeKubeconfig } from '../../server/cli/kubeconfig.js';

export interface TestCluster extends RunningKubemock {
  kubeconfig: string;
  /** A fresh kubectl cache directory, so discovery and /version are never stale between tests. */
  cacheDir: string;
  dir: string;
}

/** Starts kubemock in-process on a free loopback port with a kubeconfig for kubectl and client-node. */
export async function startTestCluster(opts: Partial<KubemockOptions> = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemock-test-'));
  const km = await startKubemock({
    port: 0, host: '127.0.0.1', logLevel: 'silent', ...opts,
    dns: { port: 0, ...opts.dns },
    grpcPort: opts.grpcPort ?? 0,
    controllers: { podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, ...opts.controllers },
  });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, { server: km.urls.api });
  const cacheDir = join(dir, 'cache');
  return {
    ...km,
    kubeconfig,
    cacheDir,
    dir,
    async stop() {
      await km.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
