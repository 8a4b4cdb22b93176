/**
 * Streams of the simulated shell. Outputs never throw: a reader that went away (a closed pipe, a
 * kubectl client that left) turns writes into no-ops, as SIGPIPE would end the writer.
 */
import { closeSync, writeSync } from 'node:fs';
import { PassThrough, Writable, type Readable } from 'node:stream';

export interface Out {
  write(data: string | Uint8Array): void;
  /** No reader is left. */
  readonly broken: boolean;
}

export interface In {
  /** Everything up to end of input. */
  readAll(): Promise<Buffer>;
  /** The next line (without its newline), or undefined at end of input. */
  readLine(): Promise<string | undefined>;
}

export function writableOut(w: Writable, translateNewlines = false): Out {
  w.on('error', () => undefined);
  return {
    write(data) {
      if (w.destroyed || w.writableEnded) return;
      let bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
      if (translateNewlines) bytes = Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      w.write(bytes);
    },
    get broken() {
      return w.destroyed || w.writableEnded;
    },
  };
}

export class CollectOut implements Out {
  readonly chunks: Buffer[] = [];
  readonly broken = false;
  write(data: string | Uint8Array): void {
    this.chunks.push(Buffer.from(data));
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export const nullOut: Out = { write: () => undefined, broken: false };

/** A Node Writable that drops what it is given: stdout/stderr for a behaviour's hook nobody reads. */
export function discardWritable(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

/** Output to an open host file descriptor, closed by close(). */
export class FileOut implements Out {
  broken = false;
  constructor(private readonly fd: number) {}
  write(data: string | Uint8Array): void {
    if (this.broken) return;
    writeSync(this.fd, typeof data === 'string' ? Buffer.from(data) : data);
  }
  close(): void {
    if (this.broken) return;
    this.broken = true;
    closeSync(this.fd);
  }
}

export function bufferIn(data: string | Uint8Array = ''): In {
  let rest: Buffer | undefined = Buffer.from(data);
  return {
    async readAll() {
      const out = rest ?? Buffer.alloc(0);
      rest = undefined;
      return out;
    },
    async readLine() {
      if (!rest || rest.length === 0) return undefined;
      const nl = rest.indexOf(10);
      const line = (nl < 0 ? rest : rest.subarray(0, nl)).toString('utf8');
      rest = nl < 0 ? undefined : rest.subarray(nl + 1);
      return line;
    },
  };
}

export const emptyIn: In = bufferIn();

/** Input from a stream, read incrementally (lines as they arrive) or whole. */
export function streamIn(r: Readable): In {
  let buffered = Buffer.alloc(0);
  let ended = false;
  let waiter: (() => void) | undefined;
  const wake = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  r.on('data', (chunk: Buffer | string) => {
    buffered = Buffer.concat([buffered, Buffer.from(chunk)]);
    wake();
  });
  const finish = (): void => {
    ended = true;
    wake();
  };
  r.on('end', finish);
  r.on('close', finish);
  r.on('error', finish);
  const more = (): Promise<void> => new Promise((resolve) => (waiter = resolve));
  return {
    async readAll() {
      while (!ended) await more();
      const out = buffered;
      buffered = Buffer.alloc(0);
      return out;
    },
    async readLine() {
      for (;;) {
        const nl = buffered.indexOf(10);
        if (nl >= 0) {
          const line = buffered.subarray(0, nl).toString('utf8');
          buffered = buffered.subarray(nl + 1);
          return line;
        }
        if (ended) {
          if (!buffered.length) return undefined;
          const line = buffered.toString('utf8');
          buffered = Buffer.alloc(0);
          return line;
        }
        await more();
      }
    },
  };
}

/** A pipe between two commands of a pipeline. */
export function pipe(): { out: Out & { end(): void }; in: In } {
  const pt = new PassThrough();
  const input = streamIn(pt);
  let readerGone = false;
  return {
    out: {
      write(data) {
        if (!readerGone && !pt.writableEnded) pt.write(Buffer.from(data));
      },
      get broken() {
        return readerGone;
      },
      end() {
        if (!pt.writableEnded) pt.end();
      },
    },
    in: {
      readAll: () => input.readAll(),
      readLine: () => input.readLine(),
    },
  };
}
