import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import { deepEqual } from '../equality.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { configKeyErrors } from './fieldrules.js';

type ConfigMapObject = ConfigMap & KubeObject;

const maxConfigMapBytes = 1024 * 1024;

function validateConfigMap(cm: ConfigMapObject): FieldError[] {
  const out: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    for (const d of configKeyErrors(k)) out.push({ type: 'Invalid', field: 'data', value: k, detail: d });
    if (cm.binaryData && k in cm.binaryData) out.push({ type: 'Invalid', field: 'data', value: k, detail: 'duplicate of key present in binaryData' });
    size += String(v).length;
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    for (const d of configKeyErrors(k)) out.push({ type: 'Invalid', field: 'binaryData', value: k, detail: d });
    size += Buffer.from(String(v), 'base64').length;
  }
  if (size > maxConfigMapBytes) out.push({ type: 'TooLong', field: '', detail: `must have at most ${maxConfigMapBytes} bytes` });
  return out;
}

function validateConfigMapUpdate(cm: ConfigMapObject, old: ConfigMapObject): FieldError[] {
  const out = validateConfigMap(cm);
  if (old.immutable) {
    if (!cm.immutable) out.push({ type: 'Forbidden', field: 'immutable', detail: 'field is immutable when `immutable` is set' });
    if (!deepEqual(cm.data ?? {}, old.data ?? {})) out.push({ type: 'Forbidden', field: 'data', detail: 'field is immutable when `immutable` is set' });
    if (!deepEqual(cm.binaryData ?? {}, old.binaryData ?? {})) out.push({ type: 'Forbidden', field: 'binaryData', detail: 'field is immutable when `immutable` is set' });
  }
  return out;
}

export function configmaps(): ResourceInfo<ConfigMapObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    strategy: {
      validate: validateConfigMap,
      validateUpdate: validateConfigMapUpdate,
      table: {
        columns: [nameColumn, column('Data', 'string', 'Number of data entries'), ageColumn],
        cells: (cm, now) => [cm.metadata.name, Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm, now)],
      },
    },
  };
}
