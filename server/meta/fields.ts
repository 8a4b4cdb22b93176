import { badRequest } from './errors.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldSelector = FieldRequirement[];

/**
 * fields.ParseSelector: terms split on unescaped commas and sorted (so an error names the first bad
 * term in that order), each split at the first `!=`, `==` or `=`, the value unescaped. The field
 * name is taken as written, spaces included.
 */
export function parseFieldSelector(input: string | undefined): FieldSelector {
  if (!input) return [];
  const out: FieldSelector = [];
  for (const term of splitTerms(input).sort()) {
    if (!term) continue;
    const split = splitTerm(term);
    if (!split) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    out.push({ field: split.field, op: split.op === '!=' ? '!=' : '=', value: unescapeValue(split.value) });
  }
  return out;
}

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='];

function splitTerm(term: string): { field: string; op: string; value: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, value: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** Only \\, \, and \= are escapes; an unescaped , or = is refused, named by its code point as Go prints a rune. */
function unescapeValue(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const next = s[i + 1];
      if (next === undefined) throw badRequest('invalid field selector: invalid escape sequence: \\');
      if (next !== '\\' && next !== ',' && next !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${String.fromCodePoint(s.codePointAt(i + 1)!)}`);
      out += next;
      i++;
    } else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.charCodeAt(0)}`);
    else out += c;
  }
  return out;
}

/** The field labels a kind's registered conversion accepts, and how it refuses another. */
export interface FieldLabels {
  names: readonly string[];
  unsupported(label: string): string;
}

/** The wording of the conversion functions core/v1 registers (pods, services, nodes...). */
export const fieldLabelNotSupported = (label: string): string => `field label not supported: ${label}`;

/** Kinds with no conversion of their own take the metadata fields (DefaultMetaV1FieldSelectorConversion). */
const metadataLabels: FieldLabels = {
  names: ['metadata.name', 'metadata.namespace'],
  unsupported: (label) => `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

/** ConvertFieldLabel for every term: a label the kind does not know is a 400 in its conversion's words. */
export function checkFieldLabels(sel: FieldSelector, labels: FieldLabels = metadataLabels): void {
  for (const r of sel) if (!labels.names.includes(r.field)) throw badRequest(labels.unsupported(r.field));
}

export function fieldsMatch(sel: FieldSelector, fields: Readonly<Record<string, string>>): boolean {
  for (const r of sel) {
    const v = fields[r.field] ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
