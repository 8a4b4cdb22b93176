/**
 * The ContainerRuntime that runs simulated containers: each container gets a behaviour (by image), a
 * filesystem over real directories, an environment, a log, and servers bound on its pod IP. PodStreams
 * (exec/attach/logs/port-forward) are served from the same containers.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { PodStreams } from '../api/pod-streams.js';
import type { EventRecorder } from '../controllers/events.js';
import { podHostnames } from '../dns/pod-hostname.js';
import { lookupDns } from '../dns/lookup-cli.js';
import type { Clock } from '../meta/clock.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import { ignoresSigterm, type ContainerExit, type ContainerHandle, type ContainerRuntime, type ProbeKind, type StopBehaviour } from '../nodes/runtime.js';
import type { InformerFactory } from '../store/informer.js';
import type { Behaviour, BehaviourContext, BehaviourMap, ExecStdio, Listening } from './behaviour.js';
import { BehaviourRegistry } from './behaviour-registry.js';
import { builtinBehaviours, defaultBehaviour } from './builtins/index.js';
import { containerEnv } from './container-env.js';
import { ContainerFs } from './container-fs.js';
import { ContainerLog } from './container-log.js';
import { informerLookup, noObjects, type ObjectLookup, type PodTokenSource } from './pod-objects.js';
import { PodNetwork, type BindOptions } from './pod-network.js';
import { containerMounts, podVolumes, type PodVolumes } from './pod-volumes.js';
import { runProbe } from './probes.js';
import { defaultCommands } from './shell/commands.js';
import { runProcess } from './shell/session.js';
import { discardWritable, emptyIn, nullOut, streamIn, writableOut } from './shell/io.js';
import { Shell, type ShellSystem } from './shell/shell.js';
import { simulatedPodStreams } from './pod-streams.js';

export interface DnsServerAddress {
  /** Where kubemock's DNS server listens. */
  host: string;
  port: number;
  /** The nameserver a pod's resolv.conf names (the kube-dns ClusterIP); defaults to host. */
  address?: string;
}

export interface SimulatedRuntimeOptions {
  /** Pods' directories (emptyDir, materialised volumes, container roots) live under <dataDir>/pods. */
  dataDir: string;
  dnsServer: DnsServerAddress;
  logger: Logger;
  clock: Clock;
  /** Extra behaviours (e.g. from loadBehaviourModule); they win over the built-ins. */
  behaviours?: BehaviourMap | BehaviourMap[];
  /** For ConfigMap/Secret env and volumes, and to clean up after deleted pods. */
  informers?: InformerFactory;
  /** The token of a pod's projected service account volume; without it the file is empty. */
  serviceAccountToken?: PodTokenSource;
  /** Events on pods (a refused port). */
  events?: EventRecorder;
  zone?: string;
  bind?: BindOptions;
}

/** One running (or just ended) container instance. */
export interface Instance {
  readonly id: string;
  readonly handle: ContainerHandle;
  readonly behaviour: Behaviour;
  readonly ctx: BehaviourContext;
  readonly system: ShellSystem;
  readonly env: Record<string, string>;
  readonly abort: AbortController;
  readonly listening: Listening[];
  readonly log: ContainerLog;
  readonly stdin?: PassThrough;
  state: 'running' | 'stopping' | 'exited';
  /** start() has resolved: until then the container is initialising, as behind a startup probe. */
  started: boolean;
}

interface LogBook {
  uid: string;
  current: ContainerLog;
  previous?: ContainerLog;
}

export interface SimulatedRuntime {
  runtime: ContainerRuntime;
  streams: PodStreams;
  network: PodNetwork;
  /** The running instance of a container, if any (for tests and tools). */
  instance(namespace: string, pod: string, container: string): Instance | undefined;
  stop(): Promise<void>;
}

const podRef = { kind: 'Pod', apiVersion: 'v1' };
const startWaitMs = 5000;
const imageDirs = ['/bin', '/dev', '/etc', '/home', '/root', '/tmp', '/usr/bin', '/var/log', '/var/run'];

