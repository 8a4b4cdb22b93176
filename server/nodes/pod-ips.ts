/**
 * Pod IP allocation as the host-local IPAM plugin does it: each node owns a subnet of the pod
 * CIDR, the first address of a subnet is the node's bridge (so never handed out), and a
 * cursor continues after the last address given, so a pod that comes back usually gets a new IP.
 */

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface Ipv4Range {
  /** The network address. */
  base: number;
  prefix: number;
}

export function parseCidr(cidr: string): Ipv4Range {
  const [ip, bits] = cidr.split('/');
  const base = parseIPv4(ip ?? '');
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    throw new Error(`invalid pod CIDR "${cidr}": expected an IPv4 CIDR with a prefix between /8 and /30`);
  }
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), prefix };
}

export function formatCidr(r: Ipv4Range): string {
  return `${formatIPv4(r.base)}/${r.prefix}`;
}

function sizeOf(r: Ipv4Range): number {
  return 2 ** (32 - r.prefix);
}

/**
 * Splits the cluster pod CIDR into one /24 per node (as kube-controller-manager's node IPAM does
 * with --node-cidr-mask-size 24), skipping the first /24 as kind keeps it for the control plane.
 * A CIDR too small for that is shared by all nodes.
 */
export function nodePodCidrs(cidr: string, nodes: number): Ipv4Range[] {
  const range = parseCidr(cidr);
  const perNode = 24;
  if (range.prefix > perNode || 2 ** (perNode - range.prefix) < nodes + 1) return Array.from({ length: nodes }, () => range);
  return Array.from({ length: nodes }, (_, i) => ({ base: range.base + (i + 1) * 256, prefix: perNode }));
}

/** The node's own address in its pod subnet (the bridge address a real CNI would give the host). */
export function gatewayOf(r: Ipv4Range, index = 0): string {
  return formatIPv4(r.base + 1 + index);
}

export class PodIPAllocator {
  private readonly byOwner = new Map<string, number>();
  private readonly used = new Set<number>();
  private cursor: number;
  private readonly first: number;
  private readonly last: number;

  /** reserved: how many addresses after the network address belong to hosts, not pods. */
  constructor(readonly range: Ipv4Range, reserved = 1) {
    this.first = range.base + 1 + reserved;
    this.last = range.base + sizeOf(range) - 2;
    this.cursor = this.first - 1;
    if (this.first > this.last) throw new Error(`pod CIDR ${formatCidr(range)} has no room for pods`);
  }

  /** The owner's address, allocating the next free one after the cursor the first time. */
  allocate(owner: string): string {
    const held = this.byOwner.get(owner);
    if (held !== undefined) return formatIPv4(held);
    const span = this.last - this.first + 1;
    for (let i = 1; i <= span; i++) {
      const candidate = this.first + ((this.cursor - this.first + i) % span);
      if (this.used.has(candidate)) continue;
      this.used.add(candidate);
      this.byOwner.set(owner, candidate);
      this.cursor = candidate;
      return formatIPv4(candidate);
    }
    throw new Error(`no free pod IP in ${formatCidr(this.range)}`);
  }

  /** Takes a specific address for owner (a pod that already had it before a restart); false when unavailable. */
  reserve(owner: string, ip: string): boolean {
    const n = parseIPv4(ip);
    if (n === undefined || n < this.first || n > this.last) return false;
    const held = this.byOwner.get(owner);
    if (held === n) return true;
    if (held !== undefined || this.used.has(n)) return false;
    this.used.add(n);
    this.byOwner.set(owner, n);
    return true;
  }

  release(owner: string): void {
    const held = this.byOwner.get(owner);
    if (held === undefined) return;
    this.byOwner.delete(owner);
    this.used.delete(held);
  }

  ipOf(owner: string): string | undefined {
    const held = this.byOwner.get(owner);
    return held === undefined ? undefined : formatIPv4(held);
  }

  get allocated(): number {
    return this.used.size;
  }
}
