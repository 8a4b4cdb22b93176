import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import type { Storage } from '../../store/storage.js';
import { deepEqual } from '../equality.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { oneOf } from './fieldrules.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type StorageClassObject = Mutable<StorageClass> & KubeObject;

export function isDefaultClass(sc: Pick<StorageClassObject, 'metadata'>): boolean {
  const a = sc.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/** The class the DefaultStorageClass admission plugin picks: the newest default (then by name). */
export async function defaultStorageClassName(storage: Storage): Promise<string | undefined> {
  const { items } = await storage.list('storage.k8s.io/storageclasses');
  const defaults = items.filter(isDefaultClass).sort((a, b) => {
    const ta = String(a.metadata.creationTimestamp ?? '');
    const tb = String(b.metadata.creationTimestamp ?? '');
    return ta !== tb ? (ta < tb ? 1 : -1) : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0]?.metadata.name;
}

function validateStorageClass(sc: StorageClassObject): FieldError[] {
  const out: FieldError[] = [];
  if (!sc.provisioner) out.push({ type: 'Required', field: 'provisioner', detail: '' });
  out.push(...oneOf(sc.reclaimPolicy, ['Delete', 'Retain'], 'reclaimPolicy'));
  out.push(...oneOf(sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer'], 'volumeBindingMode'));
  return out;
}

function validateStorageClassUpdate(sc: StorageClassObject, old: StorageClassObject): FieldError[] {
  const out = validateStorageClass(sc);
  if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {})) out.push({ type: 'Forbidden', field: 'parameters', detail: 'updates to parameters are forbidden.' });
  if (sc.provisioner !== old.provisioner) out.push({ type: 'Forbidden', field: 'provisioner', detail: 'updates to provisioner are forbidden.' });
  if (sc.reclaimPolicy !== old.reclaimPolicy) out.push({ type: 'Forbidden', field: 'reclaimPolicy', detail: 'updates to reclaimPolicy are forbidden.' });
  if (sc.volumeBindingMode !== old.volumeBindingMode) out.push({ type: 'Invalid', field: 'volumeBindingMode', value: sc.volumeBindingMode, detail: 'field is immutable' });
  return out;
}

function defaults(sc: StorageClassObject): void {
  sc.reclaimPolicy ||= 'Delete';
  sc.volumeBindingMode ||= 'Immediate';
}

export function storageclasses(): ResourceInfo<StorageClassObject> {
  return {
    group: 'storage.k8s.io',
    versions: [{ name: 'v1' }],
    resource: 'storageclasses',
    singular: 'storageclass',
    kind: 'StorageClass',
    namespaced: false,
    shortNames: ['sc'],
    strategy: {
      returnDeletedObject: true,
      defaults,
      prepareForUpdate: defaults,
      validate: validateStorageClass,
      validateUpdate: validateStorageClassUpdate,
      table: {
        columns: [
          nameColumn,
          column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
          column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
          column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
          column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
          ageColumn,
        ],
        cells: (sc, now) => [
          isDefaultClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata.name,
          sc.provisioner ?? '',
          sc.reclaimPolicy || 'Delete',
          sc.volumeBindingMode || 'Immediate',
          sc.allowVolumeExpansion ?? false,
          age(sc, now),
        ],
      },
    },
  };
}
