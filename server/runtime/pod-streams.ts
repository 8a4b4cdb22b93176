/**
 * PodStreams over the simulated containers: exec runs the behaviour's exec hook or the simulated shell,
 * attach joins the main process's output (and stdin when the spec opens it), logs read the instance
 * logs (previous kept across one restart), port-forward dials the pod IP (or the stand-in port the
 * OS gave instead of a privileged one).
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { ContainerTarget, ExecRequest, LogOptions, PodStreams } from '../api/pod-streams.js';
import { badRequest } from '../meta/errors.js';
import type { ContainerLog } from './container-log.js';
import type { PodNetwork } from './pod-network.js';
import { runProcess } from './shell/session.js';
import type { Shell } from './shell/shell.js';
import type { Instance } from './simulated-runtime.js';

export interface StreamsDeps {
  instance(namespace: string, pod: string, container: string): Instance | undefined;
  anyInstance(namespace: string, pod: string): Instance | undefined;
  logBook(namespace: string, pod: string, container: string): { current: ContainerLog; previous?: ContainerLog } | undefined;
  network: PodNetwork;
  newShell(inst: Instance, signal: AbortSignal): Shell;
  sink(): Writable;
}

function running(deps: StreamsDeps, t: ContainerTarget): Instance {
  const inst = deps.instance(t.namespace, t.pod, t.container);
  if (!inst || inst.state !== 'running') throw badRequest(`container not found ("${t.container}")`);
  return inst;
}

export function simulatedPodStreams(deps: StreamsDeps): PodStreams {
  return {
    async exec(req: ExecRequest): Promise<number> {
      const inst = running(deps, req);
      const stdio = { stdin: req.stdin as Readable | undefined, stdout: req.stdout ?? deps.sink(), stderr: req.stderr ?? deps.sink(), tty: req.tty };
      const handled = await inst.behaviour.exec?.(inst.ctx, req.command, stdio);
      if (handled !== undefined) return handled;
      // the process ends when the container stops or the client goes away
      const abort = new AbortController();
      const stopOn = (): void => abort.abort();
      inst.abort.signal.addEventListener('abort', stopOn, { once: true });
      req.stdout?.once('close', stopOn);
      try {
        return await runProcess(deps.newShell(inst, abort.signal), req.command, stdio);
      } finally {
        inst.abort.signal.removeEventListener('abort', stopOn);
        req.stdout?.off('close', stopOn);
      }
    },

    async attach(req: ExecRequest): Promise<number> {
      const inst = running(deps, req);
      if (req.stdin && inst.stdin) req.stdin.on('data', (chunk: Buffer) => inst.stdin!.write(chunk));
      return new Promise<number>((resolve) => {
        const unsubscribe = inst.log.follow((line) => {
          if (!line) {
            finish();
            return;
          }
          const target = line.stream === 'stderr' && !req.tty ? req.stderr : req.stdout;
          if (target && !target.destroyed) target.write(`${line.text}${req.tty ? '\r\n' : '\n'}`);
        });
        const finish = (): void => {
          unsubscribe();
          resolve(0);
        };
        req.stdout?.once('close', finish);
        req.stderr?.once('close', finish);
      });
    },

    async logs(t: ContainerTarget, opts: LogOptions): Promise<Readable> {
      const book = deps.logBook(t.namespace, t.pod, t.container);
      if (opts.previous) {
        if (!book?.previous) throw badRequest(`previous terminated container "${t.container}" in pod "${t.pod}" not found`);
        return book.previous.read({ ...opts, follow: false });
      }
      if (!book) throw badRequest(`container "${t.container}" in pod "${t.pod}" is waiting to start: ContainerCreating`);
      return book.current.read(opts);
    },

    async portForward(namespace: string, pod: string, port: number): Promise<Duplex> {
      const inst = deps.anyInstance(namespace, pod);
      if (!inst) throw badRequest(`pod ${pod} is not running`);
      try {
        return await deps.network.dial(inst.handle.podIP, port);
      } catch (err) {
        const code = (err as { code?: string }).code === 'ECONNREFUSED' ? 'connection refused' : (err as Error).message;
        throw new Error(`failed to connect to localhost:${port} inside namespace "${inst.handle.podIP}", IPv4: dial tcp4 127.0.0.1:${port}: connect: ${code}`);
      }
    },
  };
}
