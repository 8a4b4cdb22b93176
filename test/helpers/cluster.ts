import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubemock, type KubemockOptions, type RunningKubemock } from '../../server/cli/cluster.js';
import { writeKubeconfig } from '../../server/cli/kubeconfig.js';
import { ContractDocument } from '../contract/document.js';
import { partitionKnown } from '../contract/known-deviations.js';
import { startRecordingProxy, type RecordingProxy } from '../contract/recorder.js';
import { claimRanges } from './ranges.js';
import { ContractValidator, formatViolations } from '../contract/validate.js';

export interface TestCluster extends RunningKubemock {
  kubeconfig: string;
  /** A fresh kubectl cache directory, so discovery and /version are never stale between tests. */
  cacheDir: string;
  dir: string;
  /** The server itself, bypassing the contract proxy that urls.api points at. */
  directApi: string;
  proxy?: RecordingProxy;
}

export interface TestClusterOptions extends Partial<KubemockOptions> {
  /**
   * Put the recording proxy in front and validate every exchange against the OpenAPI document and
   * the upstream schemas when the cluster stops (on unless KUBEMOCK_CONTRACT=0).
   */
  contract?: boolean;
}

let sharedDocument: ContractDocument | undefined;

/** Starts kubemock in-process on a free loopback port with a kubeconfig for kubectl and client-node. */
export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemock-test-'));
  const { contract = process.env.KUBEMOCK_CONTRACT !== '0', ...kmOpts } = opts;
  // pod and service ranges of their own, so clusters of tests running side by side never share an address
  const ranges = await claimRanges();
  const km = await startKubemock({
    port: 0, host: '127.0.0.1', logLevel: 'silent', ...kmOpts,
    cluster: { serviceCidr: ranges.serviceCidr, ...opts.cluster },
    dns: { port: 0, ...opts.dns },
    grpcPort: opts.grpcPort ?? 0,
    controllers: { podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, podCidr: ranges.podCidr, ...opts.controllers },
  });
  const proxy = contract ? await startRecordingProxy(km.urls.api) : undefined;
  const api = proxy?.url ?? km.urls.api;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, { server: api });
  const cacheDir = join(dir, 'cache');
  return {
    ...km,
    urls: { ...km.urls, api },
    directApi: km.urls.api,
    proxy,
    kubeconfig,
    cacheDir,
    dir,
    async stop() {
      let problems = '';
      if (proxy) {
        await proxy.settled();
        const validator = new ContractValidator((sharedDocument ??= new ContractDocument()));
        for (const ex of [...proxy.exchanges].sort((a, b) => a.seq - b.seq)) validator.check(ex);
        const { unexpected } = partitionKnown(validator.report().violations);
        if (unexpected.length) problems = formatViolations(unexpected);
        await proxy.stop();
      }
      await km.stop();
      ranges.release();
      await rm(dir, { recursive: true, force: true });
      if (problems) throw new Error(`responses broke the published contract:\n${problems}`);
    },
  };
}
