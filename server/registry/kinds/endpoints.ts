import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import type { ResourceInfo } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { dns1035LabelErrors, portNumberErrors, oneOf, supportedProtocols } from './fieldrules.js';
import { isIPv6, parseIPv4 } from './ipallocator.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type EndpointsObject = Mutable<Endpoints> & KubeObject;

function validateEndpoints(ep: EndpointsObject): FieldError[] {
  const out: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const path = `subsets[${i}]`;
    const check = (list: typeof ss.addresses, kind: string): void => (list ?? []).forEach((a, j) => {
      if (!a.ip || (parseIPv4(a.ip) === undefined && !isIPv6(a.ip))) {
        out.push({ type: 'Invalid', field: `${path}.${kind}[${j}].ip`, value: a.ip ?? '', detail: 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' });
      }
    });
    check(ss.addresses, 'addresses');
    check(ss.notReadyAddresses, 'notReadyAddresses');
    (ss.ports ?? []).forEach((p, j) => {
      out.push(...portNumberErrors(p.port, `${path}.ports[${j}].port`));
      out.push(...oneOf(p.protocol, supportedProtocols, `${path}.ports[${j}].protocol`));
    });
  });
  return out;
}

/** formatEndpoints: the first three "ip:port" pairs, then "+ N more...". */
export function formatEndpoints(ep: EndpointsObject): string {
  const subsets = ep.subsets ?? [];
  if (!subsets.length) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (!ports.length) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(a.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(isIPv6(a.ip) ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
      }
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - max} more...` : text;
}

export function endpoints(): ResourceInfo<EndpointsObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    shortNames: ['ep'],
    strategy: {
      allowCreateOnUpdate: true,
      // SetDefaults_EndpointPort: a port without protocol is TCP.
      defaults(ep) {
        for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) (p as { protocol?: string }).protocol ??= 'TCP';
      },
      // Endpoints share the Service's name, so they follow the Service name rule.
      validateName: dns1035LabelErrors,
      validate: validateEndpoints,
      table: {
        columns: [nameColumn, column('Endpoints', 'string', 'Endpoints of the service'), ageColumn],
        cells: (ep, now) => [ep.metadata.name, formatEndpoints(ep), age(ep, now)],
      },
    },
  };
}
