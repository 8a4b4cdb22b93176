import type { KubeObject } from '../meta/types.js';
import type { Registry } from '../registry/generic.js';
import { apiVersionOf, type ResourceRef } from '../registry/resource.js';

/**
 * Stored objects never change in place (every write stores a new object), so their JSON can be
 * cached by identity. The cached text has no kind/apiVersion; those are spliced in per version.
 */
const bodyCache = new WeakMap<KubeObject, string>();

export function storedJson(obj: KubeObject): string {
  let s = bodyCache.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    bodyCache.set(obj, s);
  }
  return s;
}

const metadataCache = new WeakMap<KubeObject, string>();

/** An object's metadata as JSON (Table rows carry it as PartialObjectMetadata), cached like the body. */
export function metadataJson(obj: KubeObject): string {
  let s = metadataCache.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj.metadata);
    metadataCache.set(obj, s);
  }
  return s;
}

function withTypeMeta(kind: string, apiVersion: string, body: string): string {
  const head = `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)}`;
  return body === '{}' ? `${head}}` : `${head},${body.slice(1)}`;
}

/** The wire JSON of one stored object in the version the client asked for. */
export function objectJson(registry: Registry, ref: ResourceRef, stored: KubeObject): string {
  if (ref.info.conversion) return JSON.stringify(registry.present(ref, stored));
  return withTypeMeta(ref.info.kind, apiVersionOf(ref), storedJson(stored));
}

/** A list item: real list responses carry no kind/apiVersion on items. */
export function itemJson(ref: ResourceRef, stored: KubeObject): string {
  if (ref.info.conversion) {
    const converted = ref.info.conversion.fromStorage(stored);
    return JSON.stringify(converted);
  }
  return storedJson(stored);
}

export function listJson(ref: ResourceRef, items: KubeObject[], listMeta: Record<string, unknown>): string {
  const parts: string[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = itemJson(ref, items[i]);
  return `{"kind":${JSON.stringify(`${ref.info.kind}List`)},"apiVersion":${JSON.stringify(apiVersionOf(ref))},"metadata":${JSON.stringify(listMeta)},"items":[${parts.join(',')}]}`;
}
