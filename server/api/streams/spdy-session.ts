import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  dataFrame, FLAG_FIN, FrameReader, goAwayFrame, HeaderCodec, pingFrame, RstStatus, rstStreamFrame, synReplyFrame,
  type Headers, type SpdyFrame,
} from './spdy-frames.js';

/** Bytes in and out of a SPDY connection: a raw upgraded socket, or a WebSocket tunnel. */
export interface SpdyTransport {
  write(chunk: Buffer): void;
  /** Ends the underlying connection (after queued writes). */
  end(): void;
}

/** spdystream ignores flow control, so DATA frames are only split to keep single frames modest. */
const MAX_DATA_FRAME = 32 * 1024;

/**
 * One peer-initiated SPDY stream as a Duplex: readable side = the peer's DATA (ends on its FIN),
 * writable side = our DATA (end() sends FIN). reset() sends RST_STREAM.
 */
export class SpdyStream extends Duplex {
  /** The peer half-closed or reset the stream. */
  remoteClosed = false;
  localClosed = false;
  wasReset = false;

  constructor(readonly id: number, readonly headers: Headers, private readonly session: SpdySession) {
    super({ allowHalfOpen: true });
  }

  override _read(): void {
    // Data is pushed as frames arrive; spdystream has no flow control for us to honour.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.wasReset || this.session.closed) return cb();
    for (let off = 0; off < chunk.length; off += MAX_DATA_FRAME) {
      this.session.send(dataFrame(this.id, chunk.subarray(off, off + MAX_DATA_FRAME)));
    }
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.finishLocal();
    cb();
  }

  /** Sends FIN unless the stream is already closed on our side. */
  finishLocal(): void {
    if (this.localClosed || this.wasReset) return;
    this.localClosed = true;
    if (!this.session.closed) this.session.send(dataFrame(this.id, Buffer.alloc(0), true));
    this.session.maybeForget(this);
  }

  /** end() that is safe on a stream the peer already reset or the connection lost. */
  finish(last?: Buffer | string): void {
    if (this.destroyed || this.wasReset || this.writableEnded) return;
    if (last !== undefined && last.length > 0) this.end(last);
    else this.end();
  }

  reset(status: number = RstStatus.Cancel): void {
    if (this.wasReset) return;
    this.wasReset = true;
    if (!this.session.closed) this.session.send(rstStreamFrame(this.id, status));
    this.onRemoteReset();
  }

  /** @internal */
  onData(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length) this.push(data);
    if (fin) {
      this.remoteClosed = true;
      this.push(null);
      this.session.maybeForget(this);
    }
  }

  /** @internal */
  onRemoteReset(): void {
    this.wasReset = true;
    this.localClosed = true;
    if (!this.remoteClosed) {
      this.remoteClosed = true;
      this.push(null);
    }
    this.session.forget(this);
    this.emit('reset');
    this.destroy();
  }
}

export interface SpdySessionEvents {
  stream: [SpdyStream];
  close: [];
  error: [Error];
}

/**
 * The server side of a SPDY/3.1 connection. Every SYN_STREAM from the peer is answered with SYN_REPLY
 * (spdystream blocks CreateStream until it arrives) and announced as a 'stream' event.
 */
export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly codec = new HeaderCodec();
  private readonly reader = new FrameReader(this.codec);
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  closed = false;

  constructor(private readonly transport: SpdyTransport) {
    super();
  }

  /** Feeds bytes from the transport. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: SpdyFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
      this.close();
      return;
    }
    for (const f of frames) this.handle(f);
  }

  /** @internal */
  send(frame: Buffer): void {
    if (!this.closed) this.transport.write(frame);
  }

  private handle(f: SpdyFrame): void {
    switch (f.type) {
      case 'synStream': {
        if (this.streams.has(f.streamId) || f.streamId <= this.lastStreamId) {
          this.send(rstStreamFrame(f.streamId, RstStatus.ProtocolError));
          return;
        }
        this.lastStreamId = f.streamId;
        const stream = new SpdyStream(f.streamId, f.headers, this);
        this.streams.set(f.streamId, stream);
        this.send(synReplyFrame(this.codec, f.streamId));
        if (f.flags & FLAG_FIN) stream.onData(Buffer.alloc(0), true);
        this.emit('stream', stream);
        return;
      }
      case 'data': {
        const stream = this.streams.get(f.streamId);
        if (!stream) return;
        stream.onData(f.data, (f.flags & FLAG_FIN) !== 0);
        return;
      }
      case 'rstStream':
        this.streams.get(f.streamId)?.onRemoteReset();
        return;
      case 'ping':
        // We never ping, so every PING is the peer's own and is echoed.
        this.send(pingFrame(f.id));
        return;
      case 'goAway':
        this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, HEADERS and SYN_REPLY need no answer here.
        return;
    }
  }

  /** @internal */
  maybeForget(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) this.streams.delete(stream.id);
  }

  /** @internal */
  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Says GOAWAY, ends the transport and tears down every stream. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.transport.write(goAwayFrame(this.lastStreamId));
    this.closed = true;
    this.transport.end();
    this.teardown();
  }

  /** The transport went away underneath us. */
  transportClosed(): void {
    if (this.closed && this.streams.size === 0) return;
    this.closed = true;
    this.teardown();
  }

  private teardown(): void {
    for (const s of [...this.streams.values()]) s.onRemoteReset();
    this.streams.clear();
    this.codec.close();
    this.emit('close');
  }
}
