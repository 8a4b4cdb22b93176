import { randomInt } from 'node:crypto';

/**
 * ClusterIP allocation over an IPv4 service CIDR, after kube-apiserver's ipallocator: the network
 * and broadcast addresses are never handed out, and automatic picks come from the upper
 * ("dynamic") band first so that the lower band stays free for addresses users ask for.
 */
export class ServiceIPAllocator {
  readonly cidr: string;
  private readonly base: number;
  private readonly size: number;
  private readonly staticBand: number;
  /** Allocated address → owner ("namespace/name"). */
  private readonly owners = new Map<number, string>();

  constructor(cidr: string, private readonly random: (maxExclusive: number) => number = (n) => randomInt(n)) {
    const [ip, bits] = cidr.split('/');
    const prefix = Number(bits);
    const addr = parseIPv4(ip);
    if (addr === undefined || !Number.isInteger(prefix) || prefix < 1 || prefix > 30) throw new Error(`invalid service CIDR ${cidr}`);
    this.cidr = cidr;
    const total = 2 ** (32 - prefix);
    this.base = addr - (addr % total);
    this.size = total - 2; // without network and broadcast
    // kube's calculateRangeOffset: min(max(16, size/16), 256), and none for a range of 16 or fewer
    // (a /28 has 14 usable addresses, fewer than the band): every pick is random over all of it
    this.staticBand = total <= 16 ? 0 : Math.min(Math.max(16, Math.floor(total / 16)), 256);
  }

  inRange(ip: string): boolean {
    const n = parseIPv4(ip);
    return n !== undefined && n > this.base && n <= this.base + this.size;
  }

  ownerOf(ip: string): string | undefined {
    const n = parseIPv4(ip);
    return n === undefined ? undefined : this.owners.get(n);
  }

  /** Why `ip` cannot go to `owner` (kube-apiserver's error text), or undefined when it can. */
  check(ip: string, owner: string): string | undefined {
    const n = parseIPv4(ip);
    if (n === undefined || !this.inRange(ip)) {
      return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`;
    }
    const holder = this.owners.get(n);
    if (holder !== undefined && holder !== owner) return 'provided IP is already allocated';
    return undefined;
  }

  /** Reserves a specific address; returns the error text kube-apiserver uses when it cannot. */
  allocate(ip: string, owner: string): string | undefined {
    const err = this.check(ip, owner);
    if (err === undefined) this.owners.set(parseIPv4(ip)!, owner);
    return err;
  }

  /** Picks a free address (dynamic band first), or undefined when the range is full. */
  allocateNext(owner: string, reserve = true): string | undefined {
    const first = this.base + 1;
    const dynamic = this.pickFree(first + this.staticBand, this.size - this.staticBand) ?? this.pickFree(first, this.staticBand);
    if (dynamic === undefined) return undefined;
    if (reserve) this.owners.set(dynamic, owner);
    return formatIPv4(dynamic);
  }

  release(ip: string, owner?: string): void {
    const n = parseIPv4(ip);
    if (n === undefined) return;
    if (owner === undefined || this.owners.get(n) === owner) this.owners.delete(n);
  }

  /** Drops every reservation an owner holds except `keep` (a retried create must not leak). */
  releaseOwner(owner: string, keep?: string): void {
    const k = keep === undefined ? undefined : parseIPv4(keep);
    for (const [n, o] of this.owners) if (o === owner && n !== k) this.owners.delete(n);
  }

  get allocatedCount(): number {
    return this.owners.size;
  }

  /** A random start, then a linear probe: O(size) only when the band is nearly full. */
  private pickFree(start: number, count: number): number | undefined {
    if (count <= 0) return undefined;
    const offset = this.random(count);
    for (let i = 0; i < count; i++) {
      const n = start + ((offset + i) % count);
      if (!this.owners.has(n)) return n;
    }
    return undefined;
  }
}

export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip);
}

/** NodePort allocation in the default 30000-32767 range. */
export class NodePortAllocator {
  private readonly used = new Map<number, string>();
  constructor(readonly min = 30000, readonly max = 32767, private readonly random: (n: number) => number = (n) => randomInt(n)) {}

  allocate(port: number, owner: string): string | undefined {
    if (port < this.min || port > this.max) return `provided port is not in the valid range. The range of valid ports is ${this.min}-${this.max}`;
    const holder = this.used.get(port);
    if (holder !== undefined && holder !== owner) return 'provided port is already allocated';
    this.used.set(port, owner);
    return undefined;
  }

  allocateNext(owner: string): number | undefined {
    const count = this.max - this.min + 1;
    const offset = this.random(count);
    for (let i = 0; i < count; i++) {
      const p = this.min + ((offset + i) % count);
      if (!this.used.has(p)) {
        this.used.set(p, owner);
        return p;
      }
    }
    return undefined;
  }

  releaseOwner(owner: string): void {
    for (const [p, o] of this.used) if (o === owner) this.used.delete(p);
  }
}
