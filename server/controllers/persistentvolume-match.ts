import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { selectorMatchesLabels } from '../meta/labels.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';

export type RClaim = DeepReadonly<PersistentVolumeClaim & KubeObject>;
export type RVolume = DeepReadonly<PersistentVolume & KubeObject>;
export type RClass = DeepReadonly<StorageClass & KubeObject>;

export const annBindCompleted = 'pv.kubernetes.io/bind-completed';
export const annBoundByController = 'pv.kubernetes.io/bound-by-controller';
export const annProvisionedBy = 'pv.kubernetes.io/provisioned-by';
export const annStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
export const annBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
export const annSelectedNode = 'volume.kubernetes.io/selected-node';
export const annBetaStorageClass = 'volume.beta.kubernetes.io/storage-class';
export const hostPathProvisioner = 'kubemock.io/hostpath';

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** A storage quantity in bytes (enough of resource.Quantity to compare sizes). */
export function quantityBytes(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(?:[eE](\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m))?$/.exec(q.trim());
  if (!m) return undefined;
  if (m[2]) return Number(m[1]) * 10 ** Number(m[2]);
  const s = m[3] ?? '';
  return Number(m[1]) * (binary[s] ?? decimal[s]);
}

export function requestedStorage(claim: RClaim): unknown {
  return (claim.spec?.resources?.requests as Record<string, unknown> | undefined)?.storage;
}

/** GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation wins over the field. */
export function claimClass(claim: RClaim): string {
  return claim.metadata.annotations?.[annBetaStorageClass] ?? claim.spec?.storageClassName ?? '';
}

export function volumeClass(pv: RVolume): string {
  return pv.metadata.annotations?.[annBetaStorageClass] ?? pv.spec?.storageClassName ?? '';
}

/** Why a volume cannot serve a claim, or undefined when it can (checkVolumeSatisfyClaim). */
export function volumeMismatch(pv: RVolume, claim: RClaim): string | undefined {
  const want = quantityBytes(requestedStorage(claim)) ?? 0;
  const have = quantityBytes((pv.spec?.capacity as Record<string, unknown> | undefined)?.storage) ?? 0;
  if (have < want) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(claim)) return 'storageClassName does not match';
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return 'incompatible volumeMode';
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(claim.spec?.accessModes ?? []).every((m) => modes.has(m))) return 'incompatible accessMode';
  return undefined;
}

/**
 * FindMatchingVolume: a volume pre-bound to this claim wins; otherwise the smallest Available
 * volume that satisfies the claim and its selector. Volumes bound elsewhere, being deleted or not
 * Available are skipped.
 */
export function findMatchingVolume(claim: RClaim, volumes: readonly RVolume[]): RVolume | undefined {
  const uid = claim.metadata.uid;
  const preBound = volumes.find((pv) => {
    const ref = pv.spec?.claimRef;
    return ref && ref.name === claim.metadata.name && ref.namespace === claim.metadata.namespace && (!ref.uid || ref.uid === uid)
      && !pv.metadata.deletionTimestamp && !volumeMismatch(pv, claim);
  });
  if (preBound) return preBound;
  const candidates = volumes.filter((pv) => !pv.spec?.claimRef && !pv.metadata.deletionTimestamp
    && (pv.status?.phase === 'Available' || pv.status?.phase === 'Pending' || !pv.status?.phase)
    && !volumeMismatch(pv, claim)
    && (!claim.spec?.selector || selectorMatchesLabels(claim.spec.selector, pv.metadata.labels)));
  const size = (pv: RVolume): number => quantityBytes((pv.spec?.capacity as Record<string, unknown> | undefined)?.storage) ?? 0;
  return candidates.sort((a, b) => size(a) - size(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1))[0];
}

export function isDefaultClass(sc: RClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/** The default class, newest first when several claim to be (as the admission plugin picks). */
export function defaultClass(classes: readonly RClass[]): RClass | undefined {
  return classes.filter(isDefaultClass).sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    return ta !== tb ? (ta < tb ? 1 : -1) : (a.metadata.name! < b.metadata.name! ? -1 : 1);
  })[0];
}
