/**
 * IP spellings the DNS names use: the dashed form of endpoint and pod names, and the
 * reversed form of in-addr.arpa / ip6.arpa. Everything is compared in canonical form so that
 * an IPv6 address written expanded in an EndpointSlice still matches its reverse query.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Lowercase, shortest IPv6 form (RFC 5952, as WHATWG URL prints it); IPv4 unchanged. */
export function canonicalIP(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** CoreDNS's endpoint name for an address without hostname: dots (or colons) become dashes. */
export function dashedIP(ip: string): string {
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  const dashed = ip.replaceAll(':', '-');
  // a trailing "::" would leave a label ending in '-', which is not a valid hostname
  return dashed.endsWith('-') ? `${dashed}0` : dashed;
}

/** The IP a pod name (`a-b-c-d` or an IPv6 with dashes) stands for, or undefined when it is not one. */
export function ipFromDashed(label: string): string | undefined {
  const looksV4 = (label.match(/-/g) ?? []).length === 3 && !label.includes('--');
  const candidate = looksV4 ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  if (isIPv4(candidate)) return candidate;
  if (isIPv6(candidate)) return canonicalIP(candidate);
  return undefined;
}

export type ReverseZone = 'in-addr.arpa' | 'ip6.arpa';

/** Which reverse zone a (lowercase, dotless-ended) name falls in, if any. */
export function reverseZoneOf(name: string): ReverseZone | undefined {
  if (name === 'in-addr.arpa' || name.endsWith('.in-addr.arpa')) return 'in-addr.arpa';
  if (name === 'ip6.arpa' || name.endsWith('.ip6.arpa')) return 'ip6.arpa';
  return undefined;
}

/** The address a full reverse name denotes; undefined for partial or malformed names. */
export function ipFromReverseName(name: string): string | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '');
  const zone = reverseZoneOf(lower);
  if (!zone || lower === zone) return undefined;
  const labels = lower.slice(0, -(zone.length + 1)).split('.').reverse();
  if (zone === 'in-addr.arpa') {
    if (labels.length !== 4 || !labels.every((l) => /^(0|[1-9][0-9]{0,2})$/.test(l))) return undefined;
    const ip = labels.join('.');
    return isIPv4(ip) ? ip : undefined;
  }
  if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(labels.slice(i, i + 4).join(''));
  return canonicalIP(groups.join(':'));
}

/** The PTR owner name for an address (no trailing dot). */
export function reverseNameForIP(ip: string): string | undefined {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (!isIPv6(ip)) return undefined;
  return `${expandIPv6(ip).replaceAll(':', '').split('').reverse().join('.')}.ip6.arpa`;
}

/** The 16 bytes of an IPv6 address. */
export function ipv6Bytes(ip: string): Buffer {
  if (!isIPv6(ip)) throw new Error(`not an IPv6 address: ${ip}`);
  return Buffer.from(expandIPv6(ip).replaceAll(':', ''), 'hex');
}

function expandIPv6(ip: string): string {
  const canonical = canonicalIP(ip);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((g) => g.padStart(4, '0')).join(':');
}
