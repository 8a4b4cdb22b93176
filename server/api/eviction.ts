import type { Request, Response } from 'express';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339, type Clock } from '../meta/clock.js';
import { badRequest } from '../meta/errors.js';
import { isPlainObject, type KubeObject } from '../meta/types.js';
import { checkDeletePreconditions, type DeleteOptions, type Registry } from '../registry/generic.js';
import { updatePodCondition } from '../registry/kinds/pod-conditions.js';
import { readCreateBody, sendCreatedStatus } from './create-subresource.js';
import { deleteOptionsFromBody } from './delete-options.js';
import { canIgnoreBudget, takeDisruption } from './disruption-budget.js';
import type { ResourceTarget } from './paths.js';
import type { SubresourceHandler } from './server.js';

const evictionKind = { kind: 'Eviction', apiVersions: ['policy/v1', 'policy/v1beta1'], schema: 'io.k8s.api.policy.v1.Eviction' };

/**
 * POST pods/<name>/eviction, as kube's EvictionREST does it: a running pod's PodDisruptionBudget must
 * allow the disruption (429 while it does not, which kubectl drain retries), then the pod gets the
 * DisruptionTarget condition and is deleted with the Eviction's DeleteOptions.
 */
export function evictionHandler(registry: Registry, clock: Clock): SubresourceHandler {
  return async (req: Request, res: Response, target: ResourceTarget) => {
    const { body, dryRun: queryDryRun } = await readCreateBody(req, evictionKind);
    const eviction = evictionOf(body);
    if (eviction.name !== target.name) throw badRequest('name in URL does not match name in Eviction object');
    // the Eviction's DeleteOptions decoded and validated first, as its body was
    const { options, dryRun: bodyDryRunSet } = deleteOptionsFromBody(eviction.deleteOptions ?? {});
    const bodyDryRun = bodyDryRunSet ? (eviction.deleteOptions?.dryRun as string[]) : [];
    // propagateDryRun: one side may leave it out, but two different lists are refused (kube answers a
    // plain error, so a 500; bad input is a 400 here, in the same words)
    if (bodyDryRun.length && queryDryRun.length && bodyDryRun.join('\0') !== queryDryRun.join('\0')) {
      throw badRequest(`Non-matching dry-run options in request and content: [${queryDryRun.join(' ')}] and [${bodyDryRun.join(' ')}]`);
    }
    const dryRun = bodyDryRunSet || queryDryRun.length > 0;
    const pod = await registry.get(target.ref, target.namespace, target.name!) as Pod & KubeObject;
    if (!canIgnoreBudget(pod)) {
      const verdict = await takeDisruption(registry, pod, dryRun, clock.now());
      if ('refuse' in verdict) throw verdict.refuse;
      // the unready pod as read, so one that turned ready meanwhile is not evicted past its budget
      if (verdict.delete === 'atReadVersion' && !options.preconditions?.resourceVersion) {
        options.preconditions = { ...options.preconditions, resourceVersion: pod.metadata.resourceVersion };
      }
    }
    if (!dryRun) options.preconditions = await markDisruptionTarget(registry, target, options, clock);
    await registry.delete(target.ref, target.namespace, target.name, options, { dryRun });
    sendCreatedStatus(res);
  };
}

interface SentEviction {
  name: string;
  deleteOptions?: Record<string, unknown> & { dryRun?: unknown };
}

function evictionOf(body: Record<string, unknown>): SentEviction {
  const { metadata, deleteOptions } = body;
  const name = isPlainObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '';
  return { name, ...(isPlainObject(deleteOptions) ? { deleteOptions } : {}) };
}

/**
 * addConditionAndDeletePod's update, through the status store and without managed fields, as kube
 * writes it. A resourceVersion precondition moves to the pod this update wrote, since the eviction
 * itself changed it.
 */
async function markDisruptionTarget(registry: Registry, target: ResourceTarget, options: DeleteOptions, clock: Clock): Promise<DeleteOptions['preconditions']> {
  const pre = options.preconditions;
  const updated = await registry.guaranteedUpdate(target.ref, target.namespace, target.name!, undefined, {}, (current) => {
    checkDeletePreconditions(target.ref, current, pre);
    const status = (current.status ?? {}) as { conditions?: PodCondition[] };
    const conditions = updatePodCondition(status.conditions, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }, rfc3339(clock.now()));
    return { ...current, status: { ...status, conditions } };
  }, 'status');
  return pre?.resourceVersion ? { ...pre, resourceVersion: updated.metadata.resourceVersion } : pre;
}

