import type { Container, ContainerStateTerminated, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { core } from '../controllers/client.js';
import type { Controller, ControllerDeps } from '../controllers/deps.js';
import { eventRecorder, type EventRecorder } from '../controllers/events.js';
import { WorkQueue, type Result } from '../controllers/runtime.js';
import { rfc3339 } from '../meta/clock.js';
import { isNotFound } from '../meta/errors.js';
import { randomHex } from '../meta/names.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { NodePool, SimulatedNode } from './node-pool.js';
import { buildPodStatus, normalizeImage, sameJson, type ContainerView } from './pod-status.js';
import type { ContainerExit, ContainerHandle, ContainerRuntime } from './runtime.js';
import { deepCopy } from '../meta/deep-copy.js';

type RPod = DeepReadonly<Pod & KubeObject>;
type RContainer = DeepReadonly<Container>;

export const initialBackoffMs = 10_000;
export const maxBackoffMs = 300_000;

/** One container's life as the kubelet tracks it across restarts. */
interface ContainerRecord {
  name: string;
  restartCount: number;
  /** The current run, if any. */
  containerID?: string;
  startedAt?: number;
  /** The last run ended (crash or exit) and no new one has started. */
  exited?: ContainerStateTerminated & { at: number };
  lastTerminated?: ContainerStateTerminated;
  backoffMs: number;
  backoffUpdatedAt: number;
  /** Injected: every run of this container crashes at once. */
  crashLoop: boolean;
  /** An ephemeral container (kubectl debug): started once, never restarted, never ready. */
  ephemeral: boolean;
  probeReady: boolean;
  livenessFailures: number;
  nextProbeAt: number;
}

interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  nodeName: string;
  acceptedAt: number;
  podIP?: string;
  containers: Map<string, ContainerRecord>;
  initDone: boolean;
  termination?: { finishAt: number };
  /** Injected: readiness probes fail until cleared. */
  unready: boolean;
}

export interface KubeletTimings {
  podStartDelayMs: number;
  podReadyDelayMs: number;
  podStopDelayMs: number;
}

/** What failure injection may ask a kubelet to do; every call is followed by a reconcile of the pod. */
export interface KubeletControl {
  crashContainer(namespace: string, pod: string, container: string | undefined, opts?: { exitCode?: number; loop?: boolean }): Promise<string[]>;
  setPodUnready(namespace: string, pod: string, unready: boolean): Promise<void>;
  recoverPod(namespace: string, pod: string): Promise<void>;
  /** The machine rebooted: every container of its pods died and will be started again. */
  rebootNode(node: string): Promise<void>;
  podsOn(node: string): string[];
  resync(key?: string): void;
}

export type KubeletController = Controller & { control: KubeletControl };

function newContainerID(): string {
  return `containerd://${randomHex(32)}`;
}

/** A container of the pod's spec by name, ephemeral ones included (their fields are a Container's). */
function specOf(pod: RPod | undefined, name: string): RContainer | undefined {
  return pod?.spec?.containers?.find((c) => c.name === name) ?? (pod?.spec?.ephemeralContainers?.find((c) => c.name === name) as RContainer | undefined);
}

function newContainerRecord(c: RContainer, ephemeral: boolean): ContainerRecord {
  return {
    name: c.name, restartCount: 0, backoffMs: 0, backoffUpdatedAt: 0, crashLoop: false, ephemeral,
    probeReady: !c.readinessProbe, livenessFailures: 0, nextProbeAt: 0,
  };
}

function containerKey(pod: { namespace: string; name: string; uid: string }): string {
  return `${pod.name}_${pod.namespace}(${pod.uid})`;
}

/**
 * The simulated kubelets of every node in the pool, as one controller keyed by pod: each pod bound
 * to a running simulated node is driven Pending → ContainerCreating → Running → Ready on the
 * configured delays, restarted with back-off when its containers die, and removed after graceful
 * termination. All timing comes from deps.clock; with zero delays a pod converges in one pass.
 */