function podKey(pod: DeepReadonly<Pod>): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export function createSimulatedRuntime(opts: SimulatedRuntimeOptions): SimulatedRuntime {
  const { clock, logger } = opts;
  const zone = opts.zone ?? 'cluster.local';
  const builtins = builtinBehaviours();
  // Built-ins reach files only through the asynchronous calls, which create the file system on first use.
  const lazyFiles = new Set<Behaviour>([defaultBehaviour, ...Object.values(builtins)]);
  const registry = new BehaviourRegistry(defaultBehaviour).add(builtins);
  for (const m of [opts.behaviours ?? []].flat()) registry.add(m);
  const network = new PodNetwork(opts.bind);
  const objects: ObjectLookup = opts.informers ? informerLookup(opts.informers, opts.serviceAccountToken) : noObjects;
  const commands = defaultCommands();
  const byId = new Map<string, Instance>();
  /** ns/pod → container name → latest instance. */
  const byPod = new Map<string, Map<string, Instance>>();
  const logBooks = new Map<string, LogBook>();
  const exitListeners: ((id: string, exit: ContainerExit) => void)[] = [];
  const dnsAddress = opts.dnsServer.address ?? opts.dnsServer.host;

  const podDir = (pod: DeepReadonly<Pod>): string =>
    join(opts.dataDir, 'pods', `${pod.metadata?.namespace ?? 'default'}_${pod.metadata?.name ?? ''}_${pod.metadata?.uid ?? 'nouid'}`);

  const logBook = (pod: DeepReadonly<Pod>, container: string): LogBook => {
    const key = `${podKey(pod)}/${container}`;
    const uid = pod.metadata?.uid ?? '';
    let book = logBooks.get(key);
    const fresh = new ContainerLog(clock);
    if (!book || book.uid !== uid) book = { uid, current: fresh };
    else book = { uid, current: fresh, previous: book.current };
    logBooks.set(key, book);
    return book;
  };

  const resolveName = async (namespace: string, name: string): Promise<string[]> => {
    const r = await lookupDns({ server: opts.dnsServer.host, port: opts.dnsServer.port, name, searchNamespace: namespace, zone, clock, timeoutMs: 2000 });
    return r.answers.filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => String((a as { data: unknown }).data));
  };

  // set by stop(): a container whose setup was still running then is never started
  let runtimeStopped = false;
  // Containers' file systems materialise asynchronously: stop() waits for them before the data directory goes.
  const diskWork = new Set<Promise<unknown>>();
  // A pod's volumes, by uid: its containers (and their restarts) share them, created once by the first to need them.
  const volumesByPod = new Map<string, PodVolumes>();

  /** Shuts an instance down: aborts its processes and closes its ports. */
  const teardown = async (inst: Instance, callStop: boolean): Promise<void> => {
    if (inst.state === 'exited') return;
    inst.state = 'exited';
    inst.abort.abort();
    if (callStop) {
      try {
        await inst.behaviour.stop?.(inst.ctx);
      } catch (err) {
        inst.log.stderr(String(err));
      }
    }
    await Promise.all(inst.listening.splice(0).map((l) => l.close().catch(() => undefined)));
    inst.stdin?.end();
    inst.log.end();
  };

  const reportExit = (inst: Instance, code: number, message?: string): void => {
    if (inst.state !== 'running') return;
    void teardown(inst, false).then(() => {
      // after start() has returned, so the kubelet knows the container ID
      setImmediate(() => {
        for (const l of exitListeners) l(inst.id, { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', ...(message ? { message } : {}) });
      });
    });
  };

  const newShell = (inst: { system: ShellSystem; env: Record<string, string> }, signal: AbortSignal): Shell => new Shell(inst.system, commands, inst.env, signal);

  const start = async (handle: ContainerHandle): Promise<void> => {
    const { pod, container } = handle;
    const names = podHostnames(pod as Pod, zone);
    const dir = podDir(pod);
    const uid = pod.metadata?.uid ?? podKey(pod);
    let volumes = volumesByPod.get(uid);
    if (!volumes) volumesByPod.set(uid, (volumes = podVolumes(pod, handle.podIP, handle.volumePaths, { podDir: dir, nodeDir: join(opts.dataDir, 'nodes', handle.nodeName) }, objects)));
    const fs = ContainerFs.lazy(join(dir, 'containers', container.name, 'rootfs'), containerMounts(container, volumes.sources), volumes.create, diskWork);
    // the directories every image has, so `cd /tmp` and `ln -s x /tmp/y` behave as in a container
    for (const d of imageDirs) await fs.mkdirImage(d);
    await fs.writeImageFile('/etc/hostname', `${names.hostname}\n`);
    await fs.writeImageFile('/etc/hosts', `127.0.0.1\tlocalhost\n${handle.podIP}\t${names.fqdn}${names.fqdn !== names.hostname ? `\t${names.hostname}` : ''}\n`);
    const ns = pod.metadata?.namespace ?? 'default';
    await fs.writeImageFile('/etc/resolv.conf', `search ${ns}.svc.${zone} svc.${zone} ${zone}\nnameserver ${dnsAddress}\noptions ndots:5\n`);
    const { env, problems } = containerEnv(pod, container, names.hostname, handle.podIP, objects);
    const book = logBook(pod, container.name);
    const log = book.current;
    for (const p of problems) log.stderr(`kubemock: ${p}`);
    const behaviour = registry.forImage(container.image ?? '');
    // A user's behaviour may call the synchronous files.resolve() and use the host path itself.
    if (!lazyFiles.has(behaviour)) await fs.materialise();
    const abort = new AbortController();
    const system: ShellSystem = {
      hostname: names.hostname, fqdn: names.fqdn, podIP: handle.podIP, namespace: ns, fs, clock,
      dial: (host, port, timeoutMs) => network.dial(host === 'localhost' || host === '127.0.0.1' ? handle.podIP : host, port, timeoutMs),
      resolveName: (name) => resolveName(ns, name),
      dns: { address: dnsAddress, host: opts.dnsServer.host, port: opts.dnsServer.port, zone },
    };
    const listening: Listening[] = [];
    // A container stopped while its start() was binding must not leave the port bound: the next pod
    // of the same name may get the same IP and would find its port in use.
    const keep = async (l: Listening): Promise<Listening> => {
      if (abort.signal.aborted) {
        await l.close().catch(() => undefined);
        throw new Error(`container ${container.name} stopped while binding port ${l.port}`);
      }
      listening.push(l);
      return l;
    };
    const refused = (why: string): void => {
      log.stderr(`kubemock: ${why}`);
      opts.events?.event(pod as DeepReadonly<KubeObject>, podRef, 'Warning', 'PortRefused', `container ${container.name}: ${why}`);
    };
    const stdin = container.stdin ? new PassThrough() : undefined;
    const logOut = (stream: 'stdout' | 'stderr'): Writable =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          log.write(stream, chunk.toString('utf8'));
          cb();
        },
      });
    const stdioFor = (s?: Partial<ExecStdio>): Partial<ExecStdio> => ({ stdout: logOut('stdout'), stderr: logOut('stderr'), ...s });
    let inst: Instance;
    const ctx: BehaviourContext = {
      pod, container, podName: pod.metadata?.name ?? '', namespace: ns, hostname: names.hostname, fqdn: names.fqdn,
      podIP: handle.podIP, podIPs: [handle.podIP], env,
      ports: (container.ports ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })),
      argv: [...(container.command ?? []), ...(container.args ?? [])], files: fs, log, signal: abort.signal, clock, stdin,
      listen: async (port, handler) => keep(await network.bind(handle.podIP, port, { http: handler }, refused)),
      listenTcp: async (port, handler) => keep(await network.bind(handle.podIP, port, { tcp: handler }, refused)),
      sh: (script, stdio) => newShell(inst, abort.signal).run(script, shellIO(stdioFor(stdio))),
      run: (argv, stdio) => runProcess(newShell(inst, abort.signal), argv, stdioFor(stdio)),
      hasCommand: (name) => newShell({ system, env }, abort.signal).has(name),
      exit: (code, message) => reportExit(inst, code, message),
    };
    // the kubelet's reconcile may still be starting a container when the runtime stops
    if (runtimeStopped) throw new Error(`the container runtime is stopped: ${container.name} not started`);
    inst = { id: handle.containerID, handle, behaviour, ctx, system, env, abort, listening, log, stdin, state: 'running', started: false };
    byId.set(inst.id, inst);
    let containers = byPod.get(podKey(pod));
    if (!containers) byPod.set(podKey(pod), (containers = new Map()));
    containers.set(container.name, inst);

    const started = Promise.resolve()
      .then(() => behaviour.start(ctx))
      .then(() => {
        inst.started = true;
      })
      .catch((err: unknown) => {
        log.stderr(err instanceof Error ? (err.stack ?? err.message) : String(err));
        reportExit(inst, 1, err instanceof Error ? err.message : String(err));
      });
    // a behaviour that takes long to come up must not hold the kubelet's reconcile
    await Promise.race([started, new Promise((r) => setTimeout(r, startWaitMs).unref())]);
  };

  const stopContainer = async (handle: ContainerHandle): Promise<StopBehaviour> => {
    const how: StopBehaviour = ignoresSigterm(handle.container) ? 'ignores-sigterm' : 'exits';
    const inst = byId.get(handle.containerID);
    if (inst && inst.state === 'running' && how === 'exits') {
      await teardown(inst, true);
    }
    return how;
  };

  const kill = async (handle: ContainerHandle): Promise<void> => {
    const inst = byId.get(handle.containerID);
    if (!inst) return;
    byId.delete(handle.containerID);
    await teardown(inst, true);
  };

  const runtime: ContainerRuntime = {
    start,
    stop: stopContainer,
    kill,
    probe: async (handle: ContainerHandle, kind: ProbeKind) => {
      const inst = byId.get(handle.containerID);
      if (!inst || inst.state !== 'running') return false;
      // an initialising container is alive but not ready, whatever its hooks or spec probes would say
      if (!inst.started) return kind === 'liveness';
      const override = await inst.behaviour.probe?.(inst.ctx, kind);
      if (override !== undefined) return override;
      return runProbe(inst, kind, network, (signal) => newShell(inst, signal));
    },
    onExit: (listener) => {
      exitListeners.push(listener);
    },
  };

  const instance = (namespace: string, pod: string, container: string): Instance | undefined => byPod.get(`${namespace}/${pod}`)?.get(container);

  const streams = simulatedPodStreams({
    instance,
    anyInstance: (namespace, pod) => [...(byPod.get(`${namespace}/${pod}`)?.values() ?? [])][0],
    logBook: (namespace, pod, container) => logBooks.get(`${namespace}/${pod}/${container}`),
    network,
    newShell,
    sink: discardWritable,
  });

  let offPods: (() => void) | undefined;
  if (opts.informers) {
    const pods = opts.informers.for<Pod & KubeObject>('', 'pods').start();
    offPods = pods.onEvent((e) => {
      if (e.type !== 'DELETED') return;
      const key = podKey(e.object);
      volumesByPod.delete(e.object.metadata.uid ?? key);
      for (const [k, book] of logBooks) if (k.startsWith(`${key}/`) && book.uid === e.object.metadata.uid) logBooks.delete(k);
      const containers = byPod.get(key);
      if (containers && [...containers.values()].every((i) => i.handle.pod.metadata?.uid === e.object.metadata.uid)) byPod.delete(key);
      // emptyDir and materialised volumes go with the pod (PVC directories are elsewhere and stay)
      setTimeout(() => void rm(podDir(e.object), { recursive: true, force: true }).catch(() => undefined), 1000).unref();
    });
  }

  return {
    runtime,
    streams,
    network,
    instance,
    async stop() {
      runtimeStopped = true;
      offPods?.();
      await Promise.all([...byId.values()].map((i) => teardown(i, false)));
      byId.clear();
      byPod.clear();
      await network.closeAll();
      volumesByPod.clear();
      while (diskWork.size) await Promise.allSettled([...diskWork]);
      logger.debug('simulated runtime stopped');
    },
  };
}

function shellIO(stdio: Partial<ExecStdio>): Parameters<Shell['run']>[1] {
  return {
    stdin: stdio.stdin ? streamIn(stdio.stdin) : emptyIn,
    stdout: stdio.stdout ? writableOut(stdio.stdout) : nullOut,
    stderr: stdio.stderr ? writableOut(stdio.stderr) : nullOut,
  };
}
