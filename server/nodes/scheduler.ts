import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { core, type ObjectClient } from '../controllers/client.js';
import type { Controller, ControllerDeps } from '../controllers/deps.js';
import { eventRecorder } from '../controllers/events.js';
import { runningController, WorkQueue, type Result } from '../controllers/runtime.js';
import { rfc3339 } from '../meta/clock.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { PodBinder } from './binding.js';
import { nodeSelectorTermsMatch, untoleratedTaint } from './taints.js';
import { deepCopy } from '../meta/deep-copy.js';

type RPod = DeepReadonly<Pod & KubeObject>;
type RNode = DeepReadonly<Node & KubeObject>;
type RClaim = DeepReadonly<PersistentVolumeClaim & KubeObject>;
type RVolume = DeepReadonly<PersistentVolume & KubeObject>;
type RClass = DeepReadonly<StorageClass & KubeObject>;

export const selectedNodeAnnotation = 'volume.kubernetes.io/selected-node';
export const defaultSchedulerName = 'default-scheduler';

/** What the scheduler knows when placing one pod. */
export interface ScheduleInput {
  pod: RPod;
  nodes: readonly RNode[];
  /**
   * Bound, non-terminal pods on a node (least-loaded spread and the pods capacity), a count the caller
   * keeps up to date so that a decision does not scan every pod.
   */
  podsOnNode(nodeName: string): number;
  claim(namespace: string, name: string): RClaim | undefined;
  volume(name: string): RVolume | undefined;
  storageClass(name: string): RClass | undefined;
}

export type ScheduleDecision =
  | { kind: 'bind'; node: string }
  /** WaitForFirstConsumer claims must be provisioned on the chosen node before the pod is bound. */
  | { kind: 'provision'; node: string; claims: string[] }
  /** Claims are being bound or provisioned: look again when they change. */
  | { kind: 'wait'; reason: string }
  | { kind: 'unschedulable'; message: string };

