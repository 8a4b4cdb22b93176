import type { Logger } from 'pino';
import type { Clock } from '../meta/clock.js';
import type { InformerFactory } from '../store/informer.js';
import type { ObjectClient } from './client.js';
import type { Controller, ControllerConfig, ControllerDeps } from './deps.js';
import { eventRecorder } from './events.js';

export type { ControllerConfig } from './deps.js';

export interface RunningControllers {
  controllers: Controller[];
  /** Resolves once every queue is idle at the same moment. */
  idle(): Promise<void>;
  stop(): void;
}

/** Starts every controller of the simulated control plane, node agents included. */
export function startControllers(base: { informers: InformerFactory; client: ObjectClient; clock: Clock; logger: Logger; config: ControllerConfig }): RunningControllers {
  const deps: ControllerDeps = { ...base, events: eventRecorder(base.client, base.clock, base.logger, 'kubemock') };
  const controllers: Controller[] = [];
  void deps;
  return {
    controllers,
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
