import type { Logger } from 'pino';
import type { Clock } from '../meta/clock.js';
import type { InformerFactory } from '../store/informer.js';
import type { ObjectClient } from './client.js';
import type { EventRecorder } from './events.js';
import type { WorkQueue } from './runtime.js';

/** Cluster settings controllers read (timings, feature gates, node count, data directory). */
export interface ControllerConfig {
  featureGates: Record<string, boolean>;
  /** Where provisioned volumes live (a temporary directory without --data-dir). */
  dataDir: string;
  nodes: number;
  podCidr: string;
  podStartDelayMs: number;
  podReadyDelayMs: number;
  podStopDelayMs: number;
  clusterDomain: string;
}

/** Everything a controller is built from; the composition root (server/cli) fills it in. */
export interface ControllerDeps {
  informers: InformerFactory;
  client: ObjectClient;
  clock: Clock;
  logger: Logger;
  events: EventRecorder;
  config: ControllerConfig;
}

export interface Controller {
  name: string;
  queue: WorkQueue;
  stop(): void;
}
