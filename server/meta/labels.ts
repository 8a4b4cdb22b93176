import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest, type FieldError } from './errors.js';

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** A parsed label selector: all requirements must hold (AND). An empty list matches everything. */
export type Selector = Requirement[];

export const everything: Selector = [];

export function matches(selector: Selector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = has ? l[r.key] : undefined;
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      case 'Gt':
      case 'Lt': {
        if (!has) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (!Number.isInteger(n)) return false;
        if (r.operator === 'Gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

const keyRe = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): void {
  if (!keyRe.test(key) || key.split('/').pop()!.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

function checkValue(value: string): void {
  if (value.length > 63 || !valueRe.test(value)) {
    throw badRequest(`unable to parse requirement: values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

/** Parses the string form used in ?labelSelector= (labels.Parse in apimachinery). */
export function parseLabelSelector(input: string | undefined): Selector {
  if (!input || !input.trim()) return everything;
  const out: Selector = [];
  for (const raw of splitTopLevel(input)) {
    const term = raw.trim();
    if (!term) throw badRequest(`unable to parse requirement: found '', expected: identifier`);
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^(\S+?)\s+(in|notin)\s*\((.*)\)$/))) {
      checkKey(m[1]);
      const values = m[3].split(',').map((v) => v.trim());
      values.forEach(checkValue);
      out.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values: values.filter((v, i) => values.indexOf(v) === i) });
    } else if ((m = term.match(/^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/))) {
      const [, key, op, value] = m;
      checkKey(key);
      if (op === '>' || op === '<') {
        if (!/^-?\d+$/.test(value)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        out.push({ key, operator: op === '>' ? 'Gt' : 'Lt', values: [value] });
      } else {
        checkValue(value);
        out.push({ key, operator: op === '!=' ? 'NotIn' : 'In', values: [value] });
      }
    } else if ((m = term.match(/^!\s*(\S+)$/))) {
      checkKey(m[1]);
      out.push({ key: m[1], operator: 'DoesNotExist', values: [] });
    } else if (/^\S+$/.test(term)) {
      checkKey(term);
      out.push({ key: term, operator: 'Exists', values: [] });
    } else {
      throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }
  return out;
}

/** Converts a metav1.LabelSelector; returns field errors (paths relative to `path`) rather than throwing. */
export function fromLabelSelector(sel: LabelSelector | undefined, path = 'spec.selector'): { selector: Selector; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const selector: Selector = [];
  if (!sel) return { selector: [{ key: '', operator: 'In', values: [] }], errors }; // nil selector matches nothing
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    selector.push({ key, operator: 'In', values: [String(value)] });
  }
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const op = expr.operator as Operator;
    const values = expr.values ?? [];
    const at = `${path}.matchExpressions[${i}]`;
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errors.push({ type: 'Required', field: `${at}.values`, detail: 'must be specified when `operator` is \'In\' or \'NotIn\'' });
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errors.push({ type: 'Forbidden', field: `${at}.values`, detail: 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'' });
    } else {
      errors.push({ type: 'Invalid', field: `${at}.operator`, value: expr.operator, detail: 'not a valid selector operator' });
      return;
    }
    selector.push({ key: expr.key, operator: op, values });
  });
  return { selector, errors };
}

/** The canonical string form (metav1.FormatLabelSelector), used in Scale.status.selector. */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, operator: 'In', values: [String(v)] });
  for (const e of sel.matchExpressions ?? []) reqs.push({ key: e.key, operator: e.operator as Operator, values: [...(e.values ?? [])].sort() });
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of reqs) {
    switch (r.operator) {
      case 'In':
        parts.push(r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`);
        break;
      case 'NotIn':
        parts.push(r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`);
        break;
      case 'Exists':
        parts.push(r.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${r.key}`);
        break;
      case 'Gt':
        parts.push(`${r.key}>${r.values[0]}`);
        break;
      case 'Lt':
        parts.push(`${r.key}<${r.values[0]}`);
        break;
    }
  }
  return parts.length ? parts.join(',') : '<none>';
}

export function selectorMatchesLabels(sel: LabelSelector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  const { selector, errors } = fromLabelSelector(sel);
  return errors.length === 0 && matches(selector, labels);
}

/** The exact-match labels a selector pins, useful as an index hint. */
export function equalityHints(selector: Selector): [string, string][] {
  return selector.filter((r) => r.operator === 'In' && r.values.length === 1).map((r) => [r.key, r.values[0]]);
}
