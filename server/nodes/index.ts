import type { Controller, ControllerDeps } from '../controllers/deps.js';
import type { PodBinder } from './binding.js';
import { startKubelets, type KubeletControl } from './kubelet.js';
import { startNodeLifecycle, type NodeLifecycleControl } from './node-lifecycle.js';
import { NodePool } from './node-pool.js';
import { instantRuntime, type ContainerRuntime } from './runtime.js';
import { startScheduler } from './scheduler.js';

export interface NodesOptions {
  /** How pods get spec.nodeName (the pods/binding subresource); see storagePodBinder. */
  binder: PodBinder;
  /** What runs containers; the instant runtime by default. */
  runtime?: ContainerRuntime;
  /** Reported as nodeInfo.kubeletVersion, e.g. versionInfo(minor).gitVersion. */
  kubeletVersion?: string;
}

/** Failure injection, as the admin endpoint and CLI expose it. */
export interface FailureInjection {
  crashContainer(namespace: string, pod: string, container?: string, opts?: { exitCode?: number; loop?: boolean }): Promise<string[]>;
  /** Ends crash loops started with loop: true: the next start of each container succeeds. */
  recoverPod(namespace: string, pod: string): Promise<void>;
  setPodReady(namespace: string, pod: string, ready: boolean): Promise<void>;
  stopNode(name: string): Promise<void>;
  startNode(name: string): Promise<void>;
  deleteNode(name: string): Promise<void>;
  /** The seed's "worker node crashes": the node stops and its Node object is deleted, so its pods are replaced elsewhere. */
  crashNode(name: string): Promise<void>;
  nodeOf(namespace: string, pod: string): string | undefined;
}

export interface RunningNodes {
  pool: NodePool;
  controllers: Controller[];
  kubelet: KubeletControl;
  lifecycle: NodeLifecycleControl;
  failures: FailureInjection;
  stop(): void;
}

/**
 * The simulated data plane: deps.config.nodes worker nodes, the scheduler, their kubelets, the
 * node lifecycle controller and PodGC. Controllers are returned so the caller can wait on their
 * queues; stop() stops them all.
 */
export function startNodes(deps: ControllerDeps, opts: NodesOptions): RunningNodes {
  const pool = new NodePool({ count: deps.config.nodes, podCidr: deps.config.podCidr, kubeletVersion: opts.kubeletVersion ?? 'v1.32.9' });
  // Each component writes as the field manager its kube counterpart uses.
  const kubelets = startKubelets({ ...deps, client: deps.client.as('kubelet') }, pool, opts.runtime ?? instantRuntime(), deps.config);
  const lifecycle = startNodeLifecycle(deps, pool, (name) => kubelets.control.rebootNode(name));
  const scheduler = startScheduler({ ...deps, client: deps.client.as('kube-scheduler') }, opts.binder);
  const pods = deps.informers.for<{ metadata: { name?: string }; spec?: { nodeName?: string } }>('', 'pods');
  const failures: FailureInjection = {
    crashContainer: (ns, pod, container, o) => kubelets.control.crashContainer(ns, pod, container, o),
    recoverPod: (ns, pod) => kubelets.control.recoverPod(ns, pod),
    setPodReady: (ns, pod, ready) => kubelets.control.setPodUnready(ns, pod, !ready),
    stopNode: (name) => lifecycle.control.stopNode(name),
    startNode: (name) => lifecycle.control.startNode(name),
    deleteNode: (name) => lifecycle.control.deleteNode(name),
    async crashNode(name) {
      await lifecycle.control.stopNode(name);
      await lifecycle.control.deleteNode(name);
    },
    nodeOf: (ns, pod) => pods.get(ns, pod)?.spec?.nodeName,
  };
  const controllers: Controller[] = [scheduler, kubelets, lifecycle, lifecycle.podGc];
  return {
    pool,
    controllers,
    kubelet: kubelets.control,
    lifecycle: lifecycle.control,
    failures,
    stop() {
      for (const c of controllers) c.stop();
    },
  };
}

export { storagePodBinder } from './binding.js';
export type { ContainerRuntime } from './runtime.js';
