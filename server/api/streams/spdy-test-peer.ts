import { dataFrame, FLAG_FIN, FrameReader, HeaderCodec, pingFrame, rstStreamFrame, synStreamFrame, type Headers, type SpdyFrame } from './spdy-frames.js';

interface PeerStream {
  headers: Headers;
  replied: boolean;
  data: Buffer[];
  fin: boolean;
  reset?: number;
}

/** The client half of a SPDY connection for tests: opens streams like spdystream and records what comes back. */
export class SpdyTestPeer {
  private readonly codec = new HeaderCodec();
  private readonly reader = new FrameReader(this.codec);
  private nextId = 1;
  readonly streams = new Map<number, PeerStream>();
  readonly frames: SpdyFrame[] = [];
  private waiters: (() => void)[] = [];

  constructor(private readonly send: (chunk: Buffer) => void) {}

  receive(chunk: Buffer): void {
    for (const f of this.reader.push(chunk)) {
      this.frames.push(f);
      const s = 'streamId' in f ? this.streams.get(f.streamId) : undefined;
      if (s && f.type === 'synReply') s.replied = true;
      if (s && f.type === 'data') {
        s.data.push(f.data);
        if (f.flags & FLAG_FIN) s.fin = true;
      }
      if (s && f.type === 'rstStream') s.reset = f.status;
    }
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  open(headers: Headers, fin = false): number {
    const id = this.nextId;
    this.nextId += 2;
    this.streams.set(id, { headers, replied: false, data: [], fin: false });
    this.send(synStreamFrame(this.codec, id, headers, fin));
    return id;
  }

  write(id: number, data: Buffer | string, fin = false): void {
    this.send(dataFrame(id, Buffer.from(data), fin));
  }

  reset(id: number, status = 5): void {
    this.send(rstStreamFrame(id, status));
  }

  ping(id: number): void {
    this.send(pingFrame(id));
  }

  text(id: number): string {
    return Buffer.concat(this.streams.get(id)?.data ?? []).toString();
  }

  /** Resolves once check() holds, re-checking after every received chunk. */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const again = (): void => {
        if (check()) resolve();
        else this.waiters.push(again);
      };
      this.waiters.push(again);
    });
  }

  close(): void {
    this.codec.close();
  }
}
