/**
 * Every patch type kubectl sends, as one pure function the registry calls.
 *
 *   patchObject(req: PatchRequest): PatchResult
 *
 *   req.patchType  the request's Content-Type (parameters such as "; charset=utf-8" are ignored):
 *                    application/json-patch+json            RFC 6902
 *                    application/merge-patch+json           RFC 7386
 *                    application/strategic-merge-patch+json kube's strategic merge patch
 *                    application/apply-patch+yaml           server-side apply (YAML or JSON body)
 *                  anything else: 415 UnsupportedMediaType.
 *   req.current    the stored object with apiVersion/kind present (present()), with its
 *                  metadata.managedFields; undefined only for an apply that creates.
 *   req.body       the body: parsed JSON, or the raw text/bytes (needed for YAML apply bodies).
 *   req.meta       PatchMetaLookup for the kind: server/schema's patchMetaFor bound to the
 *                  kind's schema, or fallbackPatchMeta(kind) until that exists.
 *   req.manager    fieldManager, or managerFromUserAgent(userAgent) when absent (required for apply).
 *   req.force      ?force=true (apply only).
 *   req.apiVersion the group/version of the request path ("apps/v1", "v1").
 *   req.now        RFC 3339 timestamp for managedFields times.
 *   req.resetFields field-name paths the strategy resets on this endpoint (e.g. [['status']]
 *                  for the main resource) so nobody is recorded as owning them.
 *
 *   result.object     the new object (not yet validated or stored), managedFields updated:
 *                     an Apply entry for apply, an Update entry for the other types.
 *   result.operation  'Apply' | 'Update'; result.created is true when apply made a new object.
 *
 * Errors are StatusErrors worded as kube-apiserver's: 400 for bodies that do not decode or
 * malformed directives, 422 for JSON patches that do not apply, 409 for apply conflicts
 * (reason Conflict, causes FieldManagerConflict), 413 for oversized JSON patches.
 * Name/namespace checks, validation, and status/spec resets stay with the registry.
 */
import { invalid, StatusError, unsupportedMediaType } from '../../meta/errors.js';
import { decodeApplyBody, decodeJsonBody } from './apply-body.js';
import { applyJsonPatch } from './json-patch.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.js';
import { trackUpdate } from './managed-fields.js';
import { applyMergePatch } from './merge-patch.js';
import type { PatchMetaLookup } from './patch-meta.js';
import { serverSideApply } from './server-side-apply.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

export { applyJsonPatch } from './json-patch.js';
export { applyMergePatch, createMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge.js';
export { serverSideApply, applyConflict, type ServerSideApplyInput, type ServerSideApplyResult, type FieldConflict } from './server-side-apply.js';
export { trackUpdate, decodeManagedFields, encodeManagedFields, type TrackUpdateInput } from './managed-fields.js';
export { fallbackPatchMeta, noPatchMeta, type PatchMeta, type PatchMetaLookup } from './patch-meta.js';
export type { JsonObject, JsonValue } from './json-value.js';

export const patchTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export interface PatchRequest {
  patchType: string | undefined;
  current: JsonObject | undefined;
  body: unknown;
  meta: PatchMetaLookup;
  manager: string;
  force?: boolean;
  apiVersion: string;
  /** The kind the URL serves (an apply body must name it). */
  kind: string;
  now: string;
  subresource?: string;
  resetFields?: readonly (readonly string[])[];
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Custom resources do not take strategic merge patches (kube answers 415). */
  strategicMergeSupported?: boolean;
}

export interface PatchResult {
  object: JsonObject;
  operation: 'Apply' | 'Update';
  created: boolean;
}

/** Media types accepted, in kube's order, for the 415 message. */
export function acceptedPatchTypes(strategicMergeSupported = true): string[] {
  return strategicMergeSupported ? [patchTypes.json, patchTypes.merge, patchTypes.strategic, patchTypes.apply] : [patchTypes.json, patchTypes.merge, patchTypes.apply];
}

/**
 * kube's managerOrUserAgent fallback, for REST and gRPC alike: "kubectl/v1.32.0 (linux/amd64) …" →
 * "kubectl", at most 128 characters; "unknown" for a request without one.
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  return (userAgent ?? '').split('/')[0].slice(0, 128) || 'unknown';
}

export function patchObject(req: PatchRequest): PatchResult {
  const accepted = acceptedPatchTypes(req.strategicMergeSupported ?? true);
  const patchType = (req.patchType ?? '').split(';')[0].trim().toLowerCase();
  if (!accepted.includes(patchType)) throw unsupportedMediaType(req.patchType ?? '', accepted);
  checkPatchOptions(patchType, req);

  if (patchType === patchTypes.apply) {
    const applied = decodeApplyBody(req.body, req.fieldValidation === 'Strict');
    const { object } = serverSideApply({
      current: req.current, applied, manager: req.manager, force: req.force ?? false, now: req.now,
      apiVersion: req.apiVersion, kind: req.kind, meta: req.meta, subresource: req.subresource, resetFields: req.resetFields,
    });
    return { object, operation: 'Apply', created: req.current === undefined };
  }

  const current = req.current;
  if (!current) throw new StatusError({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
  const body = decodeJsonBody(req.body);
  let patched: JsonValue;
  if (patchType === patchTypes.json) patched = applyJsonPatch(current, body);
  else if (patchType === patchTypes.merge) patched = applyMergePatch(current, body);
  else patched = applyStrategicMergePatch(current, body, req.meta);
  if (!isJsonObject(patched)) {
    throw invalid({ group: '', kind: '' }, '', [{ type: 'Invalid', field: 'patch', value: JSON.stringify(patched), detail: 'cannot unmarshal the patched document into an object' }]);
  }
  const object = trackUpdate({
    old: current, next: patched, manager: req.manager, apiVersion: req.apiVersion, now: req.now,
    meta: req.meta, subresource: req.subresource, resetFields: req.resetFields,
  });
  return { object, operation: 'Update', created: false };
}

/** ValidatePatchOptions: apply needs a manager; force is for apply only. */
function checkPatchOptions(patchType: string, req: PatchRequest): void {
  const isApply = patchType === patchTypes.apply;
  if (isApply && !req.manager) {
    throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type: 'Required', field: 'fieldManager', detail: 'is required for apply patch' }]);
  }
  if (!isApply && req.force) {
    throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type: 'Forbidden', field: 'force', detail: 'may not be specified for non-apply patch' }]);
  }
}
