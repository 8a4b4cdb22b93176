/**
 * DNS wire format for responses. dns-packet decodes queries (it follows compression pointers) but
 * writes every name in full, so responses are written here, with RFC 1035 §4.1.4 name compression:
 * owner names and the names inside CNAME, PTR, NS and SOA data point back at earlier copies (SRV
 * targets stay uncompressed, as RFC 2782 requires). Truncation (TC) happens here too.
 */
import type { Answer } from 'dns-packet';
import { isIPv4 } from 'node:net';
import { ipv6Bytes } from './ip.js';

export const flagQR = 0x8000;
export const flagAA = 0x0400;
export const flagTC = 0x0200;
export const flagRD = 0x0100;
export const flagRA = 0x0080;

export const rcodeNumbers = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type RcodeName = keyof typeof rcodeNumbers;

const typeNumbers: Partial<Record<Answer['type'], number>> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33,
};
const classIN = 1;
const typeOPT = 41;

export interface OptRecord {
  readonly udpPayloadSize: number;
  /** Upper 8 bits of the 12-bit rcode (1 = BADVERS). */
  readonly extendedRcode: number;
  readonly version: number;
  readonly flags: number;
}

export interface ResponseMessage {
  readonly id: number;
  /** Everything but QR, which is always set: opcode, AA, TC, RD, RA and the low 4 rcode bits. */
  readonly flags: number;
  /** The query's question section, echoed byte for byte (the question keeps its case and type). */
  readonly question?: RawQuestion;
  readonly answers: readonly Answer[];
  readonly authorities: readonly Answer[];
  readonly additionals: readonly Answer[];
  readonly opt?: OptRecord;
}

export interface RawQuestion {
  readonly bytes: Buffer;
  /** The question name's labels as sent, so later names can point at them. */
  readonly labels: readonly string[];
}

/**
 * Finds the single question of a query: its bytes and labels. Undefined when the section is not
 * well formed (no question, a pointer in it, a label over 63 bytes or a name running off the end).
 */
