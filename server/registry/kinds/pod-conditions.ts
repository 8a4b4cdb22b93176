import type { PodCondition } from 'kubernetes-types/core/v1.js';
import type { DeepReadonly } from '../../meta/types.js';
import { deepCopy } from '../../meta/deep-copy.js';

/** What the api layer, the controllers and the node agents all ask of a pod's conditions. */

type ReadonlyPod = DeepReadonly<{ status?: { conditions?: PodCondition[] } }>;

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: ReadonlyPod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * podutil.UpdatePodCondition: the condition of that type becomes `next` (or is added); its transition
 * time moves only when its status does.
 */
export function updatePodCondition(conditions: readonly DeepReadonly<PodCondition>[] | undefined, next: DeepReadonly<PodCondition>, now: string): PodCondition[] {
  const list = (conditions ?? []).map((c) => deepCopy(c) as PodCondition);
  const at = list.findIndex((c) => c.type === next.type);
  const old = at < 0 ? undefined : list[at];
  const condition = { ...(deepCopy(next) as PodCondition), lastTransitionTime: old?.status === next.status && old.lastTransitionTime ? old.lastTransitionTime : now };
  if (at < 0) list.push(condition);
  else list[at] = condition;
  return list;
}
