/**
 * Patch bodies with the Content-Type that tells the apiserver how to apply them. The OpenAPI document
 * types every patch body as a free-form object; these constructors put the target's type back.
 */

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export const patchContentTypes: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** A partial object where null deletes a field (RFC 7386); lists are given whole (merge) or merged by key (strategic). */
export type MergePatchOf<T> = T extends readonly (infer U)[]
  ? MergePatchOf<U>[]
  : T extends object
    ? { [K in keyof T]?: MergePatchOf<T[K]> | null } & { [directive: `$${string}`]: unknown }
    : T;

/** An apply configuration: the fields the caller owns, with apiVersion and kind. */
export type ApplyConfigurationOf<T> = T extends readonly (infer U)[]
  ? ApplyConfigurationOf<U>[]
  : T extends object
    ? { [K in keyof T]?: ApplyConfigurationOf<T[K]> }
    : T;

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/**
 * T is the patched object's type. The constructors take it from where the patch is used (NoInfer keeps the
 * body from defining it), so `km.patch(stsPath, params, mergePatch({spec: {replicas: 1}}))` checks the body
 * against StatefulSet; standalone, write mergePatch<StatefulSet>({...}).
 */
export interface Patch<T> {
  readonly type: PatchType;
  readonly contentType: string;
  readonly body: Record<string, unknown> | unknown[];
  /** Query parameters the patch type needs (fieldManager and force for server-side apply). */
  readonly query: Readonly<Record<string, string | boolean>>;
  /** Only carries T for inference; never set. */
  readonly __target?: T;
}

function patch<T>(type: PatchType, body: Record<string, unknown> | unknown[], query: Record<string, string | boolean> = {}): Patch<T> {
  return { type, contentType: patchContentTypes[type], body, query };
}

export function mergePatch<T>(body: MergePatchOf<NoInfer<T>>): Patch<T> {
  return patch('merge', body as Record<string, unknown>);
}

export function strategicMergePatch<T>(body: MergePatchOf<NoInfer<T>>): Patch<T> {
  return patch('strategic', body as Record<string, unknown>);
}

export function jsonPatch<T>(operations: readonly JsonPatchOperation[]): Patch<T> {
  return patch('json', [...operations]);
}

/** Server-side apply; fieldManager is required by the apiserver for apply requests. */
export function applyPatch<T>(body: ApplyConfigurationOf<NoInfer<T>>, opts: { fieldManager: string; force?: boolean }): Patch<T> {
  const query: Record<string, string | boolean> = { fieldManager: opts.fieldManager };
  if (opts.force !== undefined) query.force = opts.force;
  return patch('apply', body as Record<string, unknown>, query);
}
