import type { KubeObject } from '../meta/types.js';
import type { Registry } from '../registry/generic.js';
import type { ResourceRef } from '../registry/resource.js';
import { metadataJson, objectJson } from './serialize.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(v: string | undefined): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/**
 * The JSON of a meta.k8s.io Table of objects, with rows computed by the kind's strategy as the apiserver
 * does. Written as text: the per-row object metadata is most of the bytes and is cached per stored object.
 */
export function tableJson(registry: Registry, ref: ResourceRef, items: KubeObject[], opts: {
  version: 'v1' | 'v1beta1'; include: IncludeObject; now: number; listMeta?: Record<string, unknown>; withColumns?: boolean;
}): string {
  const table = ref.info.strategy.table;
  const rows: string[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const o = items[i];
    const object = rowObjectJson(registry, ref, o, opts.include);
    rows[i] = `{"cells":${JSON.stringify(table.cells(o, opts.now))}${object === undefined ? '' : `,"object":${object}`}}`;
  }
  const columns = opts.withColumns === false ? 'null' : JSON.stringify(table.columns);
  return `{"kind":"Table","apiVersion":"meta.k8s.io/${opts.version}","metadata":${JSON.stringify(opts.listMeta ?? {})},"columnDefinitions":${columns},"rows":[${rows.join(',')}]}`;
}

function rowObjectJson(registry: Registry, ref: ResourceRef, o: KubeObject, include: IncludeObject): string | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return objectJson(registry, ref, o);
  return `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${metadataJson(o)}}`;
}
