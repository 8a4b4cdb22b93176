import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { bootstrapObjects } from '../server/cli/bootstrap.js';
import { registryObjectClient } from '../server/cli/object-client.js';
import { core, type ObjectClient } from '../server/controllers/client.js';
import type { Controller, ControllerConfig, ControllerDeps } from '../server/controllers/deps.js';
import { eventRecorder } from '../server/controllers/events.js';
import { FakeClock } from '../server/meta/clock.js';
import type { KubeObject } from '../server/meta/types.js';
import { Registry } from '../server/registry/generic.js';
import { buildResources, defaultClusterConfig } from '../server/registry/kinds/index.js';
import { fieldTracker, patchApplier } from '../server/registry/patching.js';
import { InformerFactory } from '../server/store/informer.js';
import { MemoryStorage } from '../server/store/memory.js';

/** A registry, informers and controller deps on a fake clock, for integration tests of controllers. */
export interface Harness {
  clock: FakeClock;
  registry: Registry;
  storage: MemoryStorage;
  client: ObjectClient;
  deps: ControllerDeps;
  dataDir: string;
  controllers: Controller[];
  /** Waits until every queue is idle and no event is in flight. */
  settle(): Promise<void>;
  /** Moves the fake clock forward and settles after each due timer. */
  advance(ms: number): Promise<void>;
  get<T extends KubeObject>(resource: string, namespace: string, name: string, group?: string): Promise<T | undefined>;
  list<T extends KubeObject>(resource: string, namespace?: string, group?: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function startHarness(config: Partial<ControllerConfig> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const storage = new MemoryStorage();
  const registry = new Registry({
    storage, clock, resources: buildResources(defaultClusterConfig, { storage }), patcher: patchApplier(), fieldTracker: fieldTracker(),
  });
  await bootstrapObjects(registry, defaultClusterConfig.serviceCidr);
  const informers = new InformerFactory(registry);
  const client = registryObjectClient(registry);
  const logger = pino({ level: 'silent' });
  const dataDir = await mkdtemp(join(tmpdir(), 'kubemock-nodes-test-'));
  const deps: ControllerDeps = {
    informers, client, clock, logger, events: eventRecorder(client, clock, logger, 'test'),
    config: {
      featureGates: {}, dataDir, nodes: 3, podCidr: '127.10.0.0/16', podStartDelayMs: 0, podReadyDelayMs: 0, podStopDelayMs: 0,
      clusterDomain: 'cluster.local', ...config,
    },
  };
  const controllers: Controller[] = [];
  const settle = async (): Promise<void> => {
    for (let quiet = 0; quiet < 3;) {
      await Promise.all(controllers.map((c) => c.queue.whenIdle()));
      await new Promise((r) => setImmediate(r));
      quiet = controllers.every((c) => c.queue.isIdle()) ? quiet + 1 : 0;
    }
  };
  return {
    clock, registry, storage, client, deps, dataDir, controllers, settle,
    async advance(ms) {
      // Requeue delays are measured from when a reconcile ran: let in-flight ones finish first.
      await settle();
      const step = 100;
      for (let done = 0; done < ms; done += step) {
        clock.advance(Math.min(step, ms - done));
        await settle();
      }
    },
    async get<T extends KubeObject>(resource: string, namespace: string, name: string, group = '') {
      return client.get<T>({ group, resource }, namespace, name);
    },
    async list<T extends KubeObject>(resource: string, namespace?: string, group = '') {
      const page = await registry.list(registry.ref(group, resource), namespace);
      return page.items as T[];
    },
    async close() {
      for (const c of controllers) c.stop();
      informers.stop();
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function podManifest(name: string, extra: { containers?: number; labels?: Record<string, string>; hostname?: string; subdomain?: string; claim?: string; command?: string[] } = {}): KubeObject {
  const n = extra.containers ?? 1;
  return {
    metadata: { name, labels: extra.labels ?? { app: 'web' } },
    spec: {
      ...(extra.hostname ? { hostname: extra.hostname } : {}),
      ...(extra.subdomain ? { subdomain: extra.subdomain } : {}),
      containers: Array.from({ length: n }, (_, i) => ({
        name: `c${i}`, image: i === 0 ? 'nginx' : 'lgorissen/terra10-monitor', ports: [{ containerPort: 8090 + i, name: `p${i}` }],
        ...(extra.command ? { command: extra.command } : {}),
        ...(extra.claim ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}),
      })),
      ...(extra.claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: extra.claim } }] } : {}),
    },
  };
}

export { core };
