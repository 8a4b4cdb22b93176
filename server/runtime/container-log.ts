/**
 * One container instance's stdout/stderr as the kubelet keeps it: timestamped lines, readable with the
 * options of `kubectl logs` (tail, since, timestamps, limitBytes, follow until the instance ends).
 */
import { Readable } from 'node:stream';
import type { LogOptions } from '../api/pod-streams.js';
import type { Clock } from '../meta/clock.js';
import type { ContainerLogWriter } from './behaviour.js';

export interface LogLine {
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Lines kept per instance; older ones are dropped, as log rotation would. */
const maxLines = 10_000;

/** RFC 3339 with nanoseconds, as CRI logs carry it (`kubectl logs --timestamps`). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

export class ContainerLog implements ContainerLogWriter {
  readonly lines: LogLine[] = [];
  private readonly partial = { stdout: '', stderr: '' };
  private readonly followers = new Set<(line: LogLine | undefined) => void>();
  private ended = false;

  constructor(private readonly clock: Clock) {}

  stdout(line: string): void {
    this.write('stdout', `${line}\n`);
  }

  stderr(line: string): void {
    this.write('stderr', `${line}\n`);
  }

  /** Raw output: complete lines are logged, a trailing partial line waits for its newline (or end()). */
  write(stream: 'stdout' | 'stderr', chunk: string): void {
    if (this.ended) return;
    const text = this.partial[stream] + chunk;
    const parts = text.split('\n');
    this.partial[stream] = parts.pop()!;
    for (const p of parts) this.push({ at: this.clock.now(), stream, text: p });
  }

  /** The instance is gone: flush partial lines and end every follower. */
  end(): void {
    if (this.ended) return;
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) this.write(s, '\n');
    this.ended = true;
    for (const f of this.followers) f(undefined);
    this.followers.clear();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Follows new lines; the listener gets undefined at the end. Returns the unsubscribe function. */
  follow(listener: (line: LogLine | undefined) => void): () => void {
    if (this.ended) {
      listener(undefined);
      return () => undefined;
    }
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  private push(line: LogLine): void {
    this.lines.push(line);
    if (this.lines.length > maxLines) this.lines.splice(0, this.lines.length - maxLines);
    for (const f of this.followers) f(line);
  }

  /** A byte stream of this log with kubectl's options applied. */
  read(opts: LogOptions): Readable {
    const since = opts.sinceTime ? Date.parse(opts.sinceTime) : opts.sinceSeconds !== undefined ? this.clock.now() - opts.sinceSeconds * 1000 : undefined;
    let selected = since === undefined ? this.lines : this.lines.filter((l) => l.at >= since);
    if (opts.tailLines !== undefined) selected = opts.tailLines === 0 ? [] : selected.slice(-opts.tailLines);
    const format = (l: LogLine): string => (opts.timestamps ? `${rfc3339Nano(l.at)} ${l.text}\n` : `${l.text}\n`);
    let budget = opts.limitBytes ?? Infinity;
    let unsubscribe: () => void = () => undefined;
    const out = new Readable({
      read() {},
      destroy(err, cb) {
        unsubscribe();
        cb(err);
      },
    });
    /** Pushes one formatted line within limitBytes; says whether the stream goes on. */
    const emit = (l: LogLine): boolean => {
      let bytes = Buffer.from(format(l));
      if (bytes.length > budget) bytes = bytes.subarray(0, budget);
      budget -= bytes.length;
      if (bytes.length) out.push(bytes);
      return budget > 0;
    };
    for (const l of selected) {
      if (!emit(l)) {
        out.push(null);
        return out;
      }
    }
    if (!opts.follow) {
      out.push(null);
      return out;
    }
    unsubscribe = this.follow((l) => {
      if (out.destroyed) return;
      if (!l || !emit(l)) {
        unsubscribe();
        out.push(null);
      }
    });
    return out;
  }
}
