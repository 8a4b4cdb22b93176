import type { Logger } from 'pino';
import type { Clock } from '../meta/clock.js';
import { startNodes, type FailureInjection } from '../nodes/index.js';
import type { NodePool } from '../nodes/node-pool.js';
import type { PodBinder } from '../nodes/binding.js';
import type { ContainerRuntime } from '../nodes/runtime.js';
import type { InformerFactory } from '../store/informer.js';
import type { ObjectClient } from './client.js';
import type { Controller, ControllerConfig, ControllerDeps } from './deps.js';
import { startEndpointsController } from './endpoints.js';
import { startEndpointSliceController } from './endpointslices.js';
import { eventRecorder } from './events.js';
import { startGarbageCollector } from './garbage-collector.js';
import { startServiceAccountsController } from './serviceaccounts.js';
import { startDisruptionController } from './disruption.js';
import { startStorageProtectionController } from './storage-protection.js';
import { startNamespaceController } from './namespace.js';
import { startPersistentVolumeController } from './persistentvolume.js';
import { startRootCAPublisher } from './root-ca-publisher.js';
import { startStatefulSetController } from './statefulset.js';

export type { ControllerConfig } from './deps.js';

export interface ControllerPlaneOptions {
  informers: InformerFactory;
  client: ObjectClient;
  clock: Clock;
  logger: Logger;
  config: ControllerConfig;
  binder: PodBinder;
  runtime?: ContainerRuntime;
  kubeletVersion?: string;
  /** The CA bundle kube-root-ca.crt publishes; without one, none is published. */
  rootCA?: Promise<string>;
}

export interface RunningControllers {
  controllers: Controller[];
  failures: FailureInjection;
  pool: NodePool;
  /** Resolves once every queue is idle at the same moment. */
  idle(): Promise<void>;
  stop(): void;
}

/** Starts every controller of the simulated control plane, node agents included. */
export function startControllers(base: ControllerPlaneOptions): RunningControllers {
  // the StatefulSet controller is the one that records through deps (the others name their own recorders)
  const deps: ControllerDeps = { ...base, events: eventRecorder(base.client, base.clock, base.logger, 'statefulset-controller') };
  const nodes = startNodes(deps, { binder: base.binder, runtime: base.runtime, kubeletVersion: base.kubeletVersion });
  const controllers: Controller[] = [
    startStatefulSetController(deps),
    startGarbageCollector(deps),
    startPersistentVolumeController(deps),
    startEndpointsController(deps),
    startEndpointSliceController(deps),
    startNamespaceController(deps),
    startServiceAccountsController(deps),
    startStorageProtectionController(deps),
    startDisruptionController(deps),
    ...(base.rootCA ? [startRootCAPublisher(deps, base.rootCA)] : []),
    ...nodes.controllers,
  ];
  return {
    controllers,
    failures: nodes.failures,
    pool: nodes.pool,
    async idle() {
      for (;;) {
        await Promise.all(controllers.map((c) => c.queue.whenIdle()));
        await new Promise((r) => setImmediate(r));
        if (controllers.every((c) => c.queue.isIdle())) return;
      }
    },
    stop() {
      for (const c of controllers) c.stop();
    },
  };
}