export function readQuestion(query: Buffer): RawQuestion | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  let nameLength = 1;
  for (;;) {
    if (offset >= query.length) return undefined;
    const len = query[offset]!;
    if (len === 0) break;
    if (len > 63) return undefined;
    nameLength += len + 1;
    if (nameLength > 255 || offset + 1 + len > query.length) return undefined;
    labels.push(query.toString('latin1', offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  const end = offset + 1 + 4;
  if (end > query.length) return undefined;
  return { bytes: query.subarray(12, end), labels };
}

export function encodeResponse(message: ResponseMessage): Buffer {
  const writer = new MessageWriter(upperBound(message));
  writer.u16(message.id);
  writer.u16(flagQR | (message.flags & 0x7fff));
  writer.u16(message.question ? 1 : 0);
  writer.u16(message.answers.length);
  writer.u16(message.authorities.length);
  writer.u16(message.additionals.length + (message.opt ? 1 : 0));
  if (message.question) writer.question(message.question);
  for (const rr of message.answers) writer.record(rr);
  for (const rr of message.authorities) writer.record(rr);
  for (const rr of message.additionals) writer.record(rr);
  if (message.opt) writer.opt(message.opt);
  return writer.done();
}

/**
 * Encodes within `limit` bytes. When the full answer does not fit, the reply carries TC and as
 * many whole answer records as fit, and drops authority and additional records (as miekg/dns's
 * Truncate does), so the client retries over TCP for the complete answer.
 */
export function encodeResponseWithin(message: ResponseMessage, limit: number): { bytes: Buffer; truncated: boolean } {
  const full = encodeResponse(message);
  if (full.length <= limit) return { bytes: full, truncated: false };
  const attempt = (count: number) =>
    encodeResponse({ ...message, flags: message.flags | flagTC, answers: message.answers.slice(0, count), authorities: [], additionals: [] });
  let low = 0;
  let high = message.answers.length;
  let best = attempt(0);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const candidate = attempt(mid);
    if (candidate.length <= limit) {
      best = candidate;
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return { bytes: best, truncated: true };
}

/** Worst-case size: every name written in full. */
function upperBound(message: ResponseMessage): number {
  let size = 12 + (message.question?.bytes.length ?? 0) + (message.opt ? 11 : 0);
  for (const list of [message.answers, message.authorities, message.additionals]) {
    for (const rr of list) size += nameBound(rr.name) + 10 + rdataBound(rr);
  }
  return size;
}

function nameBound(name: string): number {
  return Buffer.byteLength(name) + 2;
}

function rdataBound(rr: Answer): number {
  switch (rr.type) {
    case 'A':
      return 4;
    case 'AAAA':
      return 16;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return nameBound(rr.data);
    case 'SOA':
      return nameBound(rr.data.mname) + nameBound(rr.data.rname) + 20;
    case 'SRV':
      return 6 + nameBound(rr.data.target);
    case 'MX':
      return 2 + nameBound(rr.data.exchange);
    case 'TXT':
      return txtStrings(rr.data).reduce((n, s) => n + s.length + 1, 0);
    default:
      throw new Error(`cannot encode ${rr.type} records`);
  }
}

function txtStrings(data: string | Buffer | (string | Buffer)[]): Buffer[] {
  const parts = Array.isArray(data) ? data : [data];
  // a character-string holds at most 255 bytes: longer text is split across strings
  return parts.flatMap((part) => {
    const bytes = typeof part === 'string' ? Buffer.from(part) : part;
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255));
    return chunks.length ? chunks : [Buffer.alloc(0)];
  });
}

class MessageWriter {
  private readonly buf: Buffer;
  private offset = 0;
  /** Name suffix (as written, case kept) → offset of its first copy. */
  private readonly pointers = new Map<string, number>();

  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }

  done(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  u8(v: number): void {
    this.buf.writeUInt8(v, this.offset);
    this.offset += 1;
  }

  u16(v: number): void {
    this.buf.writeUInt16BE(v, this.offset);
    this.offset += 2;
  }

  u32(v: number): void {
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
  }

  question(q: RawQuestion): void {
    // only plain-ASCII names can be matched against later names reliably
    const ascii = q.labels.every((l) => /^[\x21-\x7e]*$/.test(l) && !l.includes('.'));
    let at = this.offset;
    for (let i = 0; i < q.labels.length; i++) {
      if (ascii) this.remember(q.labels.slice(i).join('.'), at);
      at += 1 + Buffer.byteLength(q.labels[i]!, 'latin1');
    }
    q.bytes.copy(this.buf, this.offset);
    this.offset += q.bytes.length;
  }

  name(name: string, compress = true): void {
    const labels = name === '' || name === '.' ? [] : name.replace(/\.$/, '').split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      const pointer = compress ? this.pointers.get(suffix) : undefined;
      if (pointer !== undefined) {
        this.u16(0xc000 | pointer);
        return;
      }
      this.remember(suffix, this.offset);
      const label = Buffer.from(labels[i]!);
      if (label.length === 0 || label.length > 63) throw new Error(`invalid label in ${name}`);
      this.u8(label.length);
      label.copy(this.buf, this.offset);
      this.offset += label.length;
    }
    this.u8(0);
  }

  record(rr: Answer): void {
    const type = typeNumbers[rr.type];
    if (type === undefined) throw new Error(`cannot encode ${rr.type} records`);
    this.name(rr.name);
    this.u16(type);
    this.u16(classIN);
    this.u32('ttl' in rr ? (rr.ttl ?? 0) : 0);
    const lengthAt = this.offset;
    this.u16(0);
    this.rdata(rr);
    this.buf.writeUInt16BE(this.offset - lengthAt - 2, lengthAt);
  }

  opt(opt: OptRecord): void {
    this.u8(0);
    this.u16(typeOPT);
    this.u16(opt.udpPayloadSize);
    this.u8(opt.extendedRcode);
    this.u8(opt.version);
    this.u16(opt.flags);
    this.u16(0);
  }

  private rdata(rr: Answer): void {
    switch (rr.type) {
      case 'A':
        if (!isIPv4(rr.data)) throw new Error(`not an IPv4 address: ${rr.data}`);
        for (const part of rr.data.split('.')) this.u8(Number(part));
        return;
      case 'AAAA':
        ipv6Bytes(rr.data).copy(this.buf, this.offset);
        this.offset += 16;
        return;
      case 'CNAME':
      case 'PTR':
      case 'NS':
        this.name(rr.data);
        return;
      case 'SOA':
        this.name(rr.data.mname);
        this.name(rr.data.rname);
        for (const v of [rr.data.serial, rr.data.refresh, rr.data.retry, rr.data.expire, rr.data.minimum]) this.u32(v ?? 0);
        return;
      case 'SRV':
        this.u16(rr.data.priority ?? 0);
        this.u16(rr.data.weight ?? 0);
        this.u16(rr.data.port);
        this.name(rr.data.target, false);
        return;
      case 'MX':
        this.u16(rr.data.preference ?? 0);
        this.name(rr.data.exchange);
        return;
      case 'TXT':
        for (const s of txtStrings(rr.data)) {
          this.u8(s.length);
          s.copy(this.buf, this.offset);
          this.offset += s.length;
        }
        return;
      default:
        throw new Error(`cannot encode ${rr.type} records`);
    }
  }

  private remember(suffix: string, offset: number): void {
    // pointers have 14 bits; later copies of a name are found by their first occurrence
    if (offset < 0x4000 && !this.pointers.has(suffix)) this.pointers.set(suffix, offset);
  }
}