export function startKubelets(deps: ControllerDeps, pool: NodePool, runtime: ContainerRuntime, timings: KubeletTimings): KubeletController {
  const { informers, client, clock, logger } = deps;
  const pods = informers.for<Pod & KubeObject>('', 'pods');
  const claims = informers.for<PersistentVolumeClaim & KubeObject>('', 'persistentvolumeclaims');
  const volumes = informers.for<PersistentVolume & KubeObject>('', 'persistentvolumes');
  const records = new Map<string, PodRecord>();
  const byContainerID = new Map<string, { key: string; container: string }>();
  const recorders = new Map<string, EventRecorder>();
  const podRef = { kind: 'Pod', apiVersion: 'v1' };

  const recorder = (node: string): EventRecorder => {
    let r = recorders.get(node);
    if (!r) recorders.set(node, (r = eventRecorder(client, clock, logger, 'kubelet', node)));
    return r;
  };

  const volumePaths = (pod: RPod): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const v of pod.spec?.volumes ?? []) {
      const claimName = v.persistentVolumeClaim?.claimName;
      if (!claimName) continue;
      const pvName = claims.get(pod.metadata.namespace, claimName)?.spec?.volumeName;
      const pv = pvName ? volumes.get(undefined, pvName) : undefined;
      const path = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
      if (path) out[v.name] = path;
    }
    return out;
  };

  const handle = (pod: RPod, rec: PodRecord, c: RContainer, containerID: string): ContainerHandle => ({
    nodeName: rec.nodeName, pod, container: c, containerID, podIP: rec.podIP ?? '', volumePaths: volumePaths(pod),
  });

  const forget = async (key: string): Promise<void> => {
    const rec = records.get(key);
    if (!rec) return;
    records.delete(key);
    pool.get(rec.nodeName)?.ips.release(rec.uid);
    const pod = pods.get(rec.namespace, rec.name);
    for (const cr of rec.containers.values()) {
      if (!cr.containerID) continue;
      byContainerID.delete(cr.containerID);
      const spec = specOf(pod, cr.name) ?? ({ name: cr.name } as RContainer);
      await runtime.kill({ nodeName: rec.nodeName, pod: pod ?? ({ metadata: { name: rec.name, namespace: rec.namespace, uid: rec.uid } } as RPod), container: spec, containerID: cr.containerID, podIP: rec.podIP ?? '', volumePaths: {} });
    }
  };

  /** Adopts a pod that already ran before kubemock restarted: same IP, containers still running. */
  const adopt = (pod: RPod, node: SimulatedNode, rec: PodRecord): void => {
    const ip = pod.status?.podIP;
    if (!ip || !node.ips.reserve(rec.uid, ip)) return;
    rec.podIP = ip;
    rec.acceptedAt = pod.status?.startTime ? Date.parse(pod.status.startTime) : rec.acceptedAt;
    rec.initDone = true;
    for (const cs of pod.status?.ephemeralContainerStatuses ?? []) {
      const spec = specOf(pod, cs.name);
      if (!spec) continue;
      const cr = newContainerRecord(spec, true);
      rec.containers.set(cs.name, cr);
      // one that ended stays ended: ephemeral containers are never started again
      const ended = cs.state?.terminated;
      if (ended) cr.exited = { ...(deepCopy(ended) as ContainerStateTerminated), at: Date.parse(ended.finishedAt ?? '') || clock.now() };
    }
    for (const cs of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])]) {
      const cr = rec.containers.get(cs.name);
      if (!cr || !cs.state?.running) continue;
      cr.restartCount = cs.restartCount ?? 0;
      cr.containerID = cs.containerID ?? newContainerID();
      cr.startedAt = cs.state.running.startedAt ? Date.parse(cs.state.running.startedAt) : clock.now();
      cr.lastTerminated = cs.lastState?.terminated ? (deepCopy(cs.lastState.terminated) as ContainerStateTerminated) : undefined;
      byContainerID.set(cr.containerID, { key: `${rec.namespace}/${rec.name}`, container: cr.name });
      // the process that ran it is gone: bring the container back under the same ID (servers, volumes)
      const spec = specOf(pod, cs.name);
      if (spec) Promise.resolve(runtime.start(handle(pod, rec, spec, cr.containerID))).catch((err: unknown) => deps.logger.warn({ err, pod: `${rec.namespace}/${rec.name}` }, 'restarting an adopted container'));
    }
  };

  const ensureRecord = (key: string, pod: RPod, node: SimulatedNode): PodRecord => {
    let rec = records.get(key);
    if (rec && rec.uid === pod.metadata.uid) return rec;
    rec = {
      uid: pod.metadata.uid!, namespace: pod.metadata.namespace!, name: pod.metadata.name!, nodeName: node.spec.name,
      acceptedAt: clock.now(), containers: new Map(), initDone: !(pod.spec?.initContainers ?? []).length, unready: false,
    };
    for (const c of pod.spec?.containers ?? []) rec.containers.set(c.name, newContainerRecord(c, false));
    records.set(key, rec);
    adopt(pod, node, rec);
    return rec;
  };

  const startContainer = async (pod: RPod, rec: PodRecord, c: RContainer, cr: ContainerRecord, now: number): Promise<void> => {
    const events = recorder(rec.nodeName);
    const image = c.image ?? '';
    if (c.imagePullPolicy === 'Always') {
      events.event(pod, podRef, 'Normal', 'Pulling', `Pulling image "${image}"`);
      events.event(pod, podRef, 'Normal', 'Pulled', `Successfully pulled image "${image}" in 0s (0s including waiting). Image size: 0 bytes.`);
    } else {
      events.event(pod, podRef, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    }
    const id = newContainerID();
    events.event(pod, podRef, 'Normal', 'Created', `Created container: ${c.name}`);
    await runtime.start(handle(pod, rec, c, id));
    events.event(pod, podRef, 'Normal', 'Started', `Started container ${c.name}`);
    if (cr.exited) {
      cr.lastTerminated = stripAt(cr.exited);
      cr.restartCount++;
    }
    cr.exited = undefined;
    cr.containerID = id;
    cr.startedAt = now;
    cr.probeReady = !c.readinessProbe;
    cr.livenessFailures = 0;
    cr.nextProbeAt = now + (c.readinessProbe?.initialDelaySeconds ?? c.livenessProbe?.initialDelaySeconds ?? 0) * 1000;
    byContainerID.set(id, { key: `${rec.namespace}/${rec.name}`, container: c.name });
    if (cr.crashLoop) markExited(cr, now, { exitCode: 1, reason: 'Error' });
  };

  const markExited = (cr: ContainerRecord, now: number, exit: ContainerExit): void => {
    if (cr.startedAt === undefined || !cr.containerID) return;
    byContainerID.delete(cr.containerID);
    cr.exited = {
      exitCode: exit.exitCode, reason: exit.reason, ...(exit.signal ? { signal: exit.signal } : {}), ...(exit.message ? { message: exit.message } : {}),
      startedAt: rfc3339(cr.startedAt), finishedAt: rfc3339(now), containerID: cr.containerID, at: now,
    };
    cr.startedAt = undefined;
    cr.containerID = undefined;
  };

  /** kubelet doBackOff: the first death restarts at once, later ones wait 10s, 20s, ... up to 5m. */
  const backoffUntil = (cr: ContainerRecord, now: number): number | undefined => {
    const died = cr.exited!.at;
    const expired = (t: number): boolean => t - cr.backoffUpdatedAt > maxBackoffMs;
    if (cr.backoffMs > 0 && !expired(now) && now - died < cr.backoffMs) return died + cr.backoffMs;
    cr.backoffMs = cr.backoffMs === 0 || expired(died) ? initialBackoffMs : Math.min(cr.backoffMs * 2, maxBackoffMs);
    cr.backoffUpdatedAt = died;
    return undefined;
  };

  const shouldRestart = (pod: RPod, cr: ContainerRecord): boolean => {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    return policy === 'Always' || (policy === 'OnFailure' && cr.exited!.exitCode !== 0);
  };

  /** Runs probes that are due; a failed liveness probe past its threshold kills the container. */
  const probe = async (pod: RPod, rec: PodRecord, c: RContainer, cr: ContainerRecord, now: number): Promise<number | undefined> => {
    if (!c.readinessProbe && !c.livenessProbe) return undefined;
    if (now < cr.nextProbeAt) return cr.nextProbeAt;
    const h = handle(pod, rec, c, cr.containerID!);
    if (c.readinessProbe) cr.probeReady = !!(await runtime.probe(h, 'readiness'));
    if (c.livenessProbe) {
      const ok = await runtime.probe(h, 'liveness');
      cr.livenessFailures = ok ? 0 : cr.livenessFailures + 1;
      if (cr.livenessFailures >= (c.livenessProbe.failureThreshold ?? 3)) {
        recorder(rec.nodeName).event(pod, podRef, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`);
        await runtime.kill(h);
        markExited(cr, now, { exitCode: 137, reason: 'Error' });
        return now;
      }
    }
    const period = Math.min(c.readinessProbe?.periodSeconds ?? 10, c.livenessProbe?.periodSeconds ?? 10) * 1000;
    cr.nextProbeAt = now + period;
    return cr.nextProbeAt;
  };

  const terminate = async (key: string, pod: RPod, rec: PodRecord, now: number): Promise<Result | void> => {
    const deadline = Date.parse(pod.metadata.deletionTimestamp!);
    if (!rec.termination) {
      let ignores = false;
      for (const cr of rec.containers.values()) {
        const c = specOf(pod, cr.name);
        if (!c || !cr.containerID) continue;
        recorder(rec.nodeName).event(pod, podRef, 'Normal', 'Killing', `Stopping container ${c.name}`);
        if ((await runtime.stop(handle(pod, rec, c, cr.containerID))) === 'ignores-sigterm') ignores = true;
      }
      const anyRunning = [...rec.containers.values()].some((cr) => cr.containerID);
      rec.termination = { finishAt: !anyRunning ? now : ignores ? deadline : now + timings.podStopDelayMs };
    }
    const finishAt = Math.min(rec.termination.finishAt, deadline)
    if (now < finishAt) return { requeueAfterMs: finishAt - now };
    await forget(key);
    try {
      await client.delete(core('pods'), rec.namespace, rec.name, { gracePeriodSeconds: 0, preconditions: { uid: rec.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };

  /** Ephemeral containers start once, as soon as the pod runs, and are never restarted. */
  const startEphemeralContainers = async (pod: RPod, rec: PodRecord, now: number): Promise<void> => {
    for (const c of (pod.spec?.ephemeralContainers ?? []) as RContainer[]) {
      if (rec.containers.has(c.name)) continue;
      const cr = newContainerRecord(c, true);
      rec.containers.set(c.name, cr);
      await startContainer(pod, rec, c, cr, now);
    }
  };

  /** An ephemeral container as the kubelet reports it: never ready, and once ended, ended. */
  const ephemeralView = (c: RContainer, rec: PodRecord): ContainerView => {
    const cr = rec.containers.get(c.name);
    const view: ContainerView = { name: c.name, image: c.image ?? '', restartCount: 0, volumeMounts: c.volumeMounts, ephemeral: true };
    if (cr?.containerID && cr.startedAt !== undefined) view.running = { startedAt: cr.startedAt, containerID: cr.containerID, ready: false };
    else if (cr?.exited) view.terminated = stripAt(cr.exited);
    else view.waiting = { reason: rec.initDone ? 'ContainerCreating' : 'PodInitializing' };
    return view;
  };

  const writeStatus = async (pod: RPod, rec: PodRecord, node: SimulatedNode, now: number): Promise<void> => {
    const views: ContainerView[] = (pod.spec?.containers ?? []).map((c) => {
      const cr = rec.containers.get(c.name)!;
      const view: ContainerView = { name: c.name, image: c.image ?? '', restartCount: cr.restartCount, lastTerminated: cr.lastTerminated, volumeMounts: c.volumeMounts };
      if (cr.containerID && cr.startedAt !== undefined) {
        const ready = !rec.unready && cr.probeReady && now >= cr.startedAt + timings.podReadyDelayMs;
        view.running = { startedAt: cr.startedAt, containerID: cr.containerID, ready };
      } else if (cr.exited && !shouldRestart(pod, cr)) {
        view.terminated = stripAt(cr.exited);
      } else if (cr.exited) {
        view.lastTerminated = stripAt(cr.exited);
        view.waiting = {
          reason: 'CrashLoopBackOff',
          message: `back-off ${Math.round(cr.backoffMs / 1000)}s restarting failed container=${c.name} pod=${containerKey(rec)}`,
        };
      } else {
        view.waiting = { reason: rec.initDone ? 'ContainerCreating' : 'PodInitializing' };
      }
      return view;
    });
    const inits: ContainerView[] = (pod.spec?.initContainers ?? []).map((c) => ({
      name: c.name, image: c.image ?? '', restartCount: 0,
      ...(rec.initDone && rec.podIP
        ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: rfc3339(rec.acceptedAt), finishedAt: rfc3339(rec.acceptedAt), containerID: newStableID(rec, c.name) } }
        : { waiting: { reason: rec.podIP ? 'PodInitializing' : 'ContainerCreating' } }),
    }));
    const ephemeral = ((pod.spec?.ephemeralContainers ?? []) as RContainer[]).map((c) => ephemeralView(c, rec));
    const status = buildPodStatus({
      pod, now, hostIP: node.spec.internalIP, startTime: rec.acceptedAt, podIP: rec.podIP, initContainers: inits, containers: views, ephemeralContainers: ephemeral,
    });
    if (sameJson(status, pod.status)) return;
    // the registry decodes (copies) what it is given: a shallow copy is enough here
    await client.updateStatus(core('pods'), rec.namespace, { ...pod, status } as Pod & KubeObject);
  };

  const reconcile = async (key: string): Promise<Result | void> => {
    const [namespace, name] = key.split('/');
    const pod = pods.get(namespace, name);
    const known = records.get(key);
    if (known && (!pod || pod.metadata.uid !== known.uid)) await forget(key);
    if (!pod) return;
    const node = pool.get(pod.spec?.nodeName);
    if (!node || !node.running) return;
    const now = clock.now();
    const rec = ensureRecord(key, pod, node);
    if (pod.metadata.deletionTimestamp) return terminate(key, pod, rec, now);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const wakeups: number[] = [];
    const sandboxAt = rec.acceptedAt + timings.podStartDelayMs;
    if (now < sandboxAt) {
      wakeups.push(sandboxAt);
    } else {
      if (!rec.podIP) rec.podIP = node.ips.allocate(rec.uid);
      rec.initDone = true;
      for (const c of pod.spec?.containers ?? []) {
        const cr = rec.containers.get(c.name)!;
        if (cr.exited) {
          if (!shouldRestart(pod, cr)) continue;
          const until = backoffUntil(cr, now);
          if (until !== undefined) {
            if (until > now) wakeups.push(until);
            continue;
          }
          recorder(rec.nodeName).event(pod, podRef, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${containerKey(rec)}`);
        }
        if (!cr.containerID) {
          await startContainer(pod, rec, c, cr, now);
          if (cr.exited) wakeups.push(now);
          continue;
        }
        const next = await probe(pod, rec, c, cr, now);
        if (next !== undefined) wakeups.push(next);
        const readyAt = cr.startedAt! + timings.podReadyDelayMs;
        if (readyAt > now) wakeups.push(readyAt);
      }
      await startEphemeralContainers(pod, rec, now);
    }
    await writeStatus(pod, rec, node, now);
    if (!wakeups.length) return;
    return { requeueAfterMs: Math.max(0, Math.min(...wakeups) - now) };
  };

  const queue = new WorkQueue({ name: 'kubelet', clock, logger, reconcile });
  const keyOf = (p: RPod): string => `${p.metadata.namespace}/${p.metadata.name}`;
  const off = pods.onEvent((e) => {
    if (e.type === 'DELETED') {
      if (records.has(keyOf(e.object))) queue.add(keyOf(e.object));
      return;
    }
    if (pool.get(e.object.spec?.nodeName) || records.has(keyOf(e.object))) queue.add(keyOf(e.object));
  });
  runtime.onExit?.((containerID, exit) => {
    const where = byContainerID.get(containerID);
    const rec = where && records.get(where.key);
    const cr = rec?.containers.get(where!.container);
    if (!cr || cr.containerID !== containerID) return;
    markExited(cr, clock.now(), exit);
    queue.add(where!.key);
  });
  for (const i of [pods, claims, volumes]) i.start();
  for (const p of pods.list()) if (pool.get(p.spec?.nodeName)) queue.add(keyOf(p));

  const control: KubeletControl = {
    async crashContainer(namespace, podName, container, opts = {}) {
      const key = `${namespace}/${podName}`;
      const pod = pods.get(namespace, podName);
      const rec = records.get(key);
      if (!pod || !rec || rec.uid !== pod.metadata.uid) throw new Error(`pod ${key} is not running on a simulated node`);
      const targets = container ? [container] : [...rec.containers.values()].filter((cr) => !cr.ephemeral).map((cr) => cr.name);
      for (const name of targets) {
        const cr = rec.containers.get(name);
        if (!cr) throw new Error(`pod ${key} has no container "${name}"`);
        cr.crashLoop = !!opts.loop;
        if (!cr.containerID) continue;
        const spec = specOf(pod, name)!;
        await runtime.kill(handle(pod, rec, spec, cr.containerID));
        markExited(cr, clock.now(), { exitCode: opts.exitCode ?? 1, reason: opts.exitCode === 137 ? 'OOMKilled' : 'Error' });
      }
      queue.add(key);
      return targets;
    },
    async setPodUnready(namespace, podName, unready) {
      const key = `${namespace}/${podName}`;
      const rec = records.get(key);
      if (!rec) throw new Error(`pod ${key} is not running on a simulated node`);
      rec.unready = unready;
      queue.add(key);
    },
    async recoverPod(namespace, podName) {
      const key = `${namespace}/${podName}`;
      const rec = records.get(key);
      if (!rec) throw new Error(`pod ${key} is not running on a simulated node`);
      for (const cr of rec.containers.values()) cr.crashLoop = false;
      queue.add(key);
    },
    async rebootNode(nodeName) {
      for (const [key, rec] of records) {
        if (rec.nodeName !== nodeName) continue;
        // the old processes died with the machine: a runtime must free their ports before the restart binds them again
        const pod = pods.get(rec.namespace, rec.name);
        for (const cr of rec.containers.values()) {
          const spec = specOf(pod, cr.name);
          if (pod && spec && cr.containerID) await runtime.kill(handle(pod, rec, spec, cr.containerID));
        }
        const now = clock.now();
        for (const cr of rec.containers.values()) {
          markExited(cr, now, { exitCode: 255, reason: 'Error', message: 'node rebooted' });
          // A reboot is not a crash loop: the container comes back at once.
          cr.backoffMs = 0;
        }
        rec.termination = undefined;
        queue.add(key);
      }
    },
    podsOn(nodeName) {
      return [...records.entries()].filter(([, r]) => r.nodeName === nodeName).map(([k]) => k);
    },
    resync(key) {
      if (key) queue.add(key);
      else for (const p of pods.list()) if (pool.get(p.spec?.nodeName)) queue.add(keyOf(p));
    },
  };

  return {
    name: 'kubelet',
    queue,
    control,
    stop() {
      off();
      queue.stop();
    },
  };
}

function stripAt(t: ContainerStateTerminated & { at?: number }): ContainerStateTerminated {
  const { at: _at, ...rest } = t;
  return rest;
}

/** Init containers run once per pod: a stable ID keeps repeated status writes identical. */
function newStableID(rec: PodRecord, name: string): string {
  let h = 0;
  for (const ch of `${rec.uid}/${name}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `containerd://${h.toString(16).padStart(8, '0').repeat(8)}`;
}

export { normalizeImage };
