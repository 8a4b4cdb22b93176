import type { KubeObject } from '../meta/types.js';
import type { Registry } from '../registry/generic.js';
import type { ResourceRef } from '../registry/resource.js';
import type { Scale } from '../registry/scale.js';
import { age, ageColumn, column, nameColumn } from '../registry/table.js';
import { metadataJson, objectJson } from './serialize.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(v: string | undefined): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/**
 * The JSON of a meta.k8s.io Table of objects, with rows computed by the kind's strategy as the apiserver
 * does. Written as text: the per-row object metadata is most of the bytes and is cached per stored object.
 */
export function tableJson(registry: Registry, ref: ResourceRef, items: KubeObject[], opts: TableOptions): string {
  const table = ref.info.strategy.table;
  const rows: string[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) rows[i] = rowJson(table.cells(items[i], opts.now), rowObjectJson(registry, ref, items[i], opts.include));
  return tableText(opts.withColumns === false ? 'null' : JSON.stringify(table.columns), rows, opts);
}

interface TableOptions {
  version: 'v1' | 'v1beta1'; include: IncludeObject; now: number; listMeta?: Record<string, unknown>; withColumns?: boolean;
}

/** printScale's columns: the scale subresource has its own table in kube-apiserver, not its kind's. */
const scaleColumns = [
  column('Name', 'string', nameColumn.description),
  column('Desired', 'integer', 'replicas is the desired number of instances for the scaled object.'),
  column('Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.'),
  ageColumn,
];

/** A Table of one autoscaling/v1 Scale, as `kubectl get sts NAME --subresource=scale` asks for it. */
export function scaleTableJson(scale: Scale, opts: TableOptions): string {
  const cells = [scale.metadata.name, scale.spec.replicas ?? 0, scale.status.replicas, age(scale, opts.now)];
  const object = opts.include === 'None' ? undefined : opts.include === 'Object' ? JSON.stringify(scale) : partialObjectMetadata(JSON.stringify(scale.metadata));
  return tableText(JSON.stringify(scaleColumns), [rowJson(cells, object)], opts);
}

function rowJson(cells: unknown[], object: string | undefined): string {
  return `{"cells":${JSON.stringify(cells)}${object === undefined ? '' : `,"object":${object}`}}`;
}

function tableText(columns: string, rows: string[], opts: TableOptions): string {
  return `{"kind":"Table","apiVersion":"meta.k8s.io/${opts.version}","metadata":${JSON.stringify(opts.listMeta ?? {})},"columnDefinitions":${columns},"rows":[${rows.join(',')}]}`;
}

function rowObjectJson(registry: Registry, ref: ResourceRef, o: KubeObject, include: IncludeObject): string | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return objectJson(registry, ref, o);
  return partialObjectMetadata(metadataJson(o));
}

/** A row's object under includeObject=Metadata (the default). */
function partialObjectMetadata(metadata: string): string {
  return `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${metadata}}`;
}
