import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { core } from '../controllers/client.js';
import type { Controller, ControllerDeps } from '../controllers/deps.js';
import { eventRecorder } from '../controllers/events.js';
import { WorkQueue, type Result } from '../controllers/runtime.js';
import { rfc3339 } from '../meta/clock.js';
import { isAlreadyExists, isNotFound } from '../meta/errors.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import { buildNode, healthyConditions, readinessTaints, readyStatus, unknownConditions, type NodeObject } from './node-objects.js';
import type { NodePool } from './node-pool.js';
import { sameJson } from './pod-status.js';
import { taintNotReady, taintUnreachable, tolerationSecondsFor } from './taints.js';
import { deepCopy } from '../meta/deep-copy.js';
import { updatePodCondition } from '../registry/kinds/pod-conditions.js';

type RPod = DeepReadonly<Pod & KubeObject>;
type RNode = DeepReadonly<Node & KubeObject>;

const readinessTaintKeys = new Set([taintNotReady, taintUnreachable]);

/** Keeps the not-ready/unreachable taints in line with the Ready condition, keeping timeAdded and other taints. */
export function desiredTaints(node: RNode, now: number): Taint[] {
  const others = (node.spec?.taints ?? []).filter((t) => !readinessTaintKeys.has(t.key)).map((t) => deepCopy(t) as Taint);
  const wanted = readinessTaints(readyStatus(node), now).map((t) => {
    const existing = node.spec?.taints?.find((o) => o.key === t.key && o.effect === t.effect);
    return existing ? (deepCopy(existing) as Taint) : t;
  });
  return [...others, ...wanted];
}

/** When the taint manager evicts this pod from a node with these taints: undefined = never. */
export function evictionTime(pod: RPod, taints: readonly DeepReadonly<Taint>[], now: number): number | undefined {
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const seconds = tolerationSecondsFor(pod.spec?.tolerations, taint);
    if (seconds === undefined) continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const t = added + seconds * 1000;
    at = at === undefined ? t : Math.min(at, t);
  }
  return at;
}

export interface NodeLifecycleControl {
  /** The machine goes down: its kubelet stops posting, the node turns Unknown and gets tainted. */
  stopNode(name: string): Promise<void>;
  /** The machine comes back: the kubelet re-registers or reports Ready again. */
  startNode(name: string): Promise<void>;
  /** The machine is gone for good: stop it and delete the Node object (PodGC then removes its pods). */
  deleteNode(name: string): Promise<void>;
}

export type NodeLifecycleController = Controller & { control: NodeLifecycleControl; podGc: Controller };

/**
 * Node registration and what kube-controller-manager does about node health: the kubelets of
 * running simulated nodes register and report Ready; the node lifecycle controller marks silent
 * nodes Unknown, taints them, sets their pods' Ready to False and evicts pods once their
 * NoExecute toleration runs out; PodGC force-deletes pods bound to nodes that no longer exist.
 */
