import { invalid, type FieldError } from '../meta/errors.js';
import { applyPatchType, type FieldValidation } from '../registry/generic.js';

export type WriteVerb = 'Create' | 'Update' | 'Patch';

/** A write's options as the client sent them, from a REST query or a gRPC request. */
export interface SentWriteOptions {
  fieldManager?: string;
  fieldValidation?: string;
  dryRun: readonly string[];
  /** Whether force was sent at all: kube refuses it on a non-apply patch even when false. */
  forceSent?: boolean;
  /** A PATCH's media type. */
  patchType?: string;
}

/**
 * ValidateCreateOptions and its siblings: every problem in one 422 on the verb's options kind, for
 * REST and gRPC alike. Returns the field validation directive, "Warn" when none was sent.
 */
export function validateWriteOptions(verb: WriteVerb, sent: SentWriteOptions): FieldValidation {
  const errors: FieldError[] = [];
  const { fieldManager: manager, fieldValidation: fv, patchType } = sent;
  if (patchType !== undefined && patchType !== applyPatchType && sent.forceSent) {
    errors.push({ type: 'Forbidden', field: 'force', detail: 'may not be specified for non-apply patch' });
  }
  if (patchType === applyPatchType && !manager) errors.push({ type: 'Required', field: 'fieldManager', detail: 'is required for apply patch' });
  if (manager !== undefined && manager.length > 128) errors.push({ type: 'TooLong', field: 'fieldManager', detail: 'may not be more than 128 bytes' });
  if (sent.dryRun.some((v) => v !== 'All')) errors.push({ type: 'NotSupported', field: 'dryRun', value: [...sent.dryRun], supported: ['All'] });
  if (fv !== undefined && !['', 'Strict', 'Warn', 'Ignore'].includes(fv)) {
    errors.push({ type: 'NotSupported', field: 'fieldValidation', value: fv, supported: ['', 'Ignore', 'Strict', 'Warn'] });
  }
  if (errors.length) throw invalid({ group: 'meta.k8s.io', kind: `${verb}Options` }, '', errors);
  return (fv || 'Warn') as FieldValidation;
}

