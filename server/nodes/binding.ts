import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339, type Clock } from '../meta/clock.js';
import type { KubeObject } from '../meta/types.js';
import { notFound } from '../meta/errors.js';
import { updatePodCondition } from '../registry/kinds/pod-conditions.js';
import { ConflictError, type Storage } from '../store/storage.js';

export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
}

/** What POST pods/<name>/binding does; the scheduler only needs this one verb. */
export interface PodBinder {
  /** The binding's annotations are merged into the pod's. */
  bind(pod: PodRef, nodeName: string, annotations?: Readonly<Record<string, string>>): Promise<void>;
}

export class BindingError extends Error {}

/**
 * The binding subresource as kube-apiserver implements it (BindingREST.setPodHostAndAnnotations):
 * a storage-level read-modify-write that skips the pod update validation, which forbids changing
 * spec.nodeName. It fails when the pod is being deleted or is already on another node.
 */
export function storagePodBinder(storage: Storage, clock: Clock): PodBinder {
  return {
    async bind(ref, nodeName, annotations) {
      const key = { prefix: 'core/pods', namespace: ref.namespace, name: ref.name };
      for (let attempt = 0; attempt < 20; attempt++) {
        const current = await storage.get(key);
        if (!current) throw notFound({ group: '', resource: 'pods' }, ref.name);
        // copies of the parts this changes; the rest is stored as it was (stored objects never change in place)
        const pod = { ...current, metadata: { ...current.metadata }, spec: { ...(current.spec as object) }, status: { ...(current.status as object) } } as Pod & KubeObject;
        if (ref.uid && pod.metadata.uid !== ref.uid) throw new BindingError(`pod ${ref.name} was replaced (uid ${pod.metadata.uid})`);
        if (pod.metadata.deletionTimestamp) throw new BindingError(`pod ${ref.name} is being deleted, cannot be assigned to a host`);
        const spec = pod.spec as { nodeName?: string };
        if (spec.nodeName) {
          if (spec.nodeName === nodeName) return;
          throw new BindingError(`pod ${ref.name} is already assigned to node "${spec.nodeName}"`);
        }
        spec.nodeName = nodeName;
        if (annotations && Object.keys(annotations).length) pod.metadata.annotations = { ...pod.metadata.annotations, ...annotations };
        const status = (pod.status ??= {}) as { conditions?: PodCondition[] };
        // a storage write, which the decoder does not see: the zero probe time is written as it prints
        status.conditions = updatePodCondition(status.conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string }, rfc3339(clock.now()));
        try {
          await storage.update(key, pod, current.metadata.resourceVersion!);
          return;
        } catch (e) {
          if (!(e instanceof ConflictError)) throw e;
        }
      }
      throw new BindingError(`pod ${ref.name}: too many conflicts while binding`);
    },
  };
}
