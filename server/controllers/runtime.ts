import type { Clock, Timer } from '../meta/clock.js';
import type { Logger } from 'pino';
import type { Controller } from './deps.js';

/** What a reconcile asks for next: nothing, or another look after a delay (level-triggered, key only). */
export interface Result {
  requeueAfterMs?: number;
}

/** An error that retrying cannot fix: logged, not retried (controller-runtime's TerminalError). */
export class TerminalError extends Error {}

export type Reconciler = (key: string) => Promise<Result | void>;

export interface QueueOptions {
  name: string;
  clock: Clock;
  logger: Logger;
  reconcile: Reconciler;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Start reconciles from the next macrotask (setImmediate) instead of a microtask, so that every
   * change the current burst of work makes lands before the key is looked at. For a controller
   * whose reconcile reads many objects (a StatefulSet and all of its pods) this means one
   * reconcile per burst of events instead of one per event; there is no timer and no fixed wait.
   */
  coalesce?: boolean;
}

/**
 * A keyed work queue: identical keys are merged, one key is never reconciled twice at once, errors
 * are retried with exponential back-off, and a reconcile may ask to be requeued after a delay.
 * Node has one thread, but an async reconcile interleaves with others at every await, so the
 * per-key exclusion matters as much as in Go.
 */
export class WorkQueue {
  private readonly dirty = new Set<string>();
  private readonly running = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, Timer>();
  private readonly idleWaiters: (() => void)[] = [];
  private scheduled = false;
  private stopped = false;

  constructor(private readonly opts: QueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    this.dirty.add(key);
    this.schedule();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) return this.add(key);
    this.delayed.get(key)?.cancel();
    this.delayed.set(key, this.opts.clock.setTimer(delayMs, () => {
      this.delayed.delete(key);
      this.add(key);
    }));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.delayed.values()) t.cancel();
    this.delayed.clear();
    this.dirty.clear();
  }

  /** True when nothing is queued or running (delayed requeues do not count). */
  isIdle(): boolean {
    return this.dirty.size === 0 && this.running.size === 0;
  }

  /** Resolves once the queue is idle; tests use it to wait for convergence without sleeping. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      if (!this.stopped) this.drain();
    };
    if (this.opts.coalesce) setImmediate(run);
    else queueMicrotask(run);
  }

  private drain(): void {
    for (const key of [...this.dirty]) {
      if (this.running.has(key)) continue;
      this.dirty.delete(key);
      this.running.add(key);
      void this.process(key);
    }
    this.notifyIdle();
  }

  private async process(key: string): Promise<void> {
    const { logger, reconcile, name } = this.opts;
    try {
      const result = await reconcile(key);
      this.failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      if (err instanceof TerminalError) {
        logger.error({ err, controller: name, key }, 'reconcile failed permanently');
        this.failures.delete(key);
      } else {
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        const delay = Math.min((this.opts.baseBackoffMs ?? 5) * 2 ** (n - 1), this.opts.maxBackoffMs ?? 30_000);
        logger.debug({ err, controller: name, key, retryInMs: delay }, 'reconcile failed; will retry');
        this.addAfter(key, delay);
      }
    } finally {
      this.running.delete(key);
      if (this.dirty.size) this.schedule();
      this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** A started controller: stopping it drops its informer subscriptions, then its queue. */
export function runningController(name: string, queue: WorkQueue, unsubscribe: readonly (() => void)[]): Controller {
  return {
    name,
    queue,
    stop() {
      for (const off of unsubscribe) off();
      queue.stop();
    },
  };
}
