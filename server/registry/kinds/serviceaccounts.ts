import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../meta/types.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ServiceAccountObject = Mutable<ServiceAccount> & KubeObject;

export function serviceaccounts(): ResourceInfo<ServiceAccountObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    strategy: {
      returnDeletedObject: true,
      table: {
        columns: [nameColumn, column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn],
        cells: (sa, now) => [sa.metadata.name, sa.secrets?.length ?? 0, age(sa, now)],
      },
    },
  };
}
