import type { Duplex, Readable, Writable } from 'node:stream';

/** Where a stream request lands: one container of one pod. */
export interface ContainerTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface ExecRequest extends ContainerTarget {
  command: string[];
  tty: boolean;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /** Terminal size changes (channel 4 of the remotecommand protocol). */
  onResize?(listener: (size: { width: number; height: number }) => void): void;
}

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

/**
 * The seam between the HTTP/WebSocket/SPDY protocols kubectl speaks and the simulated containers.
 * Errors are StatusErrors (404 pod or container not found, 400 "container not running", ...).
 */
export interface PodStreams {
  /** Runs a command in the container; resolves with its exit code. */
  exec(req: ExecRequest): Promise<number>;
  /** Attaches to the container's main process streams; resolves when the attachment ends. */
  attach(req: ExecRequest): Promise<number>;
  /** The container's log as a stream of bytes (kept open with follow until the container stops or the reader leaves). */
  logs(target: ContainerTarget, opts: LogOptions): Promise<Readable>;
  /** A byte stream to a port of the pod, as if connected from inside the pod's network namespace. */
  portForward(namespace: string, pod: string, port: number): Promise<Duplex>;
}
