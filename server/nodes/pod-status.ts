import type { ContainerStatus, ContainerStateTerminated, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { createHash } from 'node:crypto';
import { rfc3339 } from '../meta/clock.js';
import type { DeepReadonly } from '../meta/types.js';
import { deepCopy } from '../meta/deep-copy.js';

type RPod = DeepReadonly<Pod>;

/** Docker reference normalisation as containerd reports images: docker.io/library/nginx:latest. */
export function normalizeImage(image: string): string {
  let name = image;
  const digest = name.includes('@');
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = `docker.io/${slash < 0 ? 'library/' : ''}${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!digest && !lastPart.includes(':')) name += ':latest';
  return name;
}

export function imageID(image: string): string {
  let id = imageIDs.get(image);
  if (id === undefined) {
    const normalized = normalizeImage(image);
    const repo = normalized.includes('@') ? normalized.slice(0, normalized.indexOf('@')) : normalized.replace(/:[^:/]+$/, '');
    id = `${repo}@sha256:${createHash('sha256').update(normalized).digest('hex')}`;
    // every status write of every running container asks; a cluster runs a handful of images
    if (imageIDs.size >= 1024) imageIDs.clear();
    imageIDs.set(image, id);
  }
  return id;
}

const imageIDs = new Map<string, string>();

/** What the kubelet knows about one container (a run or the gap between runs). */
export interface ContainerView {
  name: string;
  image: string;
  restartCount: number;
  lastTerminated?: ContainerStateTerminated;
  /** Exactly one of these describes the current state. */
  running?: { startedAt: number; containerID: string; ready: boolean };
  waiting?: { reason: string; message?: string };
  terminated?: ContainerStateTerminated;
  volumeMounts?: readonly { name: string; mountPath: string; readOnly?: boolean }[];
  /** An ephemeral container's status has no `started`: the probe manager never sets it. */
  ephemeral?: boolean;
}

export function containerStatus(v: ContainerView): ContainerStatus {
  const base: ContainerStatus = {
    name: v.name,
    image: v.running || v.terminated || v.lastTerminated ? normalizeImage(v.image) : v.image,
    imageID: v.running || v.terminated || v.lastTerminated ? imageID(v.image) : '',
    lastState: v.lastTerminated ? { terminated: deepCopy(v.lastTerminated) } : {},
    ready: !!v.running?.ready,
    restartCount: v.restartCount,
    state: {},
  };
  if (!v.ephemeral) base.started = !!v.running;
  if (v.running) {
    base.containerID = v.running.containerID;
    base.state = { running: { startedAt: rfc3339(v.running.startedAt) } };
  } else if (v.terminated) {
    base.containerID = v.terminated.containerID;
    base.state = { terminated: deepCopy(v.terminated) };
  } else {
    base.state = { waiting: { reason: v.waiting?.reason ?? 'ContainerCreating', ...(v.waiting?.message ? { message: v.waiting.message } : {}) } };
  }
  if (v.running && v.volumeMounts?.length) {
    base.volumeMounts = v.volumeMounts.map((m) => ({
      name: m.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}),
    }));
  }
  return base;
}

export interface PodStatusInput {
  pod: RPod;
  now: number;
  hostIP: string;
  startTime: number;
  /** Set once the sandbox exists (PodReadyToStartContainers). */
  podIP?: string;
  initContainers: ContainerView[];
  containers: ContainerView[];
  ephemeralContainers?: ContainerView[];
}

function condition(prior: readonly DeepReadonly<PodCondition>[] | undefined, now: number, type: string, status: boolean, reason?: string, message?: string): PodCondition {
  const old = prior?.find((c) => c.type === type);
  const s = status ? 'True' : 'False';
  return {
    type,
    status: s,
    lastProbeTime: null as unknown as string,
    lastTransitionTime: old && old.status === s && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** getPhase: Pending until every container has run; terminal once nothing will run again. */
export function podPhase(pod: RPod, containers: ContainerView[]): PodStatus['phase'] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const running = containers.filter((c) => c.running).length;
  const terminated = containers.filter((c) => c.terminated);
  const waiting = containers.filter((c) => c.waiting);
  const everRan = (c: ContainerView): boolean => !!(c.running || c.terminated || c.lastTerminated);
  if (!containers.every(everRan)) return 'Pending';
  if (terminated.length === containers.length && policy !== 'Always') {
    const allSucceeded = terminated.every((c) => c.terminated!.exitCode === 0);
    if (policy === 'Never' || allSucceeded) return allSucceeded ? 'Succeeded' : 'Failed';
  }
  if (running > 0 || waiting.length > 0) return 'Running';
  return 'Running';
}

/** The status the kubelet's generateAPIPodStatus would post for this state. */
export function buildPodStatus(input: PodStatusInput): PodStatus {
  const { pod, now } = input;
  const prior = pod.status?.conditions;
  const initDone = input.initContainers.every((c) => c.terminated?.exitCode === 0);
  const unready = input.containers.filter((c) => !c.running?.ready).map((c) => c.name);
  const containersReady = unready.length === 0;
  const unreadyMessage = `containers with unready status: [${unready.join(' ')}]`;
  const gates = pod.spec?.readinessGates ?? [];
  const missingGate = gates.find((g) => !prior?.some((c) => c.type === g.conditionType && c.status === 'True'));
  const conditions: PodCondition[] = [
    condition(prior, now, 'PodReadyToStartContainers', !!input.podIP),
    condition(prior, now, 'Initialized', initDone, initDone ? undefined : 'ContainersNotInitialized',
      initDone ? undefined : `containers with incomplete status: [${input.initContainers.filter((c) => c.terminated?.exitCode !== 0).map((c) => c.name).join(' ')}]`),
    containersReady && missingGate
      ? condition(prior, now, 'Ready', false, 'ReadinessGatesNotReady', `corresponding condition of pod readiness gate "${missingGate.conditionType}" does not exist.`)
      : condition(prior, now, 'Ready', containersReady, containersReady ? undefined : 'ContainersNotReady', containersReady ? undefined : unreadyMessage),
    condition(prior, now, 'ContainersReady', containersReady, containersReady ? undefined : 'ContainersNotReady', containersReady ? undefined : unreadyMessage),
  ];
  // The scheduler's condition and any other (readiness gates, DisruptionTarget) are kept as they are.
  const own = new Set(conditions.map((c) => c.type));
  for (const c of prior ?? []) if (!own.has(c.type)) conditions.push(deepCopy(c) as PodCondition);
  const status: PodStatus = {
    phase: podPhase(pod, input.containers),
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(input.podIP ? { podIP: input.podIP, podIPs: [{ ip: input.podIP }] } : {}),
    startTime: rfc3339(input.startTime),
    ...(input.initContainers.length ? { initContainerStatuses: input.initContainers.map(containerStatus) } : {}),
    containerStatuses: input.containers.map(containerStatus),
    ...(input.ephemeralContainers?.length ? { ephemeralContainerStatuses: input.ephemeralContainers.map(containerStatus) } : {}),
    qosClass: pod.status?.qosClass ?? 'BestEffort',
  };
  return status;
}

/** Order-insensitive structural equality for JSON values, to skip writes that change nothing. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)].filter((k) => ao[k] !== undefined || bo[k] !== undefined));
  for (const k of keys) if (!sameJson(ao[k], bo[k])) return false;
  return true;
}
