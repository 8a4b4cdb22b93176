import { badRequest, invalid, type FieldError } from '../meta/errors.js';
import { isPlainObject } from '../meta/types.js';
import type { DeleteOptions } from '../registry/generic.js';
import type { PropagationPolicy } from '../registry/strategy.js';
import { decodeFields } from '../schema/decode.js';
import { servedSchemas } from '../schema/schemas.js';

/** What a DELETE asks for: how to delete, and whether only to pretend (dryRun lives in DeleteOptions). */
export interface DeleteRequestOptions {
  options: DeleteOptions;
  dryRun: boolean;
}

/** DeleteOptions as sent, before ValidateDeleteOptions. */
interface SentDeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: string;
  dryRun?: string[];
}

const deleteOptionsSchema = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const propagationPolicies = ['Foreground', 'Background', 'Orphan'];

/**
 * A DELETE body decoded into DeleteOptions as kube's handler does. kube reads the query only when
 * there is no body, so `kubectl delete --dry-run=server`, which sends `{"dryRun":["All"]}` in the
 * body, is a dry run whatever the query says.
 */
export function deleteOptionsFromBody(body: unknown): DeleteRequestOptions {
  if (!isPlainObject(body)) throw badRequest('decoded object cannot be converted to DeleteOptions');
  if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${String(body.kind)}`);
  const { typeError } = decodeFields(servedSchemas(), deleteOptionsSchema, body);
  if (typeError) throw badRequest(typeError);
  return validated(body as SentDeleteOptions);
}

/** DeleteOptions from the query of a DELETE without a body (values already read as numbers and booleans). */
export function deleteOptionsFromQuery(q: Omit<SentDeleteOptions, 'preconditions'>): DeleteRequestOptions {
  return validated(q);
}

/** ValidateDeleteOptions: every problem in one 422 on meta.k8s.io DeleteOptions. */
function validated(sent: SentDeleteOptions): DeleteRequestOptions {
  const errors: FieldError[] = [];
  const policy = sent.propagationPolicy;
  if (sent.orphanDependents !== undefined && policy !== undefined) {
    errors.push({ type: 'Invalid', field: 'propagationPolicy', value: policy, detail: 'orphanDependents and deletionPropagation cannot be both set' });
  }
  if (policy !== undefined && !propagationPolicies.includes(policy)) {
    errors.push({ type: 'NotSupported', field: 'propagationPolicy', value: policy, supported: [...propagationPolicies, 'nil'] });
  }
  const dryRun = sent.dryRun ?? [];
  if (dryRun.some((v) => v !== 'All')) errors.push({ type: 'NotSupported', field: 'dryRun', value: dryRun, supported: ['All'] });
  if (errors.length) throw invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', errors);

  const options: DeleteOptions = {};
  // rest.BeforeDelete: a negative grace period means one second
  if (sent.gracePeriodSeconds !== undefined) options.gracePeriodSeconds = sent.gracePeriodSeconds < 0 ? 1 : sent.gracePeriodSeconds;
  if (sent.orphanDependents !== undefined) options.orphanDependents = sent.orphanDependents;
  if (policy !== undefined) options.propagationPolicy = policy as PropagationPolicy;
  if (sent.preconditions) options.preconditions = { uid: sent.preconditions.uid, resourceVersion: sent.preconditions.resourceVersion };
  return { options, dryRun: dryRun.length > 0 };
}
