import { fieldPath } from './decode.js';
import type { SchemaIndex, SchemaObject } from './schemas.js';

/**
 * Paths of the keys a JSON text repeats within one object, worded as apimachinery's strict decoder
 * (sigs.k8s.io/json) reports them: `replicas`, `spec.template.metadata.labels.app`,
 * `spec.template.spec.containers[0].image`. JSON.parse silently keeps the last value, so only the text
 * can tell.
 *
 * With a schema the walk follows the typed decoder: it does not look inside fields the schema does
 * not know (they are reported as unknown instead) nor inside opaque objects (RawExtension keeps raw
 * bytes). Invalid JSON yields what was found before the error; the parser reports the error itself.
 *
 * Given `parsed`, what JSON.parse made of the same text, most bodies are cleared without the scan:
 * the parser keeps one value per key, so the text repeats a key exactly when it holds more keys than
 * the parsed value does, and counting is a fifth of the scan's cost.
 */
export function findDuplicateFields(jsonText: string, opts: { schema?: { index: SchemaIndex; name: string }; parsed?: unknown } = {}): string[] {
  if (opts.parsed !== undefined && keysInText(jsonText) === keysIn(opts.parsed)) return [];
  const { schema } = opts;
  const scanner = new Scanner(jsonText, schema?.index);
  try {
    scanner.skipSpace();
    scanner.value('', schema ? { wrapper: schema.index.get(schema.name) } : untyped);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
  }
  return scanner.duplicates;
}

/** Keys in a JSON text: string tokens followed by a colon. */
function keysInText(text: string): number {
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x22) continue;
    for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    let j = i + 1;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 0x3a) keys++;
  }
  return keys;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Keys in a parsed JSON value, at every depth. */
function keysIn(v: unknown): number {
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += keysIn(x);
    return n;
  }
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  for (const k in v) if (Object.hasOwn(v, k)) n += 1 + keysIn((v as Record<string, unknown>)[k]);
  return n;
}

/** Where the scan is in the schema: untyped checks every object, `skip` checks nothing below. */
type Cursor = { wrapper: SchemaObject | undefined } | 'untyped' | 'skip';
const untyped: Cursor = 'untyped';

class Scanner {
  pos = 0;
  readonly duplicates: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly index: SchemaIndex | undefined,
  ) {}

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  value(path: string, cursor: Cursor): void {
    const c = this.text[this.pos];
    if (c === '{') this.object(path, cursor);
    else if (c === '[') this.array(path, cursor);
    else if (c === '"') this.string();
    else this.literal();
  }

  private child(cursor: Cursor, pick: (s: SchemaObject) => SchemaObject | undefined | 'unknown'): Cursor {
    if (cursor === 'untyped' || cursor === 'skip' || !this.index) return cursor;
    const schema = this.index.resolve(cursor.wrapper);
    if (!schema) return 'untyped';
    const next = pick(schema);
    return next === 'unknown' ? 'skip' : { wrapper: next };
  }

  private object(path: string, cursor: Cursor): void {
    const schema = typeof cursor === 'object' ? this.index?.resolve(cursor.wrapper) : undefined;
    // Opaque objects (RawExtension) are stored as raw bytes by the typed decoder: nothing is checked inside.
    const opaque = typeof cursor === 'object' && !!schema && schema.type === 'object' && !schema.properties && typeof schema.additionalProperties !== 'object';
    const check = cursor !== 'skip' && !opaque;
    const keys = new Set<string>();
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      const next = check
        ? this.child(cursor, (s) => (s.properties ? (s.properties[key] ?? 'unknown') : typeof s.additionalProperties === 'object' ? s.additionalProperties : 'unknown'))
        : 'skip';
      if (check && next !== 'skip') {
        if (keys.has(key)) this.report(fieldPath.key(path, key));
        keys.add(key);
      }
      this.value(fieldPath.key(path, key), next);
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      return;
    }
  }

  private array(path: string, cursor: Cursor): void {
    const items = this.child(cursor, (s) => s.items ?? 'unknown');
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      this.skipSpace();
      this.value(fieldPath.index(path, i), items);
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      return;
    }
  }

  private report(path: string): void {
    if (this.seen.has(path)) return;
    this.seen.add(path);
    this.duplicates.push(path);
  }

  private string(): string {
    this.expect('"');
    const start = this.pos;
    let escaped = false;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++];
      if (c === '"') {
        const raw = this.text.slice(start, this.pos - 1);
        return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
      }
      if (c === '\\') {
        escaped = true;
        this.pos++;
      }
    }
    throw new SyntaxError('unterminated string');
  }

  private literal(): void {
    const start = this.pos;
    while (this.pos < this.text.length && !',}] \t\n\r'.includes(this.text[this.pos])) this.pos++;
    if (this.pos === start) throw new SyntaxError(`unexpected character at ${this.pos}`);
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) throw new SyntaxError(`expected ${c} at ${this.pos}`);
    this.pos++;
  }
}
