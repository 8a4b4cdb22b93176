import { constants as zc, inflateSync } from 'node:zlib';

/**
 * SPDY/3.1 framing: just enough of the protocol for kubectl's exec and port-forward (moby/spdystream is the peer).
 * Frame layouts follow the SPDY/3 draft; header blocks are zlib-compressed with the spec's dictionary, with one
 * compression context per direction for the whole connection.
 */

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes (SPDY/3 §2.6.3). */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
  StreamAlreadyClosed: 9,
} as const;

export type Headers = Record<string, string>;

export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'synStream'; streamId: number; associatedId: number; flags: number; headers: Headers }
  | { type: 'synReply'; streamId: number; flags: number; headers: Headers }
  | { type: 'headers'; streamId: number; flags: number; headers: Headers }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'settings' }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastGoodStreamId: number; status: number }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

/** The SPDY/3 header dictionary: length-prefixed words, then a raw tail (1423 bytes in all). */
const dictionaryWords = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
  'keep-alive', 'origin',
];
const dictionaryTail =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const headerDictionary: Buffer = Buffer.concat([
  ...dictionaryWords.flatMap((w) => [u32(w.length), Buffer.from(w, 'latin1')]),
  Buffer.from(dictionaryTail, 'latin1'),
]);

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/**
 * Compression state of one connection: the peer's header blocks in, ours out. Both directions are one zlib stream
 * each for the whole connection, and node:zlib has no synchronous streaming API, so:
 * - inbound: the compressed history is kept and re-inflated up to the newest block (header blocks are a few dozen
 *   bytes, so this stays cheap); frames are then handled strictly in order without awaiting anything.
 * - outbound: our blocks are zlib "stored" (uncompressed) deflate blocks, which any inflater accepts as a
 *   continuation of the same stream; the preset dictionary is announced in the zlib header as SPDY requires.
 */
export class HeaderCodec {
  private inHistory: Buffer = Buffer.alloc(0);
  private inflatedLength = 0;
  private startedOut = false;

  decode(block: Buffer): Headers {
    if (block.length === 0) return {};
    this.inHistory = Buffer.concat([this.inHistory, block]);
    let all: Buffer;
    try {
      all = inflateSync(this.inHistory, { dictionary: headerDictionary, finishFlush: zc.Z_SYNC_FLUSH });
    } catch (err) {
      throw new SpdyProtocolError(`header block does not decompress: ${(err as Error).message}`);
    }
    const raw = all.subarray(this.inflatedLength);
    this.inflatedLength = all.length;
    return parseHeaderBlock(raw);
  }

  encode(headers: Headers): Buffer {
    const raw = serializeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.startedOut) {
      this.startedOut = true;
      const head = Buffer.alloc(6);
      head[0] = 0x78; // deflate, 32 KiB window
      head[1] = 0xbb; // preset dictionary flag, default level, header check bits
      head.writeUInt32BE(dictionaryId, 2);
      parts.push(head);
    }
    for (let off = 0; off < raw.length; off += 0xffff) parts.push(storedBlock(raw.subarray(off, off + 0xffff)));
    // The empty stored block is zlib's sync-flush marker: an inflater hands out everything so far when it sees it
    // (Go's flate would otherwise read on past the frame looking for the next block and fail the connection).
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }

  close(): void {
    this.inHistory = Buffer.alloc(0);
  }
}

/** A non-final stored deflate block; our blocks always start on a byte boundary. */
function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0x00;
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/** Adler-32 (RFC 1950) of the dictionary: the DICTID field of the zlib header. */
export function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

const dictionaryId = adler32(headerDictionary);

/** Names are lower-cased (SPDY requires it); repeated values arrive NUL-joined and are kept as "a,b". */
export function parseHeaderBlock(raw: Buffer): Headers {
  const out: Headers = {};
  if (raw.length < 4) return out;
  const count = raw.readUInt32BE(0);
  let off = 4;
  const take = (): string => {
    if (off + 4 > raw.length) throw new SpdyProtocolError('truncated header block');
    const len = raw.readUInt32BE(off);
    off += 4;
    if (off + len > raw.length) throw new SpdyProtocolError('truncated header block');
    const s = raw.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = take().toLowerCase();
    out[name] = take().split('\0').join(',');
  }
  return out;
}

export function serializeHeaderBlock(headers: Headers): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [k, v] of entries) {
    const name = Buffer.from(k.toLowerCase());
    const value = Buffer.from(v);
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

export class SpdyProtocolError extends Error {}

const VERSION = 3;

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, data: Buffer, fin = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24 | data.length) >>> 0, 4);
  return Buffer.concat([head, data]);
}

export function synReplyFrame(codec: HeaderCodec, streamId: number, headers: Headers = {}, fin = false): Buffer {
  return controlFrame(FrameType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId & 0x7fffffff), codec.encode(headers)]));
}

/** Server-initiated streams; kubectl never expects them, but tests use this to play the client. */
export function synStreamFrame(codec: HeaderCodec, streamId: number, headers: Headers, fin = false): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  return controlFrame(FrameType.SynStream, fin ? FLAG_FIN : 0, Buffer.concat([fixed, codec.encode(headers)]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RstStream, 0, p);
}

export function pingFrame(id: number): Buffer {
  return controlFrame(FrameType.Ping, 0, u32(id));
}

export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GoAway, 0, p);
}

/** Splits a byte stream into frames; header blocks go through the connection's codec in arrival order. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly codec: HeaderCodec) {}

  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + length) break;
      const frame = this.buf.subarray(0, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      frames.push(this.decode(frame));
    }
    return frames;
  }

  private decode(frame: Buffer): SpdyFrame {
    const flags = frame[4];
    const payload = frame.subarray(8);
    if ((frame[0] & 0x80) === 0) {
      return { type: 'data', streamId: frame.readUInt32BE(0) & 0x7fffffff, flags, data: Buffer.from(payload) };
    }
    const version = frame.readUInt16BE(0) & 0x7fff;
    if (version !== VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    const type = frame.readUInt16BE(2);
    const id = (): number => payload.readUInt32BE(0) & 0x7fffffff;
    const need = (n: number): void => {
      if (payload.length < n) throw new SpdyProtocolError(`short frame of type ${type}`);
    };
    switch (type) {
      case FrameType.SynStream:
        need(10);
        return { type: 'synStream', streamId: id(), associatedId: payload.readUInt32BE(4) & 0x7fffffff, flags, headers: this.codec.decode(payload.subarray(10)) };
      case FrameType.SynReply:
        need(4);
        return { type: 'synReply', streamId: id(), flags, headers: this.codec.decode(payload.subarray(4)) };
      case FrameType.Headers:
        need(4);
        return { type: 'headers', streamId: id(), flags, headers: this.codec.decode(payload.subarray(4)) };
      case FrameType.RstStream:
        need(8);
        return { type: 'rstStream', streamId: id(), status: payload.readUInt32BE(4) };
      case FrameType.Settings:
        return { type: 'settings' };
      case FrameType.Ping:
        need(4);
        return { type: 'ping', id: payload.readUInt32BE(0) };
      case FrameType.GoAway:
        need(8);
        return { type: 'goAway', lastGoodStreamId: id(), status: payload.readUInt32BE(4) };
      case FrameType.WindowUpdate:
        need(8);
        return { type: 'windowUpdate', streamId: id(), delta: payload.readUInt32BE(4) & 0x7fffffff };
      default:
        return { type: 'unknown', frameType: type };
    }
  }
}
