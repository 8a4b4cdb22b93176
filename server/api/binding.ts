import type { Request, Response } from 'express';
import type { Binding } from 'kubernetes-types/core/v1.js';
import { badRequest, conflict, type FieldError, fieldErrorString } from '../meta/errors.js';
import type { PodBinder } from '../nodes/binding.js';
import { BindingError } from '../nodes/binding.js';
import { readCreateBody, sendCreatedStatus } from './create-subresource.js';
import type { ResourceTarget } from './paths.js';
import type { SubresourceHandler } from './server.js';

const bindingKind = { kind: 'Binding', apiVersions: ['v1'], schema: 'io.k8s.api.core.v1.Binding' };

/**
 * POST pods/<name>/binding, what a scheduler calls to place a pod on a node, as BindingREST.Create:
 * the names must agree, ValidatePodBinding, then the pod is assigned (its UID a precondition when the
 * Binding carries one, its annotations merged) unless this is a dry run.
 */
export function bindingHandler(binder: PodBinder): SubresourceHandler {
  return async (req: Request, res: Response, target: ResourceTarget) => {
    const { body, dryRun } = await readCreateBody(req, bindingKind);
    const binding = body as Partial<Binding>;
    if ((binding.metadata?.name ?? '') !== target.name) throw badRequest('name in URL does not match name in Binding object');
    // kube aggregates these into a plain error (a 500); bad input is a 400 here, in the same words
    const errors = validatePodBinding(binding);
    if (errors.length) throw badRequest(errors.map(fieldErrorString).join(', '));
    if (dryRun.length) return sendCreatedStatus(res);
    try {
      await binder.bind({ namespace: target.namespace, name: target.name!, uid: binding.metadata?.uid }, binding.target!.name!, binding.metadata?.annotations);
    } catch (e) {
      // assignPod: what is not already a Status is a conflict on pods/binding
      throw e instanceof BindingError ? conflict({ group: '', resource: 'pods/binding' }, target.name!, e.message) : e;
    }
    sendCreatedStatus(res);
  };
}

/** ValidatePodBinding. */
function validatePodBinding(b: Partial<Binding>): FieldError[] {
  const out: FieldError[] = [];
  const kind = b.target?.kind;
  if (kind && kind !== 'Node') out.push({ type: 'NotSupported', field: 'target.kind', value: kind, supported: ['Node'] });
  if (!b.target?.name) out.push({ type: 'Required', field: 'target.name', detail: '' });
  return out;
}
