import type { Clock } from '../meta/clock.js';
import type { KubeObject } from '../meta/types.js';

/**
 * What a paged list's first page saw, so later pages read the same state: kube reads them from
 * etcd's history at the first page's revision, which a store holding one current state does not
 * have. Stored objects never change in place, so keeping the list keeps that state. A snapshot lasts
 * as long as kube-apiserver keeps history (etcd is compacted every 5 minutes); after that a continue
 * token is too old, as it is there.
 */
export class ListSnapshots {
  private readonly kept = new Map<string, { items: readonly KubeObject[]; at: number }>();

  constructor(private readonly clock: Clock, private readonly ttlMs = 5 * 60_000, private readonly max = 256) {}

  keep(key: string, items: readonly KubeObject[]): void {
    if (this.kept.has(key)) return;
    this.evictExpired();
    if (this.kept.size >= this.max) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, { items, at: this.clock.now() });
  }

  get(key: string): readonly KubeObject[] | undefined {
    const s = this.kept.get(key);
    if (!s) return undefined;
    if (this.clock.now() - s.at > this.ttlMs) {
      this.kept.delete(key);
      return undefined;
    }
    return s.items;
  }

  private evictExpired(): void {
    const now = this.clock.now();
    for (const [key, s] of this.kept) {
      if (now - s.at <= this.ttlMs) break; // kept in insertion order: the rest are younger
      this.kept.delete(key);
    }
  }
}
