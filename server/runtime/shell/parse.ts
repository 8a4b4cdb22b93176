/**
 * The parser of the simulated POSIX shell: lists, and-or chains, pipelines, simple commands with
 * assignments and redirections, if/while/until/for, ( ) and { } groups. Words keep their quoting so that
 * expansion ($VAR, ${VAR:-x}, $(...), `...`, $((...))) and field splitting happen at run time.
 */

export type WordPart =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; op?: string; arg?: Word; quoted: boolean }
  | { kind: 'cmd'; script: string; quoted: boolean }
  | { kind: 'arith'; expr: string; quoted: boolean };
export type Word = WordPart[];

export interface Redirect {
  fd: number;
  op: '>' | '>>' | '<' | '>&' | '<&';
  target: Word;
}

export type Command =
  | { type: 'simple'; assigns: { name: string; value: Word }[]; words: Word[]; redirects: Redirect[] }
  | { type: 'if'; clauses: { cond: List; body: List }[]; elseBody?: List; redirects: Redirect[] }
  | { type: 'loop'; until: boolean; cond: List; body: List; redirects: Redirect[] }
  | { type: 'for'; name: string; items?: Word[]; body: List; redirects: Redirect[] }
  | { type: 'group'; subshell: boolean; body: List; redirects: Redirect[] };

export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
  background: boolean;
}

export type List = AndOr[];

export class SyntaxError extends Error {}

const metachars = new Set([' ', '\t', '\n', '|', '&', ';', '<', '>', '(', ')']);
const reserved = new Set(['if', 'then', 'elif', 'else', 'fi', 'while', 'until', 'do', 'done', 'for', 'in', '{', '}', '!']);

