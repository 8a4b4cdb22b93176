import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest, fieldErrorString, type FieldError } from './errors.js';
import { labelValueErrors, qualifiedNameErrors } from './names.js';
import type { DeepReadonly } from './types.js';

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

/**
 * labels.Parse, token by token as apimachinery's lexer and parser read a selector, so a bad one is
 * refused with the same words: `unable to parse requirement: found 'b' expected: '('`.
 */
export function parseLabelSelector(input: string | undefined): Selector {
  if (!input) return everything;
  return new SelectorParser(lexSelector(input)).parse();
}

type Token = 'end' | 'id' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';

interface Lexeme {
  token: Token;
  literal: string;
}

const symbolTokens = new Set<string>(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);
const specialSymbols = new Set(['=', '!', '(', ')', ',', '>', '<']);
const whitespace = new Set([' ', '\t', '\r', '\n']);
const binaryOperators = 'in, notin, =, ==, !=, gt, lt';

function lexSelector(input: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  for (;;) {
    while (i < input.length && whitespace.has(input[i])) i++;
    if (i >= input.length) {
      out.push({ token: 'end', literal: '' });
      return out;
    }
    if (specialSymbols.has(input[i])) {
      // the longest run of symbols that is still a token: "!=" is one, "!(" is two
      let literal = input[i++];
      while (i < input.length && specialSymbols.has(input[i]) && symbolTokens.has(literal + input[i])) literal += input[i++];
      out.push({ token: literal as Token, literal });
    } else {
      const start = i;
      while (i < input.length && !whitespace.has(input[i]) && !specialSymbols.has(input[i])) i++;
      const literal = input.slice(start, i);
      out.push({ token: literal === 'in' || literal === 'notin' ? literal : 'id', literal });
    }
  }
}

class SelectorParser {
  private at = 0;

  constructor(private readonly lexemes: Lexeme[]) {}

