import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { oneOf } from './fieldrules.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type EndpointSliceObject = Mutable<EndpointSlice> & KubeObject;

const maxEndpoints = 1000;

function validateSlice(slice: EndpointSliceObject): FieldError[] {
  const out: FieldError[] = [];
  out.push(...oneOf(slice.addressType, ['FQDN', 'IPv4', 'IPv6'], 'addressType'));
  const eps = slice.endpoints ?? [];
  if (eps.length > maxEndpoints) out.push({ type: 'TooMany', field: 'endpoints', detail: `must have at most ${maxEndpoints} items` });
  eps.forEach((e, i) => {
    if (!e.addresses?.length) out.push({ type: 'Required', field: `endpoints[${i}].addresses`, detail: 'must contain at least 1 address' });
  });
  return out;
}

function truncated(items: string[]): string {
  if (!items.length) return '<unset>';
  const max = 3;
  return items.length > max ? `${items.slice(0, max).join(',')} + ${items.length - max} more...` : items.join(',');
}

export function endpointslices(): ResourceInfo<EndpointSliceObject> {
  return {
    group: 'discovery.k8s.io',
    versions: [{ name: 'v1' }],
    resource: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    namespaced: true,
    strategy: {
      validate: validateSlice,
      validateUpdate: (slice, old) => [
        ...validateSlice(slice),
        ...(slice.addressType !== old.addressType ? [{ type: 'Invalid' as const, field: 'addressType', value: slice.addressType, detail: 'field is immutable' }] : []),
      ],
      table: {
        columns: [
          nameColumn,
          column('AddressType', 'string', 'Type of address carried by this EndpointSlice'),
          column('Ports', 'string', 'Ports of this EndpointSlice'),
          column('Endpoints', 'string', 'Endpoints of this EndpointSlice'),
          ageColumn,
        ],
        cells: (slice, now) => [
          slice.metadata.name,
          slice.addressType,
          truncated((slice.ports ?? []).map((p) => (p.port === undefined ? '<unset>' : String(p.port)))),
          truncated((slice.endpoints ?? []).flatMap((e) => e.addresses ?? [])),
          age(slice, now),
        ],
      },
    },
  };
}
