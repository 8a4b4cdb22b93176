import type { KubeObject } from '../meta/types.js';
import type { Registry } from '../registry/generic.js';
import type { ResourceRef } from '../registry/resource.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(v: string | undefined): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** A meta.k8s.io Table of objects, with rows computed by the kind's strategy as the apiserver does. */
export function buildTable(registry: Registry, ref: ResourceRef, items: KubeObject[], opts: {
  version: 'v1' | 'v1beta1'; include: IncludeObject; now: number; listMeta?: Record<string, unknown>; withColumns?: boolean;
}): Record<string, unknown> {
  const table = ref.info.strategy.table;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.withColumns === false ? null : table.columns,
    rows: items.map((o) => ({
      cells: table.cells(o, opts.now),
      object: rowObject(registry, ref, o, opts.include),
    })),
  };
}

function rowObject(registry: Registry, ref: ResourceRef, o: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return registry.present(ref, o);
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}
