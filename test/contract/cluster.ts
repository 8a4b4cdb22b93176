/**
 * A test cluster whose every HTTP exchange goes through the recording proxy: the kubeconfig (for kubectl and
 * client-node) and `apiUrl` point at the proxy. `report()` validates everything recorded so far.
 *
 * To hold a whole suite to the contract, start clusters with startContractTestCluster() instead of
 * startTestCluster() and assert `partitionKnown(report().violations).unexpected` is empty in `after`.
 */
import { join } from 'node:path';
import { writeKubeconfig } from '../../server/cli/kubeconfig.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { startRecordingProxy, type RecordingProxy } from './recorder.js';
import { ContractValidator, type ContractReport } from './validate.js';

export interface ContractTestCluster extends TestCluster {
  /** The proxy's URL: use it instead of urls.api so the exchange is recorded. */
  apiUrl: string;
  proxy: RecordingProxy;
  /** Validates every exchange recorded since the last call (waits for open ones to end first). */
  report(): Promise<ContractReport>;
}

export async function startContractTestCluster(opts: Omit<NonNullable<Parameters<typeof startTestCluster>[0]>, 'contract'> = {}): Promise<ContractTestCluster> {
  const c = await startTestCluster({ ...opts, contract: false });
  const proxy = await startRecordingProxy(c.urls.api);
  const kubeconfig = join(c.dir, 'kubeconfig-contract');
  await writeKubeconfig(kubeconfig, { server: proxy.url });
  const validator = new ContractValidator();
  let checked = 0;
  return {
    ...c,
    kubeconfig,
    apiUrl: proxy.url,
    proxy,
    async report() {
      await proxy.settled();
      const fresh = [...proxy.exchanges].slice(checked).sort((a, b) => a.seq - b.seq);
      checked = proxy.exchanges.length;
      for (const ex of fresh) validator.check(ex);
      return validator.report();
    },
    async stop() {
      await proxy.stop();
      await c.stop();
    },
  };
}
