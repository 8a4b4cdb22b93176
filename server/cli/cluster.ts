import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { createApiApp } from '../api/server.js';
import { versionInfo } from '../api/version.js';
import { realClock, type Clock } from '../meta/clock.js';
import { isStatusError } from '../meta/errors.js';
import { Registry } from '../registry/generic.js';
import { buildResources, defaultClusterConfig, type ClusterConfig } from '../registry/kinds/index.js';
import type { Storage } from '../store/storage.js';
import { MemoryStorage } from '../store/memory.js';
import { bootstrapObjects } from './bootstrap.js';

export interface KubemockOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logLevel: string;
  kubernetesMinor: number;
  cluster: Partial<ClusterConfig>;
  clock?: Clock;
  storage?: Storage;
  logger?: Logger;
}

export const defaultOptions: KubemockOptions = {
  host: '127.0.0.1',
  port: 8080,
  logLevel: 'info',
  kubernetesMinor: 32,
  cluster: {},
};

export interface RunningKubemock {
  urls: { api: string };
  registry: Registry;
  clock: Clock;
  logger: Logger;
  stop(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The composition root: the only place that builds the clock, store, registry and servers and connects them. */
export async function startKubemock(partial: Partial<KubemockOptions> = {}): Promise<RunningKubemock> {
  const opts: KubemockOptions = { ...defaultOptions, ...partial };
  const clock = opts.clock ?? realClock;
  const logger = opts.logger ?? pino({ level: opts.logLevel, base: undefined }, pino.destination(2));
  const config: ClusterConfig = { ...defaultClusterConfig, kubernetesMinor: opts.kubernetesMinor, ...opts.cluster };
  const storage = opts.storage ?? new MemoryStorage();
  const registry = new Registry({ storage, clock, resources: buildResources(config) });
  await bootstrapObjects(registry);

  const app = createApiApp({ registry, clock, logger, version: versionInfo(opts.kubernetesMinor) });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  const address = await listen(server, opts.host, opts.port);
  const api = `http://${urlHost(opts.host)}:${address.port}`;
  logger.debug({ api }, 'api listening');

  let stopped = false;
  return {
    urls: { api },
    registry,
    clock,
    logger,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await storage.close();
    },
  };
}

export { isStatusError };