export function parseScript(src: string): List {
  const p = new Parser(src);
  const list = p.list([]);
  p.skipSpace(true);
  if (!p.atEnd()) throw new SyntaxError(`syntax error: unexpected "${p.peekToken()}"`);
  return list;
}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private ch(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  peekToken(): string {
    return this.src.slice(this.pos, this.pos + 10).split(/\s/)[0] || this.ch();
  }

  /** Blanks, line continuations and comments; newlines too when asked. */
  skipSpace(newlines = false): void {
    for (;;) {
      const c = this.ch();
      if (c === ' ' || c === '\t' || (newlines && c === '\n')) this.pos++;
      else if (c === '\\' && this.ch(1) === '\n') this.pos += 2;
      else if (c === '#') while (!this.atEnd() && this.ch() !== '\n') this.pos++;
      else return;
    }
  }

  /** The next bare word if it is a reserved word (only meaningful in command position). */
  private peekReserved(): string | undefined {
    this.skipSpace();
    let end = this.pos;
    while (end < this.src.length && !metachars.has(this.src[end])) end++;
    const w = this.src.slice(this.pos, end);
    return reserved.has(w) ? w : undefined;
  }

  private expectReserved(word: string): void {
    this.skipSeparators();
    if (this.peekReserved() !== word) throw new SyntaxError(`syntax error: expected "${word}"`);
    this.pos += word.length;
  }

  private skipSeparators(): void {
    for (;;) {
      this.skipSpace();
      if (this.ch() === '\n' || (this.ch() === ';' && this.ch(1) !== ';')) this.pos++;
      else return;
    }
  }

  list(terminators: string[]): List {
    const out: List = [];
    for (;;) {
      this.skipSeparators();
      if (this.atEnd() || this.ch() === ')') return out;
      const r = this.peekReserved();
      if (r && terminators.includes(r)) return out;
      const item = this.andOr();
      this.skipSpace();
      if (this.ch() === '&' && this.ch(1) !== '&') {
        item.background = true;
        this.pos++;
      }
      out.push(item);
      this.skipSpace();
      const c = this.ch();
      if (c === ';' || c === '\n' || c === '&') continue;
      if (this.atEnd() || c === ')') return out;
      const r2 = this.peekReserved();
      if (r2 && terminators.includes(r2)) return out;
      throw new SyntaxError(`syntax error: unexpected "${this.peekToken()}"`);
    }
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      this.skipSpace();
      const op = this.src.slice(this.pos, this.pos + 2);
      if (op !== '&&' && op !== '||') return { first, rest, background: false };
      this.pos += 2;
      this.skipSpace(true);
      rest.push({ op, pipeline: this.pipeline() });
    }
  }

  private pipeline(): Pipeline {
    let negate = false;
    if (this.peekReserved() === '!') {
      negate = true;
      this.pos++;
    }
    const commands = [this.command()];
    for (;;) {
      this.skipSpace();
      if (this.ch() !== '|' || this.ch(1) === '|') return { negate, commands };
      this.pos++;
      this.skipSpace(true);
      commands.push(this.command());
    }
  }

  private command(): Command {
    this.skipSpace();
    if (this.ch() === '(') {
      this.pos++;
      const body = this.list([]);
      this.skipSeparators();
      if (this.ch() !== ')') throw new SyntaxError('syntax error: missing ")"');
      this.pos++;
      return { type: 'group', subshell: true, body, redirects: this.redirects() };
    }
    switch (this.peekReserved()) {
      case '{': {
        this.pos++;
        const body = this.list(['}']);
        this.expectReserved('}');
        return { type: 'group', subshell: false, body, redirects: this.redirects() };
      }
      case 'if':
        return this.ifCommand();
      case 'while':
      case 'until': {
        const until = this.peekReserved() === 'until';
        this.pos += 5; // while / until
        const cond = this.list(['do']);
        this.expectReserved('do');
        const body = this.list(['done']);
        this.expectReserved('done');
        return { type: 'loop', until, cond, body, redirects: this.redirects() };
      }
      case 'for':
        return this.forCommand();
      case undefined:
        return this.simple();
      default:
        throw new SyntaxError(`syntax error: unexpected "${this.peekReserved()}"`);
    }
  }

  private ifCommand(): Command {
    this.pos += 2;
    const clauses: { cond: List; body: List }[] = [];
    let elseBody: List | undefined;
    for (;;) {
      const cond = this.list(['then']);
      this.expectReserved('then');
      const body = this.list(['elif', 'else', 'fi']);
      clauses.push({ cond, body });
      this.skipSeparators();
      const r = this.peekReserved();
      if (r === 'elif') {
        this.pos += 4;
        continue;
      }
      if (r === 'else') {
        this.pos += 4;
        elseBody = this.list(['fi']);
      }
      this.expectReserved('fi');
      return { type: 'if', clauses, elseBody, redirects: this.redirects() };
    }
  }

  private forCommand(): Command {
    this.pos += 3;
    this.skipSpace();
    const name = this.rawName();
    if (!name) throw new SyntaxError('syntax error: bad for loop variable');
    this.skipSpace();
    let items: Word[] | undefined;
    if (this.peekReserved() === 'in') {
      this.pos += 2;
      items = [];
      for (;;) {
        this.skipSpace();
        const c = this.ch();
        if (c === ';' || c === '\n' || this.atEnd()) break;
        items.push(this.word());
      }
    }
    this.expectReserved('do');
    const body = this.list(['done']);
    this.expectReserved('done');
    return { type: 'for', name, items, body, redirects: this.redirects() };
  }

  private rawName(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }

  private redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      this.skipSpace();
      const r = this.redirect();
      if (!r) return out;
      out.push(r);
    }
  }

  private redirect(): Redirect | undefined {
    const m = /^(\d?)(>>|>&|<&|>\||>|<)/.exec(this.src.slice(this.pos, this.pos + 4));
    if (!m) return undefined;
    this.pos += m[0].length;
    const op = (m[2] === '>|' ? '>' : m[2]) as Redirect['op'];
    const fd = m[1] ? Number(m[1]) : op.startsWith('<') ? 0 : 1;
    this.skipSpace();
    if (this.atEnd() || metachars.has(this.ch())) throw new SyntaxError('syntax error: missing redirection target');
    return { fd, op, target: this.word() };
  }

  private simple(): Command {
    const cmd: Extract<Command, { type: 'simple' }> = { type: 'simple', assigns: [], words: [], redirects: [] };
    for (;;) {
      this.skipSpace();
      const r = this.redirect();
      if (r) {
        cmd.redirects.push(r);
        continue;
      }
      const c = this.ch();
      if (this.atEnd() || metachars.has(c)) break;
      if (cmd.words.length === 0) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(this.src.slice(this.pos));
        if (m) {
          this.pos += m[0].length;
          const value = this.atEnd() || metachars.has(this.ch()) ? [] : this.word();
          cmd.assigns.push({ name: m[1], value });
          continue;
        }
      }
      cmd.words.push(this.word());
    }
    if (!cmd.words.length && !cmd.assigns.length && !cmd.redirects.length) throw new SyntaxError(`syntax error: unexpected "${this.peekToken() || 'end of file'}"`);
    return cmd;
  }

  word(): Word {
    const parts: Word = [];
    const lit = (text: string, quoted: boolean): void => {
      const last = parts[parts.length - 1];
      if (last?.kind === 'lit' && last.quoted === quoted) last.text += text;
      else parts.push({ kind: 'lit', text, quoted });
    };
    if (this.ch() === '~' && (this.ch(1) === '/' || this.ch(1) === '' || metachars.has(this.ch(1)))) {
      this.pos++;
      parts.push({ kind: 'var', name: 'HOME', quoted: true });
    }
    while (!this.atEnd() && !metachars.has(this.ch())) {
      const c = this.ch();
      if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new SyntaxError('syntax error: unterminated quoted string');
        lit(this.src.slice(this.pos + 1, end), true);
        this.pos = end + 1;
      } else if (c === '"') {
        this.pos++;
        this.doubleQuoted(parts, lit);
      } else if (c === '\\') {
        if (this.ch(1) === '\n') this.pos += 2;
        else {
          lit(this.ch(1), true);
          this.pos += 2;
        }
      } else if (c === '$' || c === '`') {
        const part = this.dollar(false);
        if (part) parts.push(part);
        else {
          lit('$', false);
          this.pos++;
        }
      } else {
        lit(c, false);
        this.pos++;
      }
    }
    return parts;
  }

  private doubleQuoted(parts: Word, lit: (t: string, q: boolean) => void): void {
    for (;;) {
      if (this.atEnd()) throw new SyntaxError('syntax error: unterminated quoted string');
      const c = this.ch();
      if (c === '"') {
        this.pos++;
        if (!parts.length) lit('', true);
        return;
      }
      if (c === '\\' && '$`"\\\n'.includes(this.ch(1))) {
        if (this.ch(1) !== '\n') lit(this.ch(1), true);
        this.pos += 2;
      } else if (c === '$' || c === '`') {
        const part = this.dollar(true);
        if (part) parts.push(part);
        else {
          lit('$', true);
          this.pos++;
        }
      } else {
        lit(c, true);
        this.pos++;
      }
    }
  }

  /** $NAME, ${...}, $(...), $((...)), `...`; undefined for a lone `$`. */
  private dollar(quoted: boolean): WordPart | undefined {
    if (this.ch() === '`') {
      const end = this.src.indexOf('`', this.pos + 1);
      if (end < 0) throw new SyntaxError('syntax error: unterminated `');
      const script = this.src.slice(this.pos + 1, end).replace(/\\([`$\\])/g, '$1');
      this.pos = end + 1;
      return { kind: 'cmd', script, quoted };
    }
    const next = this.ch(1);
    if (next === '(' && this.ch(2) === '(') {
      const end = this.matching(this.pos + 1, '(', ')');
      const expr = this.src.slice(this.pos + 3, end - 1);
      this.pos = end + 1;
      return { kind: 'arith', expr, quoted };
    }
    if (next === '(') {
      const end = this.matching(this.pos + 1, '(', ')');
      const script = this.src.slice(this.pos + 2, end);
      this.pos = end + 1;
      return { kind: 'cmd', script, quoted };
    }
    if (next === '{') {
      const end = this.matching(this.pos + 1, '{', '}');
      const body = this.src.slice(this.pos + 2, end);
      this.pos = end + 1;
      if (body.startsWith('#')) return { kind: 'var', name: body.slice(1), op: '#len', quoted };
      const m = /^([A-Za-z_][A-Za-z0-9_]*|\d+|[?#@*$!])(:?[-=+?]|##?|%%?)?([\s\S]*)$/.exec(body);
      if (!m) throw new SyntaxError(`\${${body}}: bad substitution`);
      const arg = m[2] ? new Parser(m[3]).wordUntilEnd() : undefined;
      return { kind: 'var', name: m[1], op: m[2], arg, quoted };
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#@*$!-])/.exec(this.src.slice(this.pos + 1));
    if (!m) return undefined;
    this.pos += 1 + m[0].length;
    return { kind: 'var', name: m[0], quoted };
  }

  /** A word made of the whole remaining text (the argument of ${VAR:-word}); blanks are literal. */
  wordUntilEnd(): Word {
    const parts: Word = [];
    while (!this.atEnd()) {
      const start = this.pos;
      const w = this.word();
      parts.push(...w);
      if (this.pos === start) {
        parts.push({ kind: 'lit', text: this.ch(), quoted: true });
        this.pos++;
      }
    }
    return parts;
  }

  /** Index of the bracket closing the one at `open`, skipping quotes and nested brackets. */
  private matching(open: number, o: string, c: string): number {
    let depth = 0;
    for (let i = open; i < this.src.length; i++) {
      const ch = this.src[i];
      if (ch === '\\') i++;
      else if (ch === "'") {
        const end = this.src.indexOf("'", i + 1);
        if (end < 0) break;
        i = end;
      } else if (ch === '"' && o !== '"') {
        let j = i + 1;
        while (j < this.src.length && this.src[j] !== '"') j += this.src[j] === '\\' ? 2 : 1;
        i = j;
      } else if (ch === o) depth++;
      else if (ch === c && --depth === 0) return i;
    }
    throw new SyntaxError(`syntax error: missing "${c}"`);
  }
}
