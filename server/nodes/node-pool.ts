import { gatewayOf, nodePodCidrs, formatCidr, PodIPAllocator } from './pod-ips.js';
import { nodeName, zoneFor, type SimulatedNodeSpec } from './node-objects.js';

/** One simulated machine: its identity, whether its kubelet runs, and its pod address pool. */
export interface SimulatedNode {
  spec: SimulatedNodeSpec;
  /** False while the machine is "down": its kubelet posts nothing and touches no pod. */
  running: boolean;
  ips: PodIPAllocator;
}

export interface NodePoolOptions {
  count: number;
  podCidr: string;
  kubeletVersion: string;
}

/** The simulated machines, shared by the kubelets, the node lifecycle and failure injection. */
export class NodePool {
  private readonly nodes = new Map<string, SimulatedNode>();

  constructor(opts: NodePoolOptions) {
    const cidrs = nodePodCidrs(opts.podCidr, opts.count);
    const shared = cidrs.length > 1 && cidrs[0] === cidrs[1];
    // With one shared range the node addresses come first and pods start after them.
    const sharedIps = shared ? new PodIPAllocator(cidrs[0], opts.count) : undefined;
    cidrs.forEach((range, i) => {
      const name = nodeName(i);
      this.nodes.set(name, {
        spec: {
          name,
          internalIP: gatewayOf(range, shared ? i : 0),
          podCidr: formatCidr(range),
          zone: zoneFor(i),
          kubeletVersion: opts.kubeletVersion,
        },
        running: true,
        ips: sharedIps ?? new PodIPAllocator(range),
      });
    });
  }

  get(name: string | undefined): SimulatedNode | undefined {
    return name === undefined ? undefined : this.nodes.get(name);
  }

  list(): SimulatedNode[] {
    return [...this.nodes.values()];
  }

  names(): string[] {
    return [...this.nodes.keys()];
  }
}
