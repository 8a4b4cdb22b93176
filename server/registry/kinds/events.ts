import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import { fieldLabelNotSupported, type FieldLabels } from '../../meta/fields.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import type { ResourceInfo } from '../resource.js';
import { column, nameColumn, sinceTimestamp } from '../table.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type EventObject = Mutable<CoreEvent> & KubeObject;

/**
 * events.k8s.io/v1 fields and the core/v1 fields they are stored as (pkg/apis/events/v1
 * conversion). Fields with the same name in both (reason, type, action, related, eventTime,
 * series, reportingInstance) pass through unchanged.
 */
const renames: [newName: string, coreName: string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedCount', 'count'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
];

function rename(obj: KubeObject, from: 0 | 1): KubeObject {
  const out: KubeObject = { ...obj };
  for (const pair of renames) {
    const src = pair[from];
    const dst = pair[1 - from];
    if (src in out) {
      const v = out[src];
      delete out[src];
      if (v !== undefined) out[dst] = v;
    }
  }
  return out;
}

export const eventsConversion = {
  toStorage: (obj: KubeObject): KubeObject => rename(obj, 0),
  fromStorage: (obj: KubeObject): KubeObject => rename(obj, 1),
};

/** The core form, whether a table is asked for a stored object or an events.k8s.io one. */
function asCore(obj: KubeObject): EventObject {
  return (('regarding' in obj || 'note' in obj || 'reportingController' in obj) ? eventsConversion.toStorage(obj) : obj) as EventObject;
}

function eventSource(e: EventObject): string {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  if (!component) return '<unknown>';
  return host ? `${component}, ${host}` : component;
}

const columns = [
  column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
  column('Object', 'string', 'The object that this event is about.'),
  column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', { priority: 1 }),
  column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
  column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
  { ...nameColumn, priority: 1 },
];

/** printEvent: eventTime stands in for a missing firstTimestamp; a series overrides count and last seen. */
function cells(obj: KubeObject, now: number): unknown[] {
  const e = asCore(obj);
  const first = e.firstTimestamp ? sinceTimestamp(e.firstTimestamp, now) : sinceTimestamp(e.eventTime, now);
  let last = e.lastTimestamp ? sinceTimestamp(e.lastTimestamp, now) : first;
  let count = e.count ?? 0;
  if (e.series) {
    last = sinceTimestamp(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) count = 1;
  const io = e.involvedObject ?? {};
  const kind = (io.kind ?? '').toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  return [last, e.type ?? '', e.reason ?? '', target, io.fieldPath ?? '', eventSource(e), (e.message ?? '').trim(), first, count, e.metadata.name];
}

function selectableFields(e: EventObject): Record<string, string> {
  const io = e.involvedObject ?? {};
  return {
    'involvedObject.kind': io.kind ?? '',
    'involvedObject.namespace': io.namespace ?? '',
    'involvedObject.name': io.name ?? '',
    'involvedObject.uid': io.uid ?? '',
    'involvedObject.apiVersion': io.apiVersion ?? '',
    'involvedObject.resourceVersion': io.resourceVersion ?? '',
    'involvedObject.fieldPath': io.fieldPath ?? '',
    reason: e.reason ?? '',
    reportingComponent: e.reportingComponent ?? '',
    source: e.source?.component ?? '',
    type: e.type ?? '',
  };
}

const eventFieldLabels: FieldLabels = {
  names: ['metadata.name', 'metadata.namespace', ...Object.keys(selectableFields({ metadata: {} } as EventObject))],
  unsupported: fieldLabelNotSupported,
};

/** ValidateEventCreate for core/v1 writes: the involved object's namespace must match the event's. */
function validateCoreEvent(e: EventObject): FieldError[] {
  const out: FieldError[] = [];
  const ns = e.involvedObject?.namespace;
  if (ns && e.metadata.namespace && ns !== e.metadata.namespace) {
    out.push({ type: 'Invalid', field: 'involvedObject.namespace', value: ns, detail: 'does not match event.namespace' });
  }
  return out;
}

/** events.k8s.io/v1 requires the reporting fields the new API made mandatory (paths in that API's names). */
function validateNewEvent(e: EventObject): FieldError[] {
  const out = validateCoreEvent(e).map((f) => ({ ...f, field: f.field.replace('involvedObject', 'regarding') }));
  if (!e.eventTime) out.push({ type: 'Required', field: 'eventTime', detail: '' });
  if (!e.reportingComponent) out.push({ type: 'Required', field: 'reportingController', detail: '' });
  if (!e.reportingInstance) out.push({ type: 'Required', field: 'reportingInstance', detail: '' });
  if (!e.action) out.push({ type: 'Required', field: 'action', detail: '' });
  if (!e.reason) out.push({ type: 'Required', field: 'reason', detail: '' });
  if (e.type !== 'Normal' && e.type !== 'Warning') out.push({ type: 'Invalid', field: 'type', value: e.type ?? '', detail: 'has invalid value: ' + (e.type ?? '') });
  if ((e.message ?? '').length > 1024) out.push({ type: 'TooLong', field: 'note', detail: 'may not be more than 1024 bytes' });
  return out;
}

export function coreEvents(): ResourceInfo<EventObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    strategy: {
      allowCreateOnUpdate: true,
      validate: validateCoreEvent,
      selectableFields,
      fieldLabels: () => eventFieldLabels,
      table: { columns, cells },
    },
  };
}

export function eventsV1(): ResourceInfo<EventObject> {
  return {
    group: 'events.k8s.io',
    versions: [{ name: 'v1' }],
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    storagePrefix: 'core/events',
    conversion: eventsConversion,
    strategy: {
      allowCreateOnUpdate: true,
      validate: validateNewEvent,
      validateUpdate: (e) => validateCoreEvent(e),
      selectableFields,
      fieldLabels: () => eventFieldLabels,
      table: { columns, cells },
    },
  };
}
