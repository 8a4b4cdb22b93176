/**
 * Turning a query name into what it asks for, as CoreDNS's parse.go parseRequest does: the
 * labels left of the zone are read right to left as svc|pod, namespace, service, then either one
 * endpoint label or a `_port._proto` pair. Pure, so the whole name grammar is tested without sockets.
 */

export interface NameRecordRequest {
  readonly kind: 'svc' | 'pod';
  /** '' when the name stops before it (e.g. `<ns>.svc.<zone>` has no service). */
  readonly namespace: string;
  readonly service: string;
  readonly endpoint: string;
  /** Without the leading underscore; '' matches every port / protocol, as in CoreDNS. */
  readonly port: string;
  readonly protocol: string;
}

export type RecordRequest =
  | { readonly kind: 'outside' }
  | { readonly kind: 'apex' }
  | { readonly kind: 'nameserver' }
  | { readonly kind: 'dns-version' }
  /** In the zone but in no shape a cluster name takes: NXDOMAIN. */
  | { readonly kind: 'invalid' }
  | NameRecordRequest;

/** Lowercase and without the trailing dot: the one spelling every comparison uses. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

/** The part of `name` left of `zone` ('' for the apex), or undefined when name is outside it. */
export function trimZone(name: string, zone: string): string | undefined {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  if (z === '') return n;
  if (n === z) return '';
  return n.endsWith(`.${z}`) ? n.slice(0, -(z.length + 1)) : undefined;
}

export function parseQuery(name: string, zone: string): RecordRequest {
  const base = trimZone(name, zone);
  if (base === undefined) return { kind: 'outside' };
  if (base === '') return { kind: 'apex' };
  if (base === 'dns-version') return { kind: 'dns-version' };
  if (base === 'ns.dns') return { kind: 'nameserver' };

  const labels = base.split('.');
  const podOrSvc = labels.pop();
  if (podOrSvc !== 'svc' && podOrSvc !== 'pod') return { kind: 'invalid' };
  const namespace = labels.pop() ?? '';
  const service = labels.pop() ?? '';
  const request = { kind: podOrSvc, namespace, service, endpoint: '', port: '', protocol: '' } as const;
  switch (labels.length) {
    case 0:
      return request;
    case 1:
      return { ...request, endpoint: labels[0] };
    case 2:
      return { ...request, port: stripUnderscore(labels[0]), protocol: stripUnderscore(labels[1]) };
    default:
      // longer names have no meaning in the schema: CoreDNS answers NXDOMAIN
      return { kind: 'invalid' };
  }
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}
