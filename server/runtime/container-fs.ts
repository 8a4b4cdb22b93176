/**
 * A container's filesystem: container paths map onto real host directories. Volume mounts are the
 * volumes' own directories (so two containers of a pod, or a pod and its successor on the same PVC, see
 * the same files); everything else lives in the container's private root directory. Symbolic links hold
 * container paths and are followed inside the container's view, never on the host.
 */
import { promises as fsp } from 'node:fs';
import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { ContainerFiles } from './behaviour.js';

export interface FsMount {
  /** Absolute container path. */
  mountPath: string;
  hostPath: string;
  readOnly: boolean;
  /** The host directory is created with the file system (a subPath of a writable volume). */
  createHostPath?: boolean;
}

export interface ResolvedPath {
  hostPath: string;
  readOnly: boolean;
  /** The container path after following links. */
  path: string;
}

/** An errno-style failure with a container path, for shell messages (`can't create /x: Read-only file system`). */
export class FsError extends Error {
  constructor(readonly code: string, readonly path: string) {
    super(`${path}: ${describeErrno(code)}`);
  }
}

const errnoText: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EROFS: 'Read-only file system',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ELOOP: 'Symbolic link loop',
  EINVAL: 'Invalid argument',
  EXDEV: 'Invalid cross-device link',
};

export function describeErrno(code: string): string {
  return errnoText[code] ?? code;
}

/** The errno of a node:fs or FsError failure. */
export function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'EIO';
}

const maxLinks = 40;

export class ContainerFs implements ContainerFiles {
  private readonly mounts: FsMount[];

  // Image files written before the file system is first used wait here, in order.
  private readonly queued: (() => Promise<void>)[] = [];
  private ready: Promise<void> | undefined;

  private constructor(readonly rootDir: string, mounts: FsMount[], private readonly prepareVolumes: () => Promise<void>, private readonly diskWork: Set<Promise<unknown>>) {
    // longest mount path first, so /var/log/app wins over /var/log
    this.mounts = mounts.map((m) => ({ ...m, mountPath: posix.normalize(m.mountPath) })).sort((a, b) => b.mountPath.length - a.mountPath.length);
  }

  /**
   * A container's file system that touches the disk only when first used (materialise()): starting a
   * container writes nothing, so a thousand pods nobody looks into cost no file system work.
   */
  static lazy(rootDir: string, mounts: FsMount[], prepareVolumes: () => Promise<void>, diskWork: Set<Promise<unknown>>): ContainerFs {
    return new ContainerFs(rootDir, mounts, prepareVolumes, diskWork);
  }

  /** Disk work in flight is kept in diskWork, so the runtime can wait for it before its directory goes. */
  private tracked<T>(work: Promise<T>): Promise<T> {
    this.diskWork.add(work);
    const done = (): void => void this.diskWork.delete(work);
    work.then(done, done);
    return work;
  }

  /** Creates the volumes, the root, the mount points and the queued image files, once. Every use awaits it. */
  materialise(): Promise<void> {
    this.ready ??= this.tracked((async () => {
      await this.prepareVolumes();
      await fsp.mkdir(this.rootDir, { recursive: true });
      for (const m of this.mounts) {
        if (m.createHostPath) await fsp.mkdir(m.hostPath, { recursive: true });
        await fsp.mkdir(join(this.rootDir, m.mountPath), { recursive: true });
      }
      for (const write of this.queued.splice(0)) await write();
    })());
    return this.ready;
  }

  /** Image setup: queued until first use, done at once after it. */
  private async imageWrite(write: () => Promise<void>): Promise<void> {
    if (!this.ready) return void this.queued.push(write);
    await this.ready;
    await this.tracked(write());
  }

  /** Where a normalised container path lives on the host, without following links. */
  private place(path: string): { hostPath: string; readOnly: boolean } {
    for (const m of this.mounts) {
      if (path === m.mountPath) return { hostPath: m.hostPath, readOnly: m.readOnly };
      if (path.startsWith(m.mountPath === '/' ? '/' : `${m.mountPath}/`)) {
        return { hostPath: join(m.hostPath, path.slice(m.mountPath.length)), readOnly: m.readOnly };
      }
    }
    return { hostPath: join(this.rootDir, path), readOnly: false };
  }

  /**
   * Resolves a container path (relative ones against cwd), following symbolic links in every component,
   * and in the last one too unless noFollow.
   */
  resolvePath(path: string, cwd = '/', noFollow = false): ResolvedPath {
    let pending = posix.resolve(cwd, path).split('/').filter(Boolean);
    let done = '/';
    let links = 0;
    while (pending.length) {
      const name = pending.shift()!;
      const next = posix.join(done, name);
      if (noFollow && pending.length === 0) {
        done = next;
        break;
      }
      const { hostPath } = this.place(next);
      let target: string | undefined;
      try {
        if (lstatSync(hostPath).isSymbolicLink()) target = readlinkSync(hostPath);
      } catch {
        // a missing component: the caller's operation reports ENOENT itself
      }
      if (target === undefined) {
        done = next;
        continue;
      }
      if (++links > maxLinks) throw new FsError('ELOOP', path);
      const absolute = posix.resolve(done, target);
      pending = [...absolute.split('/').filter(Boolean), ...pending];
      done = '/';
    }
    return { ...this.place(done), path: done };
  }

  resolve(path: string): { hostPath: string; readOnly: boolean } {
    const r = this.resolvePath(path);
    return { hostPath: r.hostPath, readOnly: r.readOnly };
  }

  /** Resolves for a change; a read-only mount refuses with EROFS. */
  writable(path: string, cwd = '/', noFollow = false): ResolvedPath {
    const r = this.resolvePath(path, cwd, noFollow);
    if (r.readOnly) throw new FsError('EROFS', posix.resolve(cwd, path));
    return r;
  }

  async readFile(path: string): Promise<Buffer> {
    await this.materialise();
    return fsp.readFile(this.resolvePath(path).hostPath);
  }

  async readFileIfExists(path: string): Promise<Buffer | undefined> {
    try {
      return await this.readFile(path);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    await this.materialise();
    await fsp.writeFile(this.writable(path).hostPath, data);
  }

  async appendFile(path: string, data: string | Uint8Array): Promise<void> {
    await this.materialise();
    await fsp.appendFile(this.writable(path).hostPath, data);
  }

  /** A directory of the image itself (beneath any mounts). */
  mkdirImage(path: string): Promise<void> {
    return this.imageWrite(async () => void (await fsp.mkdir(join(this.rootDir, posix.resolve('/', path)), { recursive: true })));
  }

  writeImageFile(path: string, data: string | Uint8Array): Promise<void> {
    const host = join(this.rootDir, posix.resolve('/', path));
    return this.imageWrite(async () => {
      await fsp.mkdir(dirname(host), { recursive: true });
      await fsp.writeFile(host, data);
    });
  }
}