export function claimNames(pod: RPod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

export function isWaitForFirstConsumer(claim: RClaim, cls: RClass | undefined): boolean {
  return !claim.spec?.volumeName && cls?.volumeBindingMode === 'WaitForFirstConsumer';
}

interface Filtered {
  reason: string;
}

function filterNode(input: ScheduleInput, node: RNode, volumes: readonly RVolume[], podCount: (node: RNode) => number): Filtered | undefined {
  const spec = input.pod.spec;
  const taint = untoleratedTaint(node.spec?.taints, spec?.tolerations, ['NoSchedule', 'NoExecute']);
  if (taint) return { reason: `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}` };
  if (node.spec?.unschedulable && !(spec?.tolerations ?? []).some((t) => t.key === 'node.kubernetes.io/unschedulable' || (!t.key && t.operator === 'Exists'))) {
    return { reason: 'node(s) were unschedulable' };
  }
  const labels = node.metadata.labels ?? {};
  const selectorOk = Object.entries(spec?.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)
    && nodeSelectorTermsMatch(spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, node);
  if (!selectorOk) return { reason: "node(s) didn't match Pod's node affinity/selector" };
  if (volumes.some((pv) => !nodeSelectorTermsMatch(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, node))) {
    return { reason: "node(s) had volume node affinity conflict" };
  }
  const max = Number((node.status?.allocatable as Record<string, string> | undefined)?.pods ?? 110);
  if (podCount(node) >= max) return { reason: 'Too many pods' };
  return undefined;
}

/** The upstream FitError text: "0/3 nodes are available: 1 node(s) ..., 2 node(s) .... preemption: ...". */
export function fitErrorMessage(total: number, reasons: Map<string, number>): string {
  const parts = [...reasons.entries()].map(([r, n]) => `${n} ${r}`).sort();
  const head = `0/${total} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.`;
  return `${head} preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
}

/** Filters the nodes, then scores the survivors by how few pods they run (ties by name). */
export function schedulePod(input: ScheduleInput): ScheduleDecision {
  const { pod } = input;
  const namespace = pod.metadata.namespace ?? 'default';
  const boundVolumes: RVolume[] = [];
  const delayed: string[] = [];
  for (const name of claimNames(pod)) {
    const claim = input.claim(namespace, name);
    if (!claim) return { kind: 'unschedulable', message: `0/${input.nodes.length} nodes are available: persistentvolumeclaim "${name}" not found.` };
    if (claim.metadata.deletionTimestamp) return { kind: 'unschedulable', message: `0/${input.nodes.length} nodes are available: persistentvolumeclaim "${name}" is being deleted.` };
    if (claim.status?.phase === 'Bound' && claim.spec?.volumeName) {
      const pv = input.volume(claim.spec.volumeName);
      if (!pv) return { kind: 'wait', reason: `volume ${claim.spec.volumeName} not found` };
      boundVolumes.push(pv);
      continue;
    }
    const cls = input.storageClass(claim.spec?.storageClassName ?? '');
    if (isWaitForFirstConsumer(claim, cls)) {
      delayed.push(name);
      continue;
    }
    return { kind: 'unschedulable', message: `0/${input.nodes.length} nodes are available: pod has unbound immediate PersistentVolumeClaims.` };
  }
  const reasons = new Map<string, number>();
  const feasible: RNode[] = [];
  const podCount = (node: RNode): number => input.podsOnNode(node.metadata.name ?? '');
  for (const node of input.nodes) {
    // As upstream since TaintNodesByCondition: node health reaches the scheduler only as taints.
    const f = filterNode(input, node, boundVolumes, podCount);
    if (f) reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
    else feasible.push(node);
  }
  if (!feasible.length) return { kind: 'unschedulable', message: fitErrorMessage(input.nodes.length, reasons) };
  feasible.sort((a, b) => podCount(a) - podCount(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const chosen = feasible[0].metadata.name!;
  if (delayed.length) {
    // A claim already annotated for another node keeps that choice (the binder is already provisioning there).
    const selected = delayed.map((n) => input.claim(namespace, n)?.metadata.annotations?.[selectedNodeAnnotation]).find(Boolean);
    const node = selected && feasible.some((n) => n.metadata.name === selected) ? selected : chosen;
    return { kind: 'provision', node, claims: delayed };
  }
  return { kind: 'bind', node: chosen };
}

export function needsScheduling(pod: RPod): boolean {
  return !pod.spec?.nodeName && !pod.metadata.deletionTimestamp
    && (pod.spec?.schedulerName ?? defaultSchedulerName) === defaultSchedulerName
    && !(pod.spec?.schedulingGates ?? []).length
    && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

function unschedulableCondition(pod: RPod, message: string, now: number): PodCondition[] {
  const prior = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const same = prior?.status === 'False' && prior.reason === 'Unschedulable';
  const cond: PodCondition = {
    type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message,
    lastProbeTime: null as unknown as string,
    lastTransitionTime: same && prior?.lastTransitionTime ? prior.lastTransitionTime : rfc3339(now),
  };
  return [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled').map((c) => deepCopy(c) as PodCondition), cond];
}

/** How long an unschedulable pod waits before another attempt (the scheduler's unschedulable queue flush is 5m). */
const retryUnschedulableMs = 10_000;

export function startScheduler(deps: ControllerDeps, binder: PodBinder): Controller {
  const { informers, client, clock, logger } = deps;
  const pods = informers.for<Pod & KubeObject>('', 'pods');
  const nodes = informers.for<Node & KubeObject>('', 'nodes');
  const claims = informers.for<PersistentVolumeClaim & KubeObject>('', 'persistentvolumeclaims');
  const volumes = informers.for<PersistentVolume & KubeObject>('', 'persistentvolumes');
  const classes = informers.for<StorageClass & KubeObject>('storage.k8s.io', 'storageclasses');
  const events = eventRecorder(client, clock, logger, defaultSchedulerName);
  const podRef = { kind: 'Pod', apiVersion: 'v1' };

  const reconcile = async (key: string): Promise<Result | void> => {
    const [namespace, name] = key.split('/');
    const pod = pods.get(namespace, name);
    if (!pod || !needsScheduling(pod)) return;
    const decision = schedulePod({
      pod,
      nodes: nodes.list(),
      podsOnNode: (node) => bound.onNode(node),
      claim: (ns, n) => claims.get(ns, n),
      volume: (n) => volumes.get(undefined, n),
      storageClass: (n) => classes.get(undefined, n),
    });
    switch (decision.kind) {
      case 'bind':
        await binder.bind({ namespace, name, uid: pod.metadata.uid }, decision.node);
        events.event(pod, podRef, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${decision.node}`);
        return;
      case 'provision':
        await annotateSelectedNode(client, namespace, decision.claims, decision.node, claims.get.bind(claims));
        return { requeueAfterMs: retryUnschedulableMs };
      case 'wait':
        return { requeueAfterMs: retryUnschedulableMs };
      case 'unschedulable': {
        const prior = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
        if (prior?.status !== 'False' || prior.message !== decision.message) {
          await client.mergePatch(core('pods'), namespace, name, { status: { conditions: unschedulableCondition(pod, decision.message, clock.now()) } }, 'status');
          events.event(pod, podRef, 'Warning', 'FailedScheduling', decision.message);
        }
        return { requeueAfterMs: retryUnschedulableMs };
      }
    }
  };

  const queue = new WorkQueue({ name: 'scheduler', clock, logger, reconcile });
  // Bound, non-terminal pods per node, kept from the pod events: every decision used to filter
  // the whole pod cache (O(pods) per pod scheduled, O(n²) for a roll-out).
  const bound = new BoundPods();
  for (const p of pods.list()) bound.observe(p);
  const enqueuePending = (namespace?: string): void => {
    for (const p of pods.list(namespace)) if (needsScheduling(p)) queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  };
  const offs = [
    pods.onEvent((e) => {
      if (e.type === 'DELETED') bound.forget(e.object);
      else bound.observe(e.object);
      if (e.type !== 'DELETED' && needsScheduling(e.object)) queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
      // A pod leaving frees room: others may fit now.
      if (e.type === 'DELETED' && e.object.spec?.nodeName) enqueuePending();
    }),
    nodes.onEvent(() => enqueuePending()),
    claims.onEvent((e) => enqueuePending(e.object.metadata.namespace)),
    volumes.onEvent(() => enqueuePending()),
  ];
  for (const i of [pods, nodes, claims, volumes, classes]) i.start();
  enqueuePending();
  return runningController('scheduler', queue, offs);
}

