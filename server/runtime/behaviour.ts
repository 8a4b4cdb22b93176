/**
 * The interface a simulated container implements. kubemock picks a behaviour by the container's image
 * reference (see BehaviourRegistry) and calls start() when the kubelet starts the container, stop() when
 * it stops or kills it. Users add their own with `--behaviours FILE`: an ES module whose default export
 * (or named export `behaviours`) maps image patterns to behaviours:
 *
 *   export default {
 *     'example.com/greeter*': {
 *       async start(ctx) {
 *         await ctx.listen(8080, (req, res) => res.end(`hello from ${ctx.hostname}\n`));
 *         ctx.log.stdout('greeter ready');
 *       },
 *     },
 *   };
 *
 * A pattern is an image reference with `*` wildcards, matched against the whole reference and against
 * it without the registry/tag (`nginx` matches `docker.io/library/nginx:1.27`).
 * See docs/behaviours.md for the full contract.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../meta/clock.js';
import type { DeepReadonly } from '../meta/types.js';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
export type TcpHandler = (socket: Duplex) => void;

/** A port a container listens on. */
export interface Listening {
  readonly port: number;
  /** Where the OS lets it be reached: the pod IP and this port, or a stand-in port when the OS refused the real one. */
  readonly boundPort: number;
  close(): Promise<void>;
}

/** The container's view of its files: paths as the container sees them, mapped onto real host directories. */
export interface ContainerFiles {
  /** The host path behind a container path, and whether it lies on a read-only mount. */
  resolve(path: string): { hostPath: string; readOnly: boolean };
  readFile(path: string): Promise<Buffer>;
  /** Resolves undefined when the file does not exist. */
  readFileIfExists(path: string): Promise<Buffer | undefined>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  appendFile(path: string, data: string | Uint8Array): Promise<void>;
  /**
   * Puts a file into the image layer (the container's own root), even where a volume is mounted over
   * it: as with a real image, a mount hides the file. For behaviours that ship default content.
   */
  writeImageFile(path: string, data: string | Uint8Array): Promise<void>;
}

export interface ContainerLogWriter {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** Streams of one exec'd process. */
export interface ExecStdio {
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  tty: boolean;
}

export interface BehaviourContext {
  readonly pod: DeepReadonly<Pod>;
  readonly container: DeepReadonly<Container>;
  readonly podName: string;
  readonly namespace: string;
  /** What `hostname` prints in the pod. */
  readonly hostname: string;
  /** What `hostname -f` prints (the pod's DNS name with a subdomain). */
  readonly fqdn: string;
  readonly podIP: string;
  readonly podIPs: readonly string[];
  /** The container's environment (spec env with valueFrom resolved, envFrom, and kubelet's service variables are not included). */
  readonly env: Readonly<Record<string, string>>;
  /** The ports the container spec declares (informational: behaviours listen where the real image would). */
  readonly ports: readonly { name?: string; containerPort: number; protocol: string }[];
  /** command + args of the spec (empty when the image's entrypoint is used). */
  readonly argv: readonly string[];
  readonly files: ContainerFiles;
  readonly log: ContainerLogWriter;
  /** Aborted when the container is stopped or killed. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /** Binds an HTTP server on the pod IP (and the in-pod localhost). */
  listen(port: number, handler: HttpHandler): Promise<Listening>;
  /** Binds a raw TCP server on the pod IP. */
  listenTcp(port: number, handler: TcpHandler): Promise<Listening>;
  /** The main process's stdin, when the spec sets `stdin: true` (fed by `kubectl attach`). */
  readonly stdin?: Readable;
  /** Runs a shell command line in this container (the simulated POSIX shell). */
  sh(script: string, stdio?: Partial<ExecStdio>): Promise<number>;
  /** Runs argv as the container's main process would: through the simulated shell's commands. */
  run(argv: readonly string[], stdio?: Partial<ExecStdio>): Promise<number>;
  /** Does the simulated shell know this command (so an entrypoint can be run rather than assumed)? */
  hasCommand(name: string): boolean;
  /** The main process ended by itself: the kubelet sees the container exit with this code. */
  exit(code: number, message?: string): void;
}

export interface Behaviour {
  /** Shown in logs and events. */
  readonly name?: string;
  /**
   * Starts the container. Resolve when it is up (its ports bound); the container then runs until it is
   * stopped or calls ctx.exit(). Throwing (or rejecting) is a crash: exit code 1, the error on stderr.
   */
  start(ctx: BehaviourContext): Promise<void> | void;
  /** SIGTERM. Servers opened with listen() are closed by kubemock afterwards. */
  stop?(ctx: BehaviourContext): Promise<void> | void;
  /**
   * Handles `kubectl exec` / exec probes. Resolve with the exit code, or undefined to let the simulated
   * shell run the command instead.
   */
  exec?(ctx: BehaviourContext, argv: readonly string[], stdio: ExecStdio): Promise<number | undefined> | number | undefined;
  /** Overrides a probe declared in the spec: resolve true for success, undefined to evaluate the spec's probe. */
  probe?(ctx: BehaviourContext, kind: 'startup' | 'readiness' | 'liveness'): Promise<boolean | undefined> | boolean | undefined;
}

/** What a behaviours module exports: image pattern → behaviour. */
export type BehaviourMap = Record<string, Behaviour>;
