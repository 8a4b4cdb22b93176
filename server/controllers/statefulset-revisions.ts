import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { goJson } from '../meta/go-json.js';
import type { DeepReadonly } from '../meta/types.js';
import {
  mutableCopy, newControllerRef, setKind, type RevisionObject, type RO, type StatefulSetObject,
} from './statefulset-utils.js';

export const revisionHashLabel = 'controller.kubernetes.io/hash';

/** 32-bit FNV-1 (Go's hash/fnv New32, which HashControllerRevision uses; not FNV-1a). */
export function fnv1_32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery's rand.SafeEncodeString: each character mapped into an alphabet without vowels. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += safeAlphabet[s.charCodeAt(i) % safeAlphabet.length];
  return out;
}

/**
 * goJson of revision data, remembered: every sync compares the set's template with each revision
 * and hashes it, and goJson (sorted keys, escapes) is far slower than JSON.stringify. Objects are
 * remembered by identity (cached revisions never change), and by their JSON.stringify form (equal
 * text is equal data, so the set's template, a new object after every status write, is found too).
 */
const dataJsonByObject = new WeakMap<object, string>();
const dataJsonByText = new Map<string, string>();
const dataJsonByTextLimit = 256;

export function revisionDataJson(data: unknown): string {
  if (data === null || typeof data !== 'object') return goJson(data);
  let json = dataJsonByObject.get(data);
  if (json !== undefined) return json;
  const text = JSON.stringify(data);
  json = dataJsonByText.get(text);
  if (json === undefined) {
    json = goJson(data);
    if (dataJsonByText.size >= dataJsonByTextLimit) dataJsonByText.clear();
    dataJsonByText.set(text, json);
  }
  dataJsonByObject.set(data, json);
  return json;
}

/**
 * The template as the apps/v1 codec serialises it: metadata always carries creationTimestamp
 * (null), and every container a resources object.
 */
function serialisedTemplate(template: RO<PodTemplateSpec> | undefined): Record<string, unknown> {
  const t = mutableCopy<PodTemplateSpec>(template ?? {}) as Record<string, unknown> & PodTemplateSpec;
  t.metadata = { creationTimestamp: null, ...(t.metadata ?? {}) } as PodTemplateSpec['metadata'];
  if (t.spec) {
    for (const list of [t.spec.containers, t.spec.initContainers]) {
      for (const c of list ?? []) c.resources ??= {};
    }
  }
  return t;
}

/** getPatch: a strategic merge patch that puts back exactly this pod template. */
export function revisionDataFor(set: RO<StatefulSetObject>): Record<string, unknown> {
  return { spec: { template: { ...serialisedTemplate(set.spec?.template), $patch: 'replace' } } };
}

/** HashControllerRevision: FNV-1 over the data bytes, then the collision count, safe-encoded. */
export function hashRevisionData(data: unknown, collisionCount: number | undefined): string {
  const enc = new TextEncoder();
  let h = fnv1_32(enc.encode(revisionDataJson(data)));
  if (collisionCount !== undefined) h = fnv1_32(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: the owner's name (cut to 223 characters) and the hash. */
export function revisionNameFor(setName: string, hash: string): string {
  return `${setName.length > 223 ? setName.slice(0, 223) : setName}-${hash}`;
}

/** newRevision: template labels plus the hash label, the set's annotations, a controller reference. */
export function newRevision(set: RO<StatefulSetObject>, revision: number, collisionCount: number): RevisionObject {
  const data = revisionDataFor(set);
  const hash = hashRevisionData(data, collisionCount);
  return {
    metadata: {
      name: revisionNameFor(set.metadata.name ?? '', hash),
      namespace: set.metadata.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [revisionHashLabel]: hash },
      annotations: { ...(set.metadata.annotations ?? {}) },
      ownerReferences: [newControllerRef(set, setKind)],
    },
    data,
    revision,
  };
}

/** EqualRevision: the data bytes are the same. */
export function equalRevision(a: DeepReadonly<RevisionObject>, b: DeepReadonly<RevisionObject>): boolean {
  return revisionDataJson(a.data) === revisionDataJson(b.data);
}

/** SortControllerRevisions: by revision number, then creation time, then name (stable). */
export function sortRevisions<T extends DeepReadonly<RevisionObject>>(revisions: readonly T[]): T[] {
  const ts = (r: T): number => Date.parse(r.metadata.creationTimestamp ?? '') || 0;
  return [...revisions].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || ts(a) - ts(b)
    || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0));
}

/** nextRevision: one more than the highest, or 1 (expects sorted input). */
export function nextRevision(sorted: readonly DeepReadonly<RevisionObject>[]): number {
  return sorted.length ? (sorted[sorted.length - 1].revision ?? 0) + 1 : 1;
}

/** ApplyRevision: the set with the template the revision recorded ($patch: replace). */
export function applyRevision(set: RO<StatefulSetObject>, rev: DeepReadonly<RevisionObject>): RO<StatefulSetObject> {
  const template = recordedTemplate(rev);
  if (!template) return set;
  return { ...set, spec: { ...set.spec!, template } };
}

/** The template a revision recorded, read-only and built once per revision object (syncs read it every time). */
const recordedTemplates = new WeakMap<object, RO<PodTemplateSpec>>();

function recordedTemplate(rev: DeepReadonly<RevisionObject>): RO<PodTemplateSpec> | undefined {
  const data = rev.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const recorded = data?.spec?.template;
  if (!recorded) return undefined;
  let template = recordedTemplates.get(recorded);
  if (template) return template;
  const copy = mutableCopy<Record<string, unknown>>(recorded);
  delete copy.$patch;
  const meta = copy.metadata as Record<string, unknown> | undefined;
  if (meta && meta.creationTimestamp === null) delete meta.creationTimestamp;
  template = copy as RO<PodTemplateSpec>;
  recordedTemplates.set(recorded, template);
  return template;
}

/**
 * truncateHistory: revisions not named by the current or update revision or by any pod are
 * history; the oldest beyond revisionHistoryLimit go (a negative limit keeps all).
 */
export function revisionsToPrune(sorted: readonly DeepReadonly<RevisionObject>[], live: ReadonlySet<string>, limit: number): string[] {
  const history = sorted.filter((r) => !live.has(r.metadata.name ?? ''));
  if (limit < 0 || history.length <= limit) return [];
  return history.slice(0, history.length - limit).map((r) => r.metadata.name ?? '');
}
