import type { ObjectMeta } from './types.js';

/** Held on a claim while a scheduled pod names it (StorageObjectInUseProtection). */
export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
/** Held on a volume while it is bound. */
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

export function addFinalizer(meta: ObjectMeta, finalizer: string): void {
  if (!meta.finalizers?.includes(finalizer)) meta.finalizers = [...(meta.finalizers ?? []), finalizer];
}
