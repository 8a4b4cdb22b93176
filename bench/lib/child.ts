/**
 * The parent side of bench workers: every server under test runs in its own forked process, so
 * the load generator in this process never shares an event loop (or a heap) with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const workerPath = join(import.meta.dirname, '..', 'worker.ts');

interface Reply { id: number; ok: boolean; result?: unknown; error?: string }

export interface Worker {
  pid: number;
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** BENCH_CPU_PROF=<dir> profiles every worker (node --cpu-prof), for finding why a figure misses. */
function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
}

export function startWorker(opts: { exposeGc?: boolean } = {}): Worker {
  const child: ChildProcess = fork(workerPath, [], {
    execArgv: ['--import', 'tsx', ...(opts.exposeGc ? ['--expose-gc'] : []), ...profileArgs()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    for (const p of pending.values()) p.reject(new Error('bench worker exited'));
    pending.clear();
    resolve();
  }));
  child.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  });
  return {
    pid: child.pid!,
    call<T>(cmd: string, args?: unknown): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd, args });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // A graceful exit lets --cpu-prof write its profile; SIGKILL is the fallback.
      child.send({ id: 0, cmd: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs fn with a fresh worker and always closes it. */
export async function withWorker<T>(fn: (w: Worker) => Promise<T>, opts: { exposeGc?: boolean } = {}): Promise<T> {
  const w = startWorker(opts);
  try {
    return await fn(w);
  } finally {
    await w.close();
  }
}
