import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { rfc3339 } from '../meta/clock.js';
import type { Clock } from '../meta/clock.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import { core, type ObjectClient } from './client.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Records an Event about obj, as client-go's record.EventRecorder does: fire and forget. */
  event(obj: DeepReadonly<KubeObject> & { kind?: string; apiVersion?: string }, ref: { kind: string; apiVersion: string }, type: EventType, reason: string, message: string): void;
}

/** client-go's EventCorrelator defaults (tools/record/events_cache.go). */
export const correlatorDefaults = {
  /** Distinct messages for one object and reason before they are combined into one Event. */
  aggregateMaxEvents: 10,
  aggregateIntervalMs: 600_000,
  /** Events a source may write about one object at once, then one per 5 minutes. */
  spamBurst: 25,
  spamRefillPerMs: 1 / 300_000,
  cacheEntries: 4096,
};

interface Observation {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

/**
 * Writes core/v1 Events through the ObjectClient the way a component's client-go broadcaster does,
 * one at a time and after its EventCorrelator:
 * - aggregation: from the 10th distinct message for one object and reason within 10 minutes, they
 *   become one Event, "(combined from similar events): <latest message>";
 * - deduplication: a repeat bumps count and lastTimestamp of the Event already written;
 * - spam filtering: a source writes at most 25 Events about one object, then one per 5 minutes,
 *   so scaling a StatefulSet to 1,000 leaves 25 Events on it, as on a real cluster.
 */
export function eventRecorder(client: ObjectClient, clock: Clock, logger: Logger, component: string, host?: string): EventRecorder {
  const aggregates = new Lru<{ messages: Set<string>; lastMs: number }>();
  const observed = new Lru<Observation>();
  const buckets = new Lru<{ tokens: number; atMs: number }>();
  let queue: Promise<void> = Promise.resolve();

  const aggregate = (aggregateKey: string, message: string, nowMs: number): { message: string; combined: boolean } => {
    let record = aggregates.get(aggregateKey);
    if (!record || nowMs - record.lastMs > correlatorDefaults.aggregateIntervalMs) record = { messages: new Set(), lastMs: nowMs };
    record.messages.add(message);
    record.lastMs = nowMs;
    aggregates.set(aggregateKey, record);
    if (record.messages.size < correlatorDefaults.aggregateMaxEvents) return { message, combined: false };
    record.messages.delete(record.messages.values().next().value!);
    return { message: `(combined from similar events): ${message}`, combined: true };
  };

  const allowed = (spamKey: string, nowMs: number): boolean => {
    const bucket = buckets.get(spamKey) ?? { tokens: correlatorDefaults.spamBurst, atMs: nowMs };
    bucket.tokens = Math.min(correlatorDefaults.spamBurst, bucket.tokens + (nowMs - bucket.atMs) * correlatorDefaults.spamRefillPerMs);
    bucket.atMs = nowMs;
    buckets.set(spamKey, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  /** A repeat updates the Event its first occurrence wrote; when that is gone, it is written anew. */
  const write = async (ev: Event & KubeObject): Promise<void> => {
    const { name, namespace } = ev.metadata;
    if (ev.count! > 1) {
      const existing = await client.get<Event & KubeObject>(core('events'), namespace!, name!);
      if (existing) {
        await client.update(core('events'), namespace!, { ...existing, count: ev.count, lastTimestamp: ev.lastTimestamp, message: ev.message });
        return;
      }
    }
    await client.create(core('events'), namespace!, ev);
  };

  return {
    event(obj, ref, type, reason, message) {
      const namespace = obj.metadata.namespace ?? 'default';
      const involved: ObjectReference = {
        kind: ref.kind, apiVersion: ref.apiVersion, name: obj.metadata.name, namespace: obj.metadata.namespace,
        uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
      };
      const nowMs = clock.now();
      const now = rfc3339(nowMs);
      const spamKey = JSON.stringify([component, host ?? '', ref.kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '', obj.metadata.uid ?? '', ref.apiVersion]);
      const aggregateKey = `${spamKey}${JSON.stringify([type, reason])}`;
      const shown = aggregate(aggregateKey, message, nowMs);
      const key = shown.combined ? aggregateKey : `${aggregateKey}${JSON.stringify(message)}`;
      const prior = observed.get(key);
      const seen: Observation = prior
        ? { ...prior, count: prior.count + 1 }
        : { name: `${obj.metadata.name}.${eventNameSuffix(nowMs)}`, namespace, count: 1, firstTimestamp: now };
      observed.set(key, seen);
      // as in client-go, the filter comes last: a dropped repeat still counts
      if (!allowed(spamKey, nowMs)) return;
      const ev: Event & KubeObject = {
        metadata: { name: seen.name, namespace },
        involvedObject: involved,
        reason,
        message: shown.message,
        type,
        source: { component, ...(host ? { host } : {}) },
        firstTimestamp: seen.firstTimestamp,
        lastTimestamp: now,
        count: seen.count,
        reportingComponent: component,
        reportingInstance: host ?? '',
      };
      // one at a time, as the broadcaster's single goroutine writes them
      queue = queue.then(() => write(ev)).catch((err: unknown) => logger.debug({ err, reason }, 'could not record event'));
    },
  };
}

/** A map that forgets its least recently used entry past the correlator's cache size. */
class Lru<V> {
  private readonly entries = new Map<string, V>();

  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > correlatorDefaults.cacheEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

let lastNanos = 0n;

/**
 * client-go names an Event `<object>.%x` of the time in nanoseconds. The clock here counts
 * milliseconds, so the nanoseconds within one are random, and never repeat in this process.
 */
function eventNameSuffix(nowMs: number): string {
  let nanos = BigInt(nowMs) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return nanos.toString(16);
}
