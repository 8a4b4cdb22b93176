import type { Request, Response } from 'express';
import type { Binding } from 'kubernetes-types/core/v1.js';
import { badRequest, methodNotAllowed } from '../meta/errors.js';
import { isPlainObject } from '../meta/types.js';
import type { PodBinder } from '../nodes/binding.js';
import { BindingError } from '../nodes/binding.js';
import { parseObjectBody, readBody } from './body.js';
import type { ResourceTarget } from './paths.js';
import type { SubresourceHandler } from './server.js';
import { sendCreatedStatus } from './create-subresource.js';

/** POST pods/<name>/binding: what a scheduler calls to place a pod on a node. */
export function bindingHandler(binder: PodBinder): SubresourceHandler {
  return async (req: Request, res: Response, target: ResourceTarget) => {
    if (req.method !== 'POST') throw methodNotAllowed();
    const body = parseObjectBody(await readBody(req), req.get('content-type'));
    if (!isPlainObject(body) || !isPlainObject(body.target) || typeof body.target.name !== 'string' || !body.target.name) {
      throw badRequest('Binding.target.name is required');
    }
    const binding = body as unknown as Binding;
    try {
      await binder.bind({ namespace: target.namespace, name: target.name! }, binding.target.name!);
    } catch (e) {
      throw e instanceof BindingError ? badRequest(e.message) : e;
    }
    sendCreatedStatus(res);
  };
}