/** Which node each bound, non-terminal pod counts against, and the count per node. */
class BoundPods {
  private readonly nodeOf = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  onNode(node: string): number {
    return this.counts.get(node) ?? 0;
  }

  observe(pod: RPod): void {
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const node = pod.spec?.nodeName && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' ? pod.spec.nodeName : undefined;
    const was = this.nodeOf.get(key);
    if (was === node) return;
    if (was !== undefined) this.add(was, -1);
    if (node === undefined) {
      this.nodeOf.delete(key);
      return;
    }
    this.nodeOf.set(key, node);
    this.add(node, 1);
  }

  forget(pod: RPod): void {
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const was = this.nodeOf.get(key);
    if (was === undefined) return;
    this.nodeOf.delete(key);
    this.add(was, -1);
  }

  private add(node: string, delta: number): void {
    const n = (this.counts.get(node) ?? 0) + delta;
    if (n) this.counts.set(node, n);
    else this.counts.delete(node);
  }
}

async function annotateSelectedNode(
  client: ObjectClient, namespace: string, names: string[], node: string, get: (ns: string, n: string) => RClaim | undefined,
): Promise<void> {
  for (const n of names) {
    const claim = get(namespace, n);
    if (!claim || claim.metadata.annotations?.[selectedNodeAnnotation] === node) continue;
    await client.mergePatch(core('persistentvolumeclaims'), namespace, n, { metadata: { annotations: { [selectedNodeAnnotation]: node } } });
  }
}
