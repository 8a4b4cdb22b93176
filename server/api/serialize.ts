import type { KubeObject } from '../meta/types.js';
import type { Registry } from '../registry/generic.js';
import { apiVersionOf, type ResourceRef } from '../registry/resource.js';

/**
 * Stored objects never change in place (every write stores a new object), so their JSON can be
 * cached by identity, as the UTF-8 bytes that go on the wire: a response, a list or a watch line is
 * then a copy of bytes, never a join of strings, a scan for the length and an encoding. The cached
 * bytes have no kind/apiVersion; those are spliced in per version.
 */
const bodyCache = new WeakMap<KubeObject, Buffer>();

function storedBytes(obj: KubeObject): Buffer {
  let b = bodyCache.get(obj);
  if (b === undefined) {
    // Outside Node's shared 8 KiB pool: a kept slice would pin its whole slab.
    const json = JSON.stringify(obj);
    b = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
    b.write(json);
    bodyCache.set(obj, b);
  }
  return b;
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

const typeHeads = new Map<string, Buffer>();

/** `{"kind":"Pod","apiVersion":"v1"` for each kind and version served. */
function typeHead(kind: string, apiVersion: string): Buffer {
  const key = `${kind} ${apiVersion}`;
  let head = typeHeads.get(key);
  if (!head) typeHeads.set(key, (head = Buffer.from(`{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)}`)));
  return head;
}

const comma = Buffer.from(',');
const closeBrace = Buffer.from('}');

/** The wire JSON of one stored object in the version the client asked for. */
export function objectBytes(registry: Registry, ref: ResourceRef, stored: KubeObject): Buffer {
  if (ref.info.conversion) return Buffer.from(JSON.stringify(registry.present(ref, stored)));
  const body = storedBytes(stored);
  const head = typeHead(ref.info.kind, apiVersionOf(ref));
  // body is `{...}`: `{}` gets the head and a brace, anything else the head, a comma and the rest
  return body.length === 2 ? Buffer.concat([head, closeBrace]) : Buffer.concat([head, comma, body.subarray(1)]);
}

export function objectJson(registry: Registry, ref: ResourceRef, stored: KubeObject): string {
  return objectBytes(registry, ref, stored).toString('utf8');
}

/** A list item: real list responses carry no kind/apiVersion on items. */
function itemBytes(ref: ResourceRef, stored: KubeObject): Buffer {
  if (ref.info.conversion) return Buffer.from(JSON.stringify(ref.info.conversion.fromStorage(stored)));
  return storedBytes(stored);
}

export function listJson(ref: ResourceRef, items: KubeObject[], listMeta: Record<string, unknown>): Buffer {
  const parts: Buffer[] = [Buffer.from(`{"kind":${JSON.stringify(`${ref.info.kind}List`)},"apiVersion":${JSON.stringify(apiVersionOf(ref))},"metadata":${JSON.stringify(listMeta)},"items":[`)];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(comma);
    parts.push(itemBytes(ref, items[i]));
  }
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
}
