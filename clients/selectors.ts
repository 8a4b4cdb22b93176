import type { components } from './generated/kubemock.js';

type LabelSelectorObject = components['schemas']['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'];

/**
 * One requirement per key:
 *   'v'                       key=v
 *   ['a', 'b']                key in (a,b)
 *   { notIn: ['a'] }          key notin (a)
 *   { exists: true | false }  key  /  !key
 *   { not: 'v' }              key!=v
 */
export type LabelRequirement = string | readonly string[] | { in: readonly string[] } | { notIn: readonly string[] } | { exists: boolean } | { not: string };

export type LabelSelectorInput = Readonly<Record<string, LabelRequirement>>;

// The apiserver's own grammar (k8s.io/apimachinery validation): a qualified name with an optional DNS-subdomain
// prefix, values of at most 63 characters. Checking here keeps a stray ',' or ')' in a value from turning into
// a different selector than the caller meant.
const namePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): string {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && dnsSubdomain.test(prefix));
  if (!prefixOk || name.length > 63 || !namePart.test(name)) throw new TypeError(`invalid label key ${JSON.stringify(key)}`);
  return key;
}

function checkValue(key: string, value: string): string {
  if (value.length > 63 || !labelValue.test(value)) throw new TypeError(`invalid value ${JSON.stringify(value)} for label ${key}`);
  return value;
}

function setOf(key: string, values: readonly string[]): string {
  if (values.length === 0) throw new TypeError(`label ${key}: a set requirement needs at least one value`);
  return `(${values.map((v) => checkValue(key, v)).join(',')})`;
}

function requirement(key: string, req: LabelRequirement): string {
  checkKey(key);
  if (typeof req === 'string') return `${key}=${checkValue(key, req)}`;
  if (isArray(req)) return `${key} in ${setOf(key, req)}`;
  if ('in' in req) return `${key} in ${setOf(key, req.in)}`;
  if ('notIn' in req) return `${key} notin ${setOf(key, req.notIn)}`;
  if ('exists' in req) return req.exists ? key : `!${key}`;
  return `${key}!=${checkValue(key, req.not)}`;
}

function isArray(v: LabelRequirement): v is readonly string[] {
  return Array.isArray(v);
}

/** `{app: 'web', tier: ['a', 'b']}` → `app=web,tier in (a,b)`; throws TypeError on a key or value the API would reject. */
export function labelSelector(input: LabelSelectorInput): string {
  return Object.entries(input).map(([k, r]) => requirement(k, r)).join(',');
}

/** The string form of a metav1.LabelSelector (a StatefulSet's spec.selector, say), for list and watch calls. */
export function fromLabelSelector(selector: LabelSelectorObject): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => requirement(k, v));
  for (const e of selector.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        parts.push(requirement(e.key, { in: e.values ?? [] }));
        break;
      case 'NotIn':
        parts.push(requirement(e.key, { notIn: e.values ?? [] }));
        break;
      case 'Exists':
        parts.push(requirement(e.key, { exists: true }));
        break;
      case 'DoesNotExist':
        parts.push(requirement(e.key, { exists: false }));
        break;
      default:
        throw new TypeError(`label selector operator ${JSON.stringify(e.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
    }
  }
  return parts.join(',');
}

/** `{'metadata.name': 'web-0'}` → `metadata.name=web-0` (field values escape `\`, `,` and `=` as the apiserver expects). */
export function fieldSelector(input: Readonly<Record<string, string | { not: string }>>): string {
  const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
  return Object.entries(input)
    .map(([k, v]) => (typeof v === 'string' ? `${k}=${escape(v)}` : `${k}!=${escape(v.not)}`))
    .join(',');
}
