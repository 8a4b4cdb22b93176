import { badRequest } from './errors.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldSelector = FieldRequirement[];

/** Splits on unescaped commas and undoes the \, \= \\ escapes of fields.ParseSelector. */
function splitEscaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[++i];
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

export function parseFieldSelector(input: string | undefined): FieldSelector {
  if (!input || !input.trim()) return [];
  return splitEscaped(input, ',').map((term) => {
    const m = term.match(/^((?:[^=!\\]|\\.)+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    return { field: unescape(m[1].trim()), op: m[2] === '!=' ? '!=' : '=', value: unescape(m[3]) };
  });
}

/** Checks that every field is one the kind can select on, with the wording kube-apiserver uses. */
export function checkSelectableFields(sel: FieldSelector, allowed: ReadonlySet<string>, kindDescription: string): void {
  for (const r of sel) {
    if (!allowed.has(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`, [{ reason: 'FieldValueInvalid', field: 'fieldSelector', message: `"${r.field}" is not a known field selector: only "${[...allowed].join('", "')}" are supported for ${kindDescription}` }]);
    }
  }
}

export function fieldsMatch(sel: FieldSelector, fields: Readonly<Record<string, string>>): boolean {
  for (const r of sel) {
    const v = fields[r.field] ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
