import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import { addFinalizer, pvProtectionFinalizer } from '../../meta/finalizers.js';
import { deepEqual } from '../equality.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { oneOf } from './fieldrules.js';
import { accessModes, accessModesText } from './persistentvolumeclaims.js';
import { parseQuantity, quantityFormatHint } from './quantity.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type PersistentVolumeObject = Mutable<PersistentVolume> & KubeObject;

const pvSourceKeys = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk',
  'glusterfs', 'hostPath', 'iscsi', 'local', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO',
  'storageos', 'vsphereVolume',
];

function defaults(pv: PersistentVolumeObject): void {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ||= 'Retain';
  spec.volumeMode ||= 'Filesystem';
  if (spec.hostPath) spec.hostPath.type ??= '';
}

function validatePV(pv: PersistentVolumeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = pv.spec ?? {};
  const modes = spec.accessModes ?? [];
  if (!modes.length) out.push({ type: 'Required', field: 'spec.accessModes', detail: '' });
  for (const m of modes) if (!accessModes.includes(m)) out.push({ type: 'NotSupported', field: 'spec.accessModes', value: m, supported: accessModes });
  const storage = (spec.capacity as Record<string, unknown> | undefined)?.storage;
  if (storage === undefined) out.push({ type: 'Required', field: 'spec.capacity', detail: '' });
  else if (parseQuantity(storage) === undefined) out.push({ type: 'Invalid', field: 'spec.capacity[storage]', value: storage, detail: quantityFormatHint });
  out.push(...oneOf(spec.persistentVolumeReclaimPolicy, ['Delete', 'Recycle', 'Retain'], 'spec.persistentVolumeReclaimPolicy'));
  if (spec.volumeMode) out.push(...oneOf(spec.volumeMode, ['Block', 'Filesystem'], 'spec.volumeMode'));
  const sources = pvSourceKeys.filter((k) => (spec as Record<string, unknown>)[k] !== undefined);
  if (!sources.length) out.push({ type: 'Required', field: 'spec', detail: 'must specify a volume type' });
  else if (sources.length > 1) out.push({ type: 'Forbidden', field: `spec.${sources[1]}`, detail: 'may not specify more than 1 volume type' });
  return out;
}

function validatePVUpdate(pv: PersistentVolumeObject, old: PersistentVolumeObject): FieldError[] {
  const out = validatePV(pv);
  const src = (o: PersistentVolumeObject): Record<string, unknown> => Object.fromEntries(pvSourceKeys.map((k) => [k, (o.spec as Record<string, unknown> | undefined)?.[k]]));
  if (!deepEqual(src(pv), src(old))) out.push({ type: 'Forbidden', field: 'spec.persistentvolumesource', detail: 'spec.persistentvolumesource is immutable after creation' });
  if ((pv.spec?.volumeMode ?? '') !== (old.spec?.volumeMode ?? '')) {
    out.push({ type: 'Invalid', field: 'spec.volumeMode', value: pv.spec?.volumeMode, detail: 'field is immutable' });
  }
  return out;
}

export function persistentvolumes(): ResourceInfo<PersistentVolumeObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'persistentvolumes',
    singular: 'persistentvolume',
    kind: 'PersistentVolume',
    namespaced: false,
    shortNames: ['pv'],
    statusSubresource: true,
    strategy: {
      returnDeletedObject: true,
      hasStatus: true,
      defaults,
      prepareForCreate(pv, ctx) {
        pv.status = { phase: 'Pending', lastPhaseTransitionTime: new Date(Math.floor(ctx.now / 1000) * 1000).toISOString().replace('.000Z', 'Z') };
        // StorageObjectInUseProtection admission: the pv-protection controller lets it go once it is not bound
        addFinalizer(pv.metadata, pvProtectionFinalizer);
      },
      prepareForUpdate: defaults,
      validate: validatePV,
      validateUpdate: validatePVUpdate,
      validateStatusUpdate: (pv) => (pv.status?.phase ? oneOf(pv.status.phase, ['Available', 'Bound', 'Failed', 'Pending', 'Released'], 'status.phase') : []),
      prepareForStatusUpdate(pv, old, ctx) {
        // PersistentVolumeLastPhaseTransitionTime (GA 1.31): stamped when the phase changes.
        if (pv.status?.phase !== old.status?.phase && pv.status) {
          pv.status.lastPhaseTransitionTime = new Date(Math.floor(ctx.now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
        }
      },
      table: {
        columns: [
          nameColumn,
          column('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.'),
          column('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
          column('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
          column('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
          column('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
          column('StorageClass', 'string', 'storageClassName is the name of StorageClass to which this persistent volume belongs.'),
          column('VolumeAttributesClass', 'string', 'Name of VolumeAttributesClass to which this persistent volume belongs.'),
          column('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
          ageColumn,
          column('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { priority: 1 }),
        ],
        cells: (pv, now) => {
          const ref = pv.spec?.claimRef;
          const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
          const cls = pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pv.spec?.storageClassName ?? '';
          return [
            pv.metadata.name,
            String((pv.spec?.capacity as Record<string, unknown> | undefined)?.storage ?? ''),
            accessModesText(pv.spec?.accessModes),
            pv.spec?.persistentVolumeReclaimPolicy ?? '',
            pv.metadata.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '',
            claim, cls, pv.spec?.volumeAttributesClassName || '<unset>', pv.status?.reason ?? '', age(pv, now),
            pv.spec?.volumeMode || '<unset>',
          ];
        },
      },
    },
  };
}
