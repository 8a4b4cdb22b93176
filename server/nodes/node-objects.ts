import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { createHash } from 'node:crypto';
import { rfc3339 } from '../meta/clock.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import { taintNotReady, taintUnreachable } from './taints.js';
import { deepCopy } from '../meta/deep-copy.js';

export type NodeObject = Node & KubeObject;

export interface SimulatedNodeSpec {
  name: string;
  internalIP: string;
  podCidr: string;
  zone: string;
  kubeletVersion: string;
}

export function nodeName(index: number): string {
  return `kubemock-worker-${index + 1}`;
}

export function zoneFor(index: number): string {
  return `kubemock-zone-${'abc'[index % 3]}`;
}

/** Stable per-node identifiers, so a restarted kubemock reports the same machine. */
function machineId(name: string, salt: string): string {
  return createHash('sha256').update(`${salt}/${name}`).digest('hex').slice(0, 32);
}

function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const capacity = {
  cpu: '4',
  'ephemeral-storage': '102626232Ki',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
  memory: '8148100Ki',
  pods: '110',
};

/** The four conditions a healthy kubelet posts, with its upstream reasons and messages. */
export function healthyConditions(now: number, since: number): NodeCondition[] {
  const c = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type, status, reason, message, lastHeartbeatTime: rfc3339(now), lastTransitionTime: rfc3339(since),
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/**
 * What the node lifecycle controller writes when a kubelet stops posting status: every condition
 * Unknown, heartbeats left as they were.
 */
export function unknownConditions(conditions: readonly DeepReadonly<NodeCondition>[], now: number): NodeCondition[] {
  return conditions.map((c) => ({
    ...deepCopy(c) as NodeCondition,
    status: 'Unknown',
    reason: 'NodeStatusUnknown',
    message: 'Kubelet stopped posting node status.',
    lastTransitionTime: c.status === 'Unknown' ? c.lastTransitionTime : rfc3339(now),
  }));
}

/** The taints the node lifecycle controller keeps on a node whose Ready condition is False or Unknown. */
export function readinessTaints(ready: string | undefined, now: number): Taint[] {
  if (ready === 'True') return [];
  const key = ready === 'False' ? taintNotReady : taintUnreachable;
  return [
    { key, effect: 'NoSchedule' },
    { key, effect: 'NoExecute', timeAdded: rfc3339(now) },
  ];
}

export function buildNode(spec: SimulatedNodeSpec, now: number, clusterSalt = 'kubemock'): NodeObject {
  const id = machineId(spec.name, clusterSalt);
  return {
    metadata: {
      name: spec.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/zone': spec.zone,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: spec.podCidr,
      podCIDRs: [spec.podCidr],
      providerID: `kubemock://${spec.name}`,
    },
    status: {
      addresses: [{ type: 'InternalIP', address: spec.internalIP }, { type: 'Hostname', address: spec.name }],
      allocatable: { ...capacity },
      capacity: { ...capacity },
      conditions: healthyConditions(now, now),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: uuidOf(machineId(spec.name, `${clusterSalt}/boot/${now}`)),
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.8.0-kubemock',
        kubeProxyVersion: spec.kubeletVersion,
        kubeletVersion: spec.kubeletVersion,
        machineID: id,
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        systemUUID: uuidOf(id),
      },
    },
  };
}

export function readyStatus(node: DeepReadonly<Node> | undefined): string | undefined {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

export function internalIP(node: DeepReadonly<Node> | undefined): string | undefined {
  return node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}
