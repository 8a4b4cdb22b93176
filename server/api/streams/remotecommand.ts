import { PassThrough, Writable, type Readable } from 'node:stream';
import type { Status } from 'kubernetes-types/meta/v1.js';
import { badRequest, isStatusError } from '../../meta/errors.js';
import type { ExecRequest } from '../pod-streams.js';
import { chooseContainer, getPod, queryBool, requireRunningContainer, type PodStreamDeps } from './pod-target.js';

export type RemoteCommandKind = 'exec' | 'attach';

/** What an exec/attach request asks for (PodExecOptions / PodAttachOptions from the query string). */
export interface RemoteCommandOptions {
  kind: RemoteCommandKind;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Reads the pod, checks it can take a stream and decodes the options; throws StatusErrors the way kube words them. */
export async function prepareRemoteCommand(deps: PodStreamDeps, kind: RemoteCommandKind, namespace: string, name: string, q: URLSearchParams): Promise<RemoteCommandOptions> {
  const pod = await getPod(deps.registry, namespace, name);
  const command = q.getAll('command');
  if (kind === 'exec' && command.length === 0) throw badRequest('you must specify at least one command for the container');
  const container = chooseContainer(pod, q.get('container'));
  requireRunningContainer(pod, container);
  const tty = queryBool(q, 'tty');
  const opts = {
    kind, namespace, pod: name, container, command, tty,
    stdin: queryBool(q, 'stdin'),
    stdout: queryBool(q, 'stdout'),
    // A terminal merges stderr into stdout; the kubelet drops the stream rather than failing.
    stderr: queryBool(q, 'stderr') && !tty,
  };
  if (!opts.stdin && !opts.stdout && !queryBool(q, 'stderr')) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return opts;
}

/** The channels a transport offers a running command. */
export interface CommandIO {
  stdin?: Readable;
  /** Bytes for the client's stdout / stderr. */
  writeStdout(data: Buffer): void;
  writeStderr(data: Buffer): void;
  onResize(listener: (size: { width: number; height: number }) => void): void;
}

const exitCodeCause = 'ExitCode';

export function successStatus(): Status {
  return { metadata: {}, status: 'Success' };
}

export function exitCodeStatus(code: number, command: string[]): Status {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: exitCodeCause, message: String(code) }] },
  };
}

export function errorStatus(err: unknown): Status {
  if (isStatusError(err)) {
    const { kind: _k, apiVersion: _v, ...rest } = err.status;
    return rest;
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    metadata: {}, status: 'Failure', code: 500, reason: 'InternalError',
    message: `Internal error occurred: error executing command in container: ${message}`,
    details: { causes: [{ message: `error executing command in container: ${message}` }] },
  };
}

/** A Writable handed to PodStreams; ending it is ignored, since the status frame closes the session. */
function sink(write: (data: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
}

/** Runs exec or attach against PodStreams and returns the Status to put on the error channel. */
export async function runRemoteCommand(deps: PodStreamDeps, opts: RemoteCommandOptions, io: CommandIO, closed: Promise<void>): Promise<Status> {
  const stdout = opts.stdout ? sink((d) => io.writeStdout(d)) : undefined;
  const stderr = opts.stderr ? sink((d) => io.writeStderr(d)) : undefined;
  // When the client leaves, the writables are destroyed so a simulated process can notice and stop.
  void closed.then(() => {
    stdout?.destroy();
    stderr?.destroy();
  });
  const req: ExecRequest = {
    namespace: opts.namespace, pod: opts.pod, container: opts.container, command: opts.command, tty: opts.tty,
    stdin: opts.stdin ? io.stdin : undefined, stdout, stderr,
    onResize: opts.tty ? (l) => io.onResize(l) : undefined,
  };
  try {
    const code = opts.kind === 'exec' ? await deps.streams.exec(req) : await deps.streams.attach(req);
    // Let writes the container queued through pipes land before the status frame that ends the session.
    await new Promise((r) => setImmediate(r));
    return code === 0 ? successStatus() : exitCodeStatus(code, opts.command);
  } catch (err) {
    if (!isStatusError(err)) deps.logger.warn({ err, pod: opts.pod }, `${opts.kind} failed`);
    return errorStatus(err);
  }
}

/** Splits a stream of concatenated JSON objects ({"Width":80,"Height":24}{...}) into sizes. */
export function resizeDecoder(listener: (size: { width: number; height: number }) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    for (;;) {
      const end = pending.indexOf('}');
      if (end < 0) return;
      const text = pending.slice(pending.indexOf('{'), end + 1);
      pending = pending.slice(end + 1);
      try {
        const v = JSON.parse(text) as { Width?: unknown; Height?: unknown };
        if (typeof v.Width === 'number' && typeof v.Height === 'number') listener({ width: v.Width, height: v.Height });
      } catch {
        // A malformed size is dropped, as the kubelet does.
      }
    }
  };
}

/** Fan-out for resize listeners registered by PodStreams (it may register late, after sizes arrived). */
export class ResizeHub {
  private listeners: ((size: { width: number; height: number }) => void)[] = [];
  private last?: { width: number; height: number };

  on(listener: (size: { width: number; height: number }) => void): void {
    this.listeners.push(listener);
    if (this.last) listener(this.last);
  }

  emit(size: { width: number; height: number }): void {
    this.last = size;
    for (const l of this.listeners) l(size);
  }
}

export function stdinPipe(): PassThrough {
  return new PassThrough();
}
