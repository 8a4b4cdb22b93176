import { badRequest, entityTooLarge, StatusError } from '../../meta/errors.js';

/**
 * The 422 kube-apiserver answers when a JSON patch (or a strategic merge patch
 * that breaks a list rule) cannot be applied: errors.NewGenericServerResponse
 * keeps only the generic text, so the reason of the failure never reaches the
 * client. kubectl prints "The request is invalid: the server rejected our request…".
 */
export function patchNotApplicable(): StatusError {
  return new StatusError({
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
    details: {},
  });
}

/** A patch body kube cannot decode or whose directives are malformed: 400 with kube's own text. */
export function malformedPatch(message: string): StatusError {
  return badRequest(message);
}

export function tooManyJsonPatchOperations(max: number, got: number): StatusError {
  const e = entityTooLarge(0);
  e.status.message = `The allowed maximum operations in a JSON patch is ${max}, got ${got}`;
  return e;
}
