import { GoText, type FieldError } from '../meta/errors.js';
import { annotationsSize, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors, totalAnnotationSizeLimitB, type NameValidator } from '../meta/names.js';
import type { ObjectMeta } from '../meta/types.js';
import type { ResourceInfo } from './resource.js';

export function validateLabels(labels: Record<string, unknown> | undefined, field: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const d of qualifiedNameErrors(k)) out.push({ type: 'Invalid', field, value: k, detail: d });
    if (typeof v !== 'string') out.push({ type: 'Invalid', field: `${field}`, value: v, detail: 'label values must be strings' });
    else for (const d of labelValueErrors(v)) out.push({ type: 'Invalid', field, value: v, detail: d });
  }
  return out;
}

/** ValidateObjectMeta: name, namespace, labels, annotations, ownerReferences and finalizers. */
export function validateObjectMeta(meta: ObjectMeta, info: Pick<ResourceInfo, 'namespaced'>, validateName: NameValidator = dns1123SubdomainErrors): FieldError[] {
  const out: FieldError[] = [];
  if (meta.generateName) {
    const probe = meta.generateName.replace(/-$/, '') || 'a';
    for (const d of validateName(probe)) out.push({ type: 'Invalid', field: 'metadata.generateName', value: meta.generateName, detail: d });
  }
  if (!meta.name) {
    if (!meta.generateName) out.push({ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' });
  } else {
    for (const d of validateName(meta.name)) out.push({ type: 'Invalid', field: 'metadata.name', value: meta.name, detail: d });
  }
  if (info.namespaced && !meta.namespace) out.push({ type: 'Required', field: 'metadata.namespace', detail: '' });
  if (!info.namespaced && meta.namespace) out.push({ type: 'Forbidden', field: 'metadata.namespace', detail: 'not allowed on this type' });
  out.push(...validateLabels(meta.labels, 'metadata.labels'));
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    for (const d of qualifiedNameErrors(k.toLowerCase())) out.push({ type: 'Invalid', field: 'metadata.annotations', value: k, detail: d });
    if (typeof v !== 'string') out.push({ type: 'Invalid', field: `metadata.annotations`, value: v, detail: 'annotation values must be strings' });
  }
  if (annotationsSize(meta.annotations ?? {}) > totalAnnotationSizeLimitB) {
    out.push({ type: 'TooLong', field: 'metadata.annotations', detail: `may not be more than ${totalAnnotationSizeLimitB} bytes` });
  }
  let controllers = 0;
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const f = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion) out.push({ type: 'Invalid', field: `${f}.apiVersion`, value: ref.apiVersion ?? '', detail: 'version must not be empty' });
    if (!ref.kind) out.push({ type: 'Invalid', field: `${f}.kind`, value: ref.kind ?? '', detail: 'kind must not be empty' });
    if (!ref.name) out.push({ type: 'Invalid', field: `${f}.name`, value: ref.name ?? '', detail: 'name must not be empty' });
    if (!ref.uid) out.push({ type: 'Invalid', field: `${f}.uid`, value: ref.uid ?? '', detail: 'uid must not be empty' });
    if (ref.controller) controllers++;
  });
  if (controllers > 1) {
    out.push({ type: 'Invalid', field: 'metadata.ownerReferences', value: meta.ownerReferences, detail: 'Only one reference can have Controller set to true' });
  }
  const finalizers = meta.finalizers ?? [];
  finalizers.forEach((f, i) => {
    for (const d of qualifiedNameErrors(f)) out.push({ type: 'Invalid', field: `metadata.finalizers[${i}]`, value: f, detail: d });
  });
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    out.push({ type: 'Invalid', field: 'metadata.finalizers', value: finalizers, detail: 'finalizer orphan and foregroundDeletion cannot be both set' });
  }
  return out;
}

/**
 * ResetObjectMetaForStatus: a write through a subresource that owns one part of the object keeps
 * the object's deletion, generation, labels, annotations, finalizers and owners as stored.
 */
export function resetObjectMetaForStatus(meta: ObjectMeta, old: ObjectMeta): void {
  for (const k of ['deletionTimestamp', 'generation', 'labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    if (old[k] === undefined) delete meta[k];
    else (meta as Record<string, unknown>)[k] = old[k];
  }
}

export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  const out: FieldError[] = [];
  if (meta.name !== old.name) out.push({ type: 'Invalid', field: 'metadata.name', value: meta.name, detail: 'field is immutable' });
  if (!sameTime(meta.deletionTimestamp, old.deletionTimestamp)) {
    out.push({ type: 'Invalid', field: 'metadata.deletionTimestamp', value: goTime(meta.deletionTimestamp), detail: 'field is immutable' });
  }
  if (meta.deletionGracePeriodSeconds !== old.deletionGracePeriodSeconds) {
    out.push({ type: 'Invalid', field: 'metadata.deletionGracePeriodSeconds', value: meta.deletionGracePeriodSeconds, detail: 'field is immutable' });
  }
  return out;
}

function sameTime(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a === !b;
  return Date.parse(a) === Date.parse(b);
}

/** A metav1.Time in a field error: Go prints it through time.Time's String(), unquoted, in UTC here. */
function goTime(t: string | null | undefined): GoText | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) return new GoText(t);
  return new GoText(`${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`);
}
