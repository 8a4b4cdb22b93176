import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { rfc3339 } from '../meta/clock.js';
import type { Clock } from '../meta/clock.js';
import { randomSuffix } from '../meta/names.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import { core, type ObjectClient } from './client.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Records an Event about obj, as client-go's record.EventRecorder does: fire and forget. */
  event(obj: DeepReadonly<KubeObject> & { kind?: string; apiVersion?: string }, ref: { kind: string; apiVersion: string }, type: EventType, reason: string, message: string): void;
}

/**
 * Writes core/v1 Events through the ObjectClient; repeats of the same reason and message on the
 * same object bump count and lastTimestamp instead of creating a new Event, as the recorder's
 * correlator does.
 */
export function eventRecorder(client: ObjectClient, clock: Clock, logger: Logger, component: string, host?: string): EventRecorder {
  const seen = new Map<string, { name: string; namespace: string }>();
  return {
    event(obj, ref, type, reason, message) {
      const namespace = obj.metadata.namespace ?? 'default';
      const involved: ObjectReference = {
        kind: ref.kind, apiVersion: ref.apiVersion, name: obj.metadata.name, namespace: obj.metadata.namespace,
        uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
      };
      const key = `${obj.metadata.uid}/${type}/${reason}/${message}`;
      const now = rfc3339(clock.now());
      const run = async (): Promise<void> => {
        const prior = seen.get(key);
        if (prior) {
          const existing = await client.get<Event & KubeObject>(core('events'), prior.namespace, prior.name);
          if (existing) {
            existing.count = (existing.count ?? 1) + 1;
            existing.lastTimestamp = now;
            await client.update(core('events'), prior.namespace, existing);
            return;
          }
        }
        const name = `${obj.metadata.name}.${randomSuffix(8)}${clock.now().toString(16).slice(-8)}`;
        const ev: Event & KubeObject = {
          metadata: { name, namespace },
          involvedObject: involved,
          reason,
          message,
          type,
          source: { component, ...(host ? { host } : {}) },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          reportingComponent: component,
          reportingInstance: host ?? '',
        };
        await client.create(core('events'), namespace, ev);
        seen.set(key, { name, namespace });
      };
      run().catch((err: unknown) => logger.debug({ err, reason }, 'could not record event'));
    },
  };
}
