import type { Secret } from 'kubernetes-types/core/v1.js';
import { fieldLabelNotSupported } from '../../meta/fields.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import { deepEqual } from '../equality.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { configKeyErrors } from './fieldrules.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type SecretObject = Mutable<Secret> & KubeObject;

const maxSecretBytes = 1024 * 1024;

/** stringData is write-only: it is merged into data (base64) and never stored. */
function foldStringData(secret: SecretObject): void {
  if (!secret.stringData) return;
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  secret.data = data;
  delete secret.stringData;
}

function defaults(secret: SecretObject): void {
  secret.type ||= 'Opaque';
  foldStringData(secret);
}

function validateSecret(secret: SecretObject): FieldError[] {
  const out: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    for (const d of configKeyErrors(k)) out.push({ type: 'Invalid', field: 'data', value: k, detail: d });
    size += Buffer.from(String(v), 'base64').length;
  }
  if (size > maxSecretBytes) out.push({ type: 'TooLong', field: 'data', detail: `may not be more than ${maxSecretBytes} bytes` });
  const data = secret.data ?? {};
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
        out.push({ type: 'Required', field: 'metadata.annotations[kubernetes.io/service-account.name]', detail: '' });
      }
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (data['.dockerconfigjson'] === undefined) out.push({ type: 'Required', field: 'data[.dockerconfigjson]', detail: '' });
      break;
    case 'kubernetes.io/tls':
      if (data['tls.crt'] === undefined) out.push({ type: 'Required', field: 'data[tls.crt]', detail: '' });
      if (data['tls.key'] === undefined) out.push({ type: 'Required', field: 'data[tls.key]', detail: '' });
      break;
  }
  return out;
}

function validateSecretUpdate(secret: SecretObject, old: SecretObject): FieldError[] {
  const out = validateSecret(secret);
  if (secret.type !== old.type) out.push({ type: 'Invalid', field: 'type', value: secret.type, detail: 'field is immutable' });
  if (old.immutable) {
    if (!secret.immutable) out.push({ type: 'Forbidden', field: 'immutable', detail: 'field is immutable when `immutable` is set' });
    if (!deepEqual(secret.data ?? {}, old.data ?? {})) out.push({ type: 'Forbidden', field: 'data', detail: 'field is immutable when `immutable` is set' });
  }
  return out;
}

export function secrets(): ResourceInfo<SecretObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    strategy: {
      defaults,
      prepareForUpdate: defaults,
      validate: validateSecret,
      validateUpdate: validateSecretUpdate,
      selectableFields: (s) => ({ type: s.type ?? '' }),
      fieldLabels: () => ({ names: ['metadata.name', 'metadata.namespace', 'type'], unsupported: fieldLabelNotSupported }),
      table: {
        columns: [nameColumn, column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), column('Data', 'string', 'Number of data entries'), ageColumn],
        cells: (s, now) => [s.metadata.name, s.type ?? '', Object.keys(s.data ?? {}).length, age(s, now)],
      },
    },
  };
}
