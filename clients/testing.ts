/**
 * A contract test kit: kubemock in-process on free loopback ports, with everything a test suite needs
 * to talk to it (the URL, a kubeconfig file for kubectl, a ready client-node KubeConfig, the typed SDK client).
 *
 *   const km = await startKubemockForTests();
 *   after(() => km.stop());
 *   await km.client.POST('/api/v1/namespaces', { body: { metadata: { name: 'team-a' } } });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startKubemock, type KubemockOptions, type RunningKubemock } from '../server/cli/cluster.js';
import { writeKubeconfig } from '../server/cli/kubeconfig.js';
import { createKubemockClient, type KubemockClient } from './index.js';

export interface KubemockForTestsOptions extends Partial<KubemockOptions> {
  /** Bearer token written into the kubeconfig and used by the SDK client. */
  token?: string;
}

export interface KubemockForTests {
  /** http://127.0.0.1:<port> of the REST API (pass to supertest, fetch or the SDK). */
  apiUrl: string;
  /** host:port of the gRPC API (see clients/grpc.ts), when it is on (grpcPort: null turns it off). */
  grpcAddress: string | undefined;
  /** A kubeconfig file for kubectl (`kubectl --kubeconfig=...`); removed by stop(). */
  kubeconfigPath: string;
  /** A @kubernetes/client-node KubeConfig for the same cluster (plain http, so TLS verification is off). */
  kubeConfig: KubeConfig;
  /** The typed REST SDK bound to this cluster. */
  client: KubemockClient;
  /** The running server, for tests that need the registry or controllersIdle(). */
  kubemock: RunningKubemock;
  stop(): Promise<void>;
}

/** Starts kubemock on 127.0.0.1 with free ports, controllers without artificial delays, quiet logs. */
export async function startKubemockForTests(options: KubemockForTestsOptions = {}): Promise<KubemockForTests> {
  const { token, ...rest } = options;
  const kubemock = await startKubemock({
    host: '127.0.0.1', logLevel: 'silent', ...rest, port: rest.port ?? 0, grpcPort: rest.grpcPort ?? 0,
    dns: { port: 0, ...rest.dns },
    controllers: { podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0, ...rest.controllers },
  });
  const dir = await mkdtemp(join(tmpdir(), 'kubemock-kit-'));
  try {
    const apiUrl = kubemock.urls.api;
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, { server: apiUrl, token });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'kubemock', server: apiUrl, skipTLSVerify: true }],
      users: [{ name: 'kubemock', ...(token ? { token } : {}) }],
      contexts: [{ name: 'kubemock', cluster: 'kubemock', user: 'kubemock', namespace: 'default' }],
      currentContext: 'kubemock',
    });
    let stopped = false;
    return {
      apiUrl, grpcAddress: kubemock.urls.grpc, kubeconfigPath, kubeConfig, kubemock,
      client: createKubemockClient({ baseUrl: apiUrl, token }),
      async stop() {
        if (stopped) return;
        stopped = true;
        await kubemock.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await kubemock.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
