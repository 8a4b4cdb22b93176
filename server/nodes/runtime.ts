import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { DeepReadonly } from '../meta/types.js';

/**
 * The seam between the simulated kubelet and whatever "runs" a container. The kubelet owns the
 * pod lifecycle (timing, restarts, back-off, status, events); a runtime only starts, stops and
 * probes single containers. The default runtime does nothing and always succeeds; a runtime with
 * real behaviour (HTTP servers bound to the pod IP, exec, probes) can be plugged in through
 * startNodes(deps, { runtime }) without touching the kubelet.
 *
 * Rules for implementations:
 * - Methods may be async; the kubelet awaits them inside its per-pod reconcile, so keep them short.
 * - A container that exits by itself is reported through the exit listener; the kubelet then
 *   applies restartPolicy and CrashLoopBackOff.
 * - Nothing here may read the wall clock: the kubelet passes the time it decided on.
 */
export interface ContainerHandle {
  readonly nodeName: string;
  readonly pod: DeepReadonly<Pod>;
  readonly container: DeepReadonly<Container>;
  /** "containerd://<64 hex>", new for every (re)start. */
  readonly containerID: string;
  readonly podIP: string;
  /** Host directories behind the pod's persistentVolumeClaim volumes, by volume name. */
  readonly volumePaths: Readonly<Record<string, string>>;
}

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ContainerExit {
  exitCode: number;
  reason: 'Completed' | 'Error' | 'OOMKilled';
  signal?: number;
  message?: string;
}

/** How a container reacts to SIGTERM: exits promptly, or only dies at SIGKILL when the grace period ends. */
export type StopBehaviour = 'exits' | 'ignores-sigterm';

export interface ContainerRuntime {
  start(c: ContainerHandle): Promise<void> | void;
  /** Sends SIGTERM; says whether the container will exit by itself. */
  stop(c: ContainerHandle): Promise<StopBehaviour> | StopBehaviour;
  /** SIGKILL, and forget the container. Must be idempotent. */
  kill(c: ContainerHandle): Promise<void> | void;
  /** Runs a probe the container declares; called only for probes present in the spec. */
  probe(c: ContainerHandle, kind: ProbeKind): Promise<boolean> | boolean;
  /** Registers the kubelet's listener for containers that exit on their own. */
  onExit?(listener: (containerID: string, exit: ContainerExit) => void): void;
}

/** PID 1 gets no default signal handlers: `sleep` as the entrypoint ignores SIGTERM. */
export function ignoresSigterm(c: DeepReadonly<Container>): boolean {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const first = argv[0] ?? '';
  if (first === 'sleep' || first.endsWith('/sleep')) return true;
  // `sh -c "sleep 3600"` execs sleep as PID 1 too.
  return /^(\/bin\/)?(ba)?sh$/.test(first) && argv[1] === '-c' && /^\s*(exec\s+)?sleep\s/.test(argv[2] ?? '');
}

export interface InstantRuntimeOptions {
  stopBehaviour?: (c: DeepReadonly<Container>) => StopBehaviour;
}

/** The default runtime: containers start at once, pass every probe and stop as their command would. */
export function instantRuntime(opts: InstantRuntimeOptions = {}): ContainerRuntime {
  const behaviour = opts.stopBehaviour ?? ((c) => (ignoresSigterm(c) ? 'ignores-sigterm' : 'exits'));
  return {
    start: () => undefined,
    stop: (c) => behaviour(c.container),
    kill: () => undefined,
    probe: () => true,
  };
}
