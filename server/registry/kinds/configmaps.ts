import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../meta/types.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';

type ConfigMapObject = ConfigMap & KubeObject;

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
      table: {
        columns: [nameColumn, column('Data', 'string', 'Number of data entries'), ageColumn],
        cells: (cm, now) => [cm.metadata.name, Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm, now)],
      },
    },
  };
}
