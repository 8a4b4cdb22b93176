import { badRequest, invalid, notFound, conflict } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import { isPlainObject } from '../meta/types.js';
import { formatLabelSelector } from '../meta/labels.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { gk, gr, type Registry, type RequestContext } from './generic.js';
import type { ResourceRef, ScaleSubresource } from './resource.js';
import { deepCopy } from '../meta/deep-copy.js';

export interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string };
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function scaleSpec(ref: ResourceRef): ScaleSubresource {
  if (!ref.info.scale) throw notFound(gr(ref), 'scale');
  return ref.info.scale;
}

/** autoscaling/v1 Scale view of an object, as the scale subresource serves it. */
export function toScale(ref: ResourceRef, obj: KubeObject): Scale {
  const spec = scaleSpec(ref);
  const m = obj.metadata;
  const selector = readPath(obj, spec.labelSelectorPath);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp as string | undefined },
    spec: { replicas: Number(readPath(obj, spec.specReplicasPath) ?? 0) },
    status: { replicas: Number(readPath(obj, spec.statusReplicasPath) ?? 0), ...selectorField(selector) },
  };
}

export async function getScale(registry: Registry, ref: ResourceRef, namespace: string, name: string): Promise<Scale> {
  return toScale(ref, await registry.get(ref, namespace, name));
}

/** Writes spec.replicas from a Scale; a resourceVersion in the Scale is a precondition, as upstream. */
export async function updateScale(registry: Registry, ref: ResourceRef, namespace: string, name: string, body: unknown, rc: RequestContext): Promise<Scale> {
  const spec = scaleSpec(ref);
  if (!isPlainObject(body)) throw badRequest('Scale body must be a JSON object');
  const meta = isPlainObject(body.metadata) ? body.metadata : {};
  const replicas = isPlainObject(body.spec) ? body.spec.replicas : undefined;
  if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, [{ type: 'Invalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
  }
  const requiredRv = typeof meta.resourceVersion === 'string' && meta.resourceVersion ? meta.resourceVersion : undefined;
  const updated = await registry.guaranteedUpdate(ref, namespace, name, undefined, rc, (current) => {
    if (requiredRv && requiredRv !== current.metadata.resourceVersion) throw conflict(gr(ref), name);
    const next = deepCopy(current);
    const path = spec.specReplicasPath.split('.');
    let cur: Record<string, unknown> = next;
    for (const p of path.slice(0, -1)) {
      if (!isPlainObject(cur[p])) cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    }
    cur[path[path.length - 1]] = replicas ?? 0;
    return next;
  });
  void gk;
  return toScale(ref, updated);
}

/** A selector path may hold the string form (CRDs) or a LabelSelector (StatefulSets): Scale wants the string. */
function selectorField(selector: unknown): { selector?: string } {
  if (typeof selector === 'string') return { selector };
  if (isPlainObject(selector)) return { selector: formatLabelSelector(selector as LabelSelector) };
  return {};
}