  parse(): Selector {
    const out: Selector = [];
    for (;;) {
      const { token, literal } = this.peek();
      if (token === 'end') return out;
      if (token !== 'id' && token !== '!') throw badRequest(`found '${literal}', expected: !, identifier, or 'end of string'`);
      try {
        out.push(this.requirement());
      } catch (e) {
        throw badRequest(`unable to parse requirement: ${(e as Error).message}`);
      }
      const next = this.next();
      if (next.token === 'end') return out;
      if (next.token !== ',') throw badRequest(`found '${next.literal}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (after.token !== 'id' && after.token !== '!') throw badRequest(`found '${after.literal}', expected: identifier after ','`);
    }
  }

  /** In value position the keywords are plain identifiers (`a=in` selects the value "in"). */
  private peek(): Lexeme {
    const l = this.lexemes[this.at];
    return l.token === 'in' || l.token === 'notin' ? { token: 'id', literal: l.literal } : l;
  }

  private next(): Lexeme {
    const l = this.peek();
    this.at++;
    return l;
  }

  private requirement(): Requirement {
    let first = this.next();
    const negated = first.token === '!';
    if (negated) first = this.next();
    if (first.token !== 'id') throw new Error(`found '${first.literal}', expected: identifier`);
    const key = first.literal;
    const keyErrors = qualifiedNameErrors(key);
    if (keyErrors.length) throw new Error(fieldErrorString({ type: 'Invalid', field: '<nil>', value: key, detail: keyErrors.join('; ') }));
    const ahead = this.peek().token;
    if (negated) return newRequirement(key, 'DoesNotExist', []);
    if (ahead === 'end' || ahead === ',') return newRequirement(key, 'Exists', []);
    // operators are read as lexed: "in" and "notin" are keywords here
    const op = this.lexemes[this.at++];
    switch (op.token) {
      case 'in':
      case 'notin':
        return newRequirement(key, op.token === 'in' ? 'In' : 'NotIn', this.valueSet());
      case '=':
      case '==':
      case '!=':
        return newRequirement(key, op.token === '!=' ? 'NotIn' : 'In', this.exactValue(), true);
      case '>':
      case '<':
        return newRequirement(key, op.token === '>' ? 'Gt' : 'Lt', this.exactValue());
      default:
        throw new Error(`found '${op.literal}', expected: ${binaryOperators}`);
    }
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.token !== '(') throw new Error(`found '${open.literal}' expected: '('`);
    const first = this.peek();
    if (first.token === ')') {
      this.next();
      return [''];
    }
    if (first.token !== 'id' && first.token !== ',') throw new Error(`found '${first.literal}', expected: ',', ')' or identifier`);
    const values = this.identifierList();
    // kube names the first value here, not what it found
    if (this.next().token !== ')') throw new Error(`found '${first.literal}', expected: ')'`);
    return values;
  }

  private identifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const l = this.next();
      if (l.token === 'id') {
        values.add(l.literal);
        const after = this.peek();
        if (after.token === ')') return [...values];
        if (after.token !== ',') throw new Error(`found '${after.literal}', expected: ',' or ')'`);
      } else if (l.token === ',') {
        // "(,", ",)" and ",," each stand for an empty value
        if (values.size === 0) values.add('');
        const after = this.peek().token;
        if (after === ')') {
          values.add('');
          return [...values];
        }
        if (after === ',') {
          this.next();
          values.add('');
        }
      } else throw new Error(`found '${l.literal}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string[] {
    const ahead = this.peek().token;
    if (ahead === 'end' || ahead === ',') return [''];
    const l = this.next();
    if (l.token !== 'id') throw new Error(`found '${l.literal}', expected: identifier`);
    return [l.literal];
  }
}

/** strconv.ParseInt(v, 10, 64) succeeds. */
function isInt64(v: string): boolean {
  if (!/^[+-]?\d+$/.test(v)) return false;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** NewRequirement's checks on a parsed term; values as a sorted set, as sets.String lists them. */
function newRequirement(key: string, operator: Operator, raw: string[], exact = false): Requirement {
  const values = [...new Set(raw)].sort();
  const errors: FieldError[] = [];
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    errors.push({ type: 'Invalid', field: 'values', value: values, detail: "for 'in', 'notin' operators, values set can't be empty" });
  }
  if (exact && values.length !== 1) errors.push({ type: 'Invalid', field: 'values', value: values, detail: 'exact-match compatibility requires one single value' });
  if (operator === 'Gt' || operator === 'Lt') {
    values.forEach((v, i) => {
      if (!isInt64(v)) errors.push({ type: 'Invalid', field: `values[${i}]`, value: v, detail: "for 'Gt', 'Lt' operators, the value must be an integer" });
    });
  }
  values.forEach((v, i) => {
    const problems = labelValueErrors(v);
    if (problems.length) errors.push({ type: 'Invalid', field: `values[${i}][${key}]`, value: v, detail: problems.join('; ') });
  });
  if (errors.length) {
    const list = [...new Set(errors.map(fieldErrorString))];
    throw new Error(list.length === 1 ? list[0] : `[${list.join(', ')}]`);
  }
  return { key, operator, values };
}

/** Converts a metav1.LabelSelector; returns field errors (paths relative to `path`) rather than throwing. */
export function fromLabelSelector(sel: DeepReadonly<LabelSelector> | undefined, path = 'spec.selector'): { selector: Selector; errors: FieldError[] } {
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
    selector.push({ key: expr.key, operator: op, values: [...values] });
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

export function selectorMatchesLabels(sel: DeepReadonly<LabelSelector> | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  return labelSelectorMatcher(sel)(labels);
}

/** A selector converted once, for matching many label sets (an invalid one matches nothing). */
export function labelSelectorMatcher(sel: DeepReadonly<LabelSelector> | undefined): (labels: Readonly<Record<string, string>> | undefined) => boolean {
  const { selector, errors } = fromLabelSelector(sel);
  return errors.length ? () => false : (labels) => matches(selector, labels);
}

/** The exact-match labels a selector pins, useful as an index hint. */
export function equalityHints(selector: Selector): [string, string][] {
  return selector.filter((r) => r.operator === 'In' && r.values.length === 1).map((r) => [r.key, r.values[0]]);
}
