import { rfc3339 } from '../meta/clock.js';
import type { KubeObject } from '../meta/types.js';
import type { FieldTracker, PatchApplier } from './generic.js';
import { apiVersionOf, type ResourceRef } from './resource.js';
import { fallbackPatchMeta, patchObject, trackUpdate, type JsonObject, type PatchMetaLookup } from './patch/index.js';

/** Which patch metadata (merge keys, list types) a kind's fields carry. */
export type PatchMetaSource = (kind: string, apiVersion: string) => PatchMetaLookup;

export const fallbackPatchMetaSource: PatchMetaSource = (kind) => fallbackPatchMeta(kind);

/**
 * The fields an endpoint's strategy puts back, which no write through it can own (GetResetFields):
 * spec on the status subresource, status on the main resource of a kind that has one.
 */
function resetFieldsOf(ref: ResourceRef, subresource: string | undefined): string[][] {
  if (subresource === 'status') return [['spec']];
  return ref.info.statusSubresource ? [['status']] : [];
}

/** Connects the registry's PATCH to the patch module: every patch type plus managed fields. */
export function patchApplier(metaFor: PatchMetaSource = fallbackPatchMetaSource): PatchApplier {
  return (req) => {
    const apiVersion = apiVersionOf(req.ref);
    const result = patchObject({
      patchType: req.patchType,
      current: req.current as JsonObject | undefined,
      body: req.body,
      meta: metaFor(req.ref.info.kind, apiVersion),
      manager: req.manager,
      force: req.force,
      apiVersion,
      kind: req.ref.info.kind,
      now: rfc3339(req.now),
      subresource: req.subresource,
      resetFields: resetFieldsOf(req.ref, req.subresource),
      fieldValidation: req.fieldValidation,
    });
    return result.object as unknown as KubeObject;
  };
}

/** Records an Update operation's managed fields for POST and PUT, as kube-apiserver does for every write. */
export function fieldTracker(metaFor: PatchMetaSource = fallbackPatchMetaSource): FieldTracker {
  return ({ ref, old, next, manager, now, subresource }) => {
    const apiVersion = apiVersionOf(ref);
    return trackUpdate({
      old: old as unknown as JsonObject | undefined,
      next: next as unknown as JsonObject,
      manager,
      apiVersion,
      now: rfc3339(now),
      meta: metaFor(ref.info.kind, apiVersion),
      subresource,
      resetFields: resetFieldsOf(ref, subresource),
    }) as unknown as KubeObject;
  };
}
