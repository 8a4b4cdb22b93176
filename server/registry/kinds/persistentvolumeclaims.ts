import type { PersistentVolumeClaim, PersistentVolumeClaimSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import { addFinalizer, pvcProtectionFinalizer } from '../../meta/finalizers.js';
import type { Storage } from '../../store/storage.js';
import { deepEqual } from '../equality.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { oneOf } from './fieldrules.js';
import { parseQuantity, quantityFormatHint } from './quantity.js';
import { defaultStorageClassName } from './storageclasses.js';
import { deepCopy } from '../../meta/deep-copy.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type PersistentVolumeClaimObject = Mutable<PersistentVolumeClaim> & KubeObject;

export const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const shortModes: [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];

/** GetAccessModesAsString: de-duplicated short names in a fixed order. */
export function accessModesText(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  return shortModes.filter(([m]) => set.has(m)).map(([, s]) => s).join(',');
}

/** GetPersistentVolumeClaimClass: the beta annotation wins over the field. */
export function claimClass(pvc: PersistentVolumeClaimObject): string {
  return pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc.spec?.storageClassName ?? '';
}

export function defaultClaimSpec(spec: Mutable<PersistentVolumeClaimSpec>): void {
  spec.volumeMode ||= 'Filesystem';
}

/** ValidatePersistentVolumeClaimSpec, with paths under `path` (also used for claim templates). */
export function validateClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  const modes = spec?.accessModes ?? [];
  if (!modes.length) out.push({ type: 'Required', field: `${path}.accessModes`, detail: 'at least 1 access mode is required' });
  for (const m of modes) if (!accessModes.includes(m)) out.push({ type: 'NotSupported', field: `${path}.accessModes`, value: m, supported: accessModes });
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    out.push({ type: 'Forbidden', field: `${path}.accessModes`, detail: 'may not use ReadWriteOncePod with other access modes' });
  }
  const storage = (spec?.resources?.requests as Record<string, unknown> | undefined)?.storage;
  if (storage === undefined) out.push({ type: 'Required', field: `${path}.resources[storage]`, detail: '' });
  else {
    const n = parseQuantity(storage);
    if (n === undefined) out.push({ type: 'Invalid', field: `${path}.resources.requests[storage]`, value: storage, detail: quantityFormatHint });
    else if (n <= 0) out.push({ type: 'Invalid', field: `${path}.resources[storage]`, value: storage, detail: 'must be greater than zero' });
  }
  if (spec?.volumeMode) out.push(...oneOf(spec.volumeMode, ['Block', 'Filesystem'], `${path}.volumeMode`));
  return out;
}

/** ValidatePersistentVolumeClaimUpdate: only requests may grow (once bound), and binding fields may be filled in. */
function validateClaimUpdate(pvc: PersistentVolumeClaimObject, old: PersistentVolumeClaimObject): FieldError[] {
  const out = validateClaimSpec(pvc.spec, 'spec');
  const now = deepCopy(pvc.spec ?? {}) as Mutable<PersistentVolumeClaimSpec>;
  const prev = deepCopy(old.spec ?? {}) as Mutable<PersistentVolumeClaimSpec>;
  if (!prev.volumeName) prev.volumeName = now.volumeName;
  if (prev.storageClassName === undefined) prev.storageClassName = now.storageClassName;
  const bound = old.status?.phase === 'Bound';
  if (bound) {
    now.resources = { ...now.resources, requests: prev.resources?.requests };
    now.volumeAttributesClassName = prev.volumeAttributesClassName;
  }
  if (!deepEqual(now, prev)) {
    out.push({ type: 'Forbidden', field: 'spec', detail: 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' });
  } else if (bound) {
    const want = parseQuantity((pvc.spec?.resources?.requests as Record<string, unknown> | undefined)?.storage);
    const had = parseQuantity((old.spec?.resources?.requests as Record<string, unknown> | undefined)?.storage);
    if (want !== undefined && had !== undefined && want < had) {
      out.push({ type: 'Forbidden', field: 'spec.resources.requests.storage', detail: 'field can not be less than previous value' });
    }
  }
  return out;
}

export function persistentvolumeclaims(storage?: Storage): ResourceInfo<PersistentVolumeClaimObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    shortNames: ['pvc'],
    statusSubresource: true,
    strategy: {
      returnDeletedObject: true,
      hasStatus: true,
      defaults: (pvc) => defaultClaimSpec((pvc.spec ??= {})),
      async prepareForCreate(pvc) {
        pvc.status = { phase: 'Pending' };
        // StorageObjectInUseProtection admission: the pvc-protection controller lets it go once no pod uses it
        addFinalizer(pvc.metadata, pvcProtectionFinalizer);
        // The DefaultStorageClass admission plugin: a nil class (not "") gets the default class.
        if (pvc.spec && pvc.spec.storageClassName === undefined && !pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] && storage) {
          const name = await defaultStorageClassName(storage);
          if (name) pvc.spec.storageClassName = name;
        }
      },
      prepareForUpdate: (pvc) => defaultClaimSpec((pvc.spec ??= {})),
      validate: (pvc) => validateClaimSpec(pvc.spec, 'spec'),
      validateUpdate: validateClaimUpdate,
      validateStatusUpdate: (pvc) => (pvc.status?.phase ? oneOf(pvc.status.phase, ['Bound', 'Lost', 'Pending'], 'status.phase') : []),
      table: {
        columns: [
          nameColumn,
          column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
          column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
          column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
          column('Access Modes', 'string', 'accessModes contains the desired access modes the volume should have.'),
          column('StorageClass', 'string', 'storageClassName is the name of the StorageClass required by the claim.'),
          column('VolumeAttributesClass', 'string', 'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
          ageColumn,
          column('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', { priority: 1 }),
        ],
        cells: (pvc, now) => {
          const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '';
          const volume = pvc.spec?.volumeName ?? '';
          const capacity = volume ? String((pvc.status?.capacity as Record<string, unknown> | undefined)?.storage ?? '') : '';
          const modes = volume ? accessModesText(pvc.status?.accessModes) : '';
          return [
            pvc.metadata.name, phase, volume, capacity, modes, claimClass(pvc),
            pvc.spec?.volumeAttributesClassName || '<unset>', age(pvc, now), pvc.spec?.volumeMode || '<unset>',
          ];
        },
      },
    },
  };
}
