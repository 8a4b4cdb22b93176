import type { FieldError } from '../../meta/errors.js';
import { dns1123LabelErrors } from '../../meta/names.js';

/** Small validators shared by several kinds, worded as apimachinery's validation helpers. */

export function nonNegative(value: number | undefined, field: string): FieldError[] {
  if (value === undefined || value >= 0) return [];
  return [{ type: 'Invalid', field, value, detail: 'must be greater than or equal to 0' }];
}

export function portNumberErrors(value: number | undefined, field: string): FieldError[] {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return [];
  return [{ type: 'Invalid', field, value: value ?? 0, detail: 'must be between 1 and 65535, inclusive' }];
}

/** IsValidPortName (IANA_SVC_NAME). */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length < 1 || name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push(`must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`);
  if (name.includes('--')) errs.push(`must not contain consecutive hyphens`);
  if (!/[a-z]/.test(name)) errs.push(`must contain at least one letter (a-z)`);
  if (name.startsWith('-') || name.endsWith('-')) errs.push(`must not begin or end with a hyphen`);
  return errs;
}

/** IsValidPercent's words. */
export const invalidPercentDetail = `a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`;

export const supportedProtocols = ['SCTP', 'TCP', 'UDP'];

export function oneOf(value: string | undefined, supported: string[], field: string, required = true): FieldError[] {
  if (value === undefined || value === '') return required ? [{ type: 'Required', field, detail: '' }] : [];
  if (supported.includes(value)) return [];
  return [{ type: 'NotSupported', field, value, supported }];
}

export function dnsLabelField(value: string, field: string): FieldError[] {
  return dns1123LabelErrors(value).map((detail) => ({ type: 'Invalid', field, value, detail }));
}

const dns1035Re = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** IsDNS1035Label: Service names start with a letter. */
export function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!dns1035Re.test(value)) {
    errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
  }
  return errs;
}

export function immutable(value: unknown, old: unknown, field: string, equal: (a: unknown, b: unknown) => boolean): FieldError[] {
  return equal(value, old) ? [] : [{ type: 'Invalid', field, value, detail: 'field is immutable' }];
}

const configKeyRe = /^[-._a-zA-Z0-9]+$/;

/** IsConfigMapKey, used for ConfigMap and Secret data keys. */
export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!configKeyRe.test(key)) errs.push(`a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`);
  if (key === '.') errs.push(`must not be '.'`);
  else if (key === '..') errs.push(`must not be '..'`);
  else if (key.startsWith('..')) errs.push(`must not start with '..'`);
  return errs;
}