export function startNodeLifecycle(deps: ControllerDeps, pool: NodePool, onReboot: (node: string) => Promise<void> | void): NodeLifecycleController {
  const { informers, client, clock, logger } = deps;
  const nodes = informers.for<Node & KubeObject>('', 'nodes');
  const pods = informers.for<Pod & KubeObject>('', 'pods');
  const nodeEvents = eventRecorder(client, clock, logger, 'node-controller');
  const podGcEvents = eventRecorder(client, clock, logger, 'pod-garbage-collector');
  const nodeRef = { kind: 'Node', apiVersion: 'v1' };
  const podRef = { kind: 'Pod', apiVersion: 'v1' };
  const podsOn = (name: string): RPod[] => pods.list().filter((p) => p.spec?.nodeName === name);

  const register = async (name: string): Promise<void> => {
    const sim = pool.get(name)!;
    const built = buildNode(sim.spec, clock.now());
    try {
      // a kubelet registers its node with its status (addresses, capacity, conditions) in one create
      await client.create<NodeObject>(core('nodes'), '', built);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    nodeEvents.event(built, nodeRef, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
  };

  /** The kubelet's own status post: healthy conditions when it runs. */
  const postKubeletStatus = async (node: RNode, now: number): Promise<void> => {
    if (readyStatus(node) === 'True') return;
    const next = deepCopy(node) as NodeObject;
    next.status = { ...next.status, conditions: healthyConditions(now, now) };
    await client.updateStatus(core('nodes'), '', next);
    nodeEvents.event(node, nodeRef, 'Normal', 'NodeReady', `Node ${node.metadata.name} status is now: NodeReady`);
  };

  const markUnknown = async (node: RNode, now: number): Promise<void> => {
    if (readyStatus(node) === 'Unknown') return;
    const next = deepCopy(node) as NodeObject;
    next.status = { ...next.status, conditions: unknownConditions(node.status?.conditions ?? [], now) };
    await client.updateStatus(core('nodes'), '', next);
    nodeEvents.event(node, nodeRef, 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
  };

  /** MarkPodsNotReady: the controller, not the silent kubelet, flips Ready to False. */
  const markPodsNotReady = async (name: string, now: number): Promise<void> => {
    for (const pod of podsOn(name)) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      const conditions = updatePodCondition(pod.status?.conditions, { ...ready, status: 'False' }, rfc3339(now));
      try {
        await client.mergePatch(core('pods'), pod.metadata.namespace!, pod.metadata.name!, { status: { conditions } }, 'status');
        nodeEvents.event(pod, podRef, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  };

  /** The taint manager: pods that stop tolerating a NoExecute taint are deleted (gracefully). */
  const evict = async (node: RNode, now: number): Promise<number | undefined> => {
    let next: number | undefined;
    for (const pod of podsOn(node.metadata.name!)) {
      if (pod.metadata.deletionTimestamp) continue;
      const at = evictionTime(pod, node.spec?.taints ?? [], now);
      if (at === undefined) continue;
      if (at > now) {
        next = next === undefined ? at : Math.min(next, at);
        continue;
      }
      nodeEvents.event(pod, podRef, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      try {
        await client.delete(core('pods'), pod.metadata.namespace!, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return next;
  };

  const reconcileNode = async (name: string): Promise<Result | void> => {
    const now = clock.now();
    const sim = pool.get(name);
    let node = nodes.get(undefined, name);
    if (!node) {
      if (sim?.running) await register(name);
      return;
    }
    if (sim?.running) await postKubeletStatus(node, now);
    else if (sim) await markUnknown(node, now);
    node = nodes.get(undefined, name) ?? node;
    const taints = desiredTaints(node, now);
    if (!sameJson(taints, node.spec?.taints ?? [])) {
      const next = deepCopy(node) as NodeObject;
      next.spec = { ...next.spec, taints: taints.length ? taints : undefined };
      await client.update(core('nodes'), '', next);
      return { requeueAfterMs: 0 };
    }
    if (readyStatus(node) !== 'True') await markPodsNotReady(name, now);
    const nextEviction = await evict(node, now);
    if (nextEviction !== undefined) return { requeueAfterMs: nextEviction - now };
  };

  /** PodGC gcOrphaned: a pod bound to a node that is gone is failed and force-deleted. */
  const reconcilePod = async (key: string): Promise<void> => {
    const [namespace, name] = key.split('/');
    const pod = pods.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !nodes.hasSynced() || nodes.get(undefined, nodeName) || pool.get(nodeName)?.running) return;
    const message = 'PodGC: node no longer exists';
    try {
      if (pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') {
        const conditions = updatePodCondition(pod.status?.conditions, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message }, rfc3339(clock.now()));
        await client.mergePatch(core('pods'), namespace, name, { status: { phase: 'Failed', conditions } }, 'status');
      }
      podGcEvents.event(pod, podRef, 'Normal', 'PodGCDeletion', message);
      await client.delete(core('pods'), namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };

  const queue = new WorkQueue({ name: 'node-lifecycle', clock, logger, reconcile: reconcileNode });
  const gcQueue = new WorkQueue({ name: 'pod-gc', clock, logger, reconcile: reconcilePod });
  const podKey = (p: RPod): string => `${p.metadata.namespace}/${p.metadata.name}`;
  const offs = [
    nodes.onEvent((e) => {
      queue.add(e.object.metadata.name!);
      if (e.type === 'DELETED') for (const p of podsOn(e.object.metadata.name!)) gcQueue.add(podKey(p));
    }),
    pods.onEvent((e) => {
      if (e.type === 'DELETED' || !e.object.spec?.nodeName) return;
      if (!nodes.get(undefined, e.object.spec.nodeName)) gcQueue.add(podKey(e.object));
      else if (readyStatus(nodes.get(undefined, e.object.spec.nodeName)) !== 'True') queue.add(e.object.spec.nodeName);
    }),
  ];
  nodes.start();
  pods.start();
  for (const n of pool.names()) queue.add(n);
  for (const n of nodes.list()) queue.add(n.metadata.name!);

  const control: NodeLifecycleControl = {
    async stopNode(name) {
      const sim = pool.get(name);
      if (!sim) throw new Error(`node ${name} is not a simulated node`);
      sim.running = false;
      queue.add(name);
    },
    async startNode(name) {
      const sim = pool.get(name);
      if (!sim) throw new Error(`node ${name} is not a simulated node`);
      if (!sim.running) {
        sim.running = true;
        await onReboot(name);
      }
      queue.add(name);
    },
    async deleteNode(name) {
      const sim = pool.get(name);
      if (sim) sim.running = false;
      try {
        await client.delete(core('nodes'), '', name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };

  return {
    name: 'node-lifecycle',
    queue,
    control,
    podGc: { name: 'pod-gc', queue: gcQueue, stop: () => gcQueue.stop() },
    stop() {
      for (const off of offs) off();
      queue.stop();
      gcQueue.stop();
    },
  };
}
