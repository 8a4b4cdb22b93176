import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../meta/types.js';
import { MemoryStorage } from './memory.js';
import type { ListResult, ObjectKey, Storage, StorageEvent, StorageWatch } from './storage.js';

type LogRecord =
  | { o: 'put'; k: [string, string, string]; v: KubeObject }
  | { o: 'del'; k: [string, string, string]; rv: number };

interface Snapshot {
  resourceVersion: number;
  objects: { k: [string, string, string]; v: KubeObject }[];
}

export interface DurableOptions {
  /** Compact once the log holds this many records beyond the live objects. */
  compactAfterRecords?: number;
  historySize?: number;
  maxObjects?: number;
}

function keyTuple(k: ObjectKey): [string, string, string] {
  return [k.prefix, k.namespace, k.name];
}

function keyOf(t: [string, string, string]): ObjectKey {
  return { prefix: t[0], namespace: t[1], name: t[2] };
}

/**
 * A write-ahead log in front of the in-memory store: every write is appended and fsynced before
 * its promise resolves (so before the API acknowledges it), and watch events are released only
 * then. Writes arriving together share one fsync (group commit). The log is folded into a
 * snapshot now and then so it does not grow without bound; a torn last record after a crash is
 * dropped, as it was never acknowledged.
 */
export class DurableStorage implements Storage {
  private pending: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private records = 0;

  private constructor(
    private readonly dir: string,
    private readonly mem: MemoryStorage,
    private log: FileHandle,
    private readonly compactAfter: number,
  ) {}

  static async open(dir: string, opts: DurableOptions = {}): Promise<DurableStorage> {
    await mkdir(dir, { recursive: true });
    const mem = new MemoryStorage(opts.historySize ?? 50_000, 1, { deferEvents: true, maxObjects: opts.maxObjects });
    const snapshotText = await readFile(join(dir, 'snapshot.json'), 'utf8').catch(() => undefined);
    if (snapshotText) {
      const snap = JSON.parse(snapshotText) as Snapshot;
      for (const o of snap.objects) mem.restore(keyOf(o.k), o.v);
      mem.setResourceVersionFloor(snap.resourceVersion);
    }
    const logPath = join(dir, 'wal.log');
    const goodBytes = await replayLog(logPath, mem);
    const log = await open(logPath, 'a+');
    await log.truncate(goodBytes);
    const storage = new DurableStorage(dir, mem, log, opts.compactAfterRecords ?? 20_000);
    return storage;
  }

  get(key: ObjectKey): Promise<KubeObject | undefined> {
    return this.mem.get(key);
  }

  list(prefix: string, namespace?: string): Promise<ListResult> {
    return this.mem.list(prefix, namespace);
  }

  listSync(prefix: string, namespace?: string): KubeObject[] {
    return this.mem.listSync(prefix, namespace);
  }

  async create(key: ObjectKey, obj: KubeObject): Promise<KubeObject> {
    const stored = await this.mem.create(key, obj);
    await this.append({ o: 'put', k: keyTuple(key), v: stored });
    return stored;
  }

  async update(key: ObjectKey, obj: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    const stored = await this.mem.update(key, obj, expectedResourceVersion);
    await this.append({ o: 'put', k: keyTuple(key), v: stored });
    return stored;
  }

  async delete(key: ObjectKey, expectedResourceVersion?: string): Promise<KubeObject> {
    const removed = await this.mem.delete(key, expectedResourceVersion);
    await this.append({ o: 'del', k: keyTuple(key), rv: Number(removed.metadata.resourceVersion) });
    return removed;
  }

  watch(prefix: string, namespace: string | undefined, from: number | undefined, sink: (e: StorageEvent) => void): StorageWatch {
    return this.mem.watch(prefix, namespace, from, sink);
  }

  currentResourceVersion(): number {
    return this.mem.currentResourceVersion();
  }

  oldestWatchableResourceVersion(): number {
    return this.mem.oldestWatchableResourceVersion();
  }

  async close(): Promise<void> {
    await this.flushing;
    if (this.pending.length) await this.flush();
    await this.log.close();
    await this.mem.close();
  }

  private append(rec: LogRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line: JSON.stringify(rec) + '\n', resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  /** One write and one fsync for everything queued meanwhile. */
  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length) await this.flush();
    } finally {
      this.flushing = undefined;
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    try {
      await this.log.write(batch.map((b) => b.line).join(''));
      await this.log.datasync();
      this.records += batch.length;
      this.mem.releaseEvents();
      for (const b of batch) b.resolve();
    } catch (e) {
      this.mem.releaseEvents();
      for (const b of batch) b.reject(e);
      return;
    }
    if (this.records > this.compactAfter) await this.compact();
  }

  /** Writes a snapshot of every live object, then starts an empty log. */
  private async compact(): Promise<void> {
    const objects: Snapshot['objects'] = [];
    for (const { key, obj } of this.mem.entries()) objects.push({ k: keyTuple(key), v: obj });
    const snap: Snapshot = { resourceVersion: this.mem.currentResourceVersion(), objects };
    const tmp = join(this.dir, 'snapshot.json.tmp');
    const fh = await open(tmp, 'w');
    await fh.writeFile(JSON.stringify(snap));
    await fh.sync();
    await fh.close();
    await rename(tmp, join(this.dir, 'snapshot.json'));
    const dirHandle = await open(this.dir, 'r');
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
    await this.log.truncate(0);
    await this.log.sync();
    this.records = 0;
  }
}

/** Applies the log to the store; returns the length of the prefix that parsed (a torn tail is cut). */
async function replayLog(path: string, mem: MemoryStorage): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  let offset = 0;
  for (;;) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break;
    let rec: LogRecord;
    try {
      rec = JSON.parse(text.slice(offset, nl)) as LogRecord;
    } catch {
      break;
    }
    if (rec.o === 'put') mem.restore(keyOf(rec.k), rec.v);
    else {
      mem.removeRestored(keyOf(rec.k));
      mem.setResourceVersionFloor(rec.rv);
    }
    offset = nl + 1;
  }
  return Buffer.byteLength(text.slice(0, offset), 'utf8');
}
