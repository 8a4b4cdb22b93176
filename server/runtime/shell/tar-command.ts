/**
 * `tar` for the simulated shell, busybox 1.28 flavoured: create (c), extract (x) and list (t) over the
 * container's filesystem, archive on stdin/stdout or a file, -C, -z (node:zlib), -m, -v, -O, -h, -T, -X,
 * --exclude, --strip-components. `kubectl cp` depends on it: copying in runs `tar -xmf - -C DIR` with the
 * archive on stdin, copying out runs `tar cf - PATH` and reads stdout.
 *
 * Every path goes through ContainerFs, never through host symlinks: archived links keep container paths,
 * extraction resolves each member in the container's view, so nothing lands outside the container's
 * directories, and read-only mounts refuse with EROFS.
 */
import {
  chmodSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync,
  type Stats,
} from 'node:fs';
import { posix } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Header } from 'tar-stream';

/** A header as written: only the name is required. */
type Headers = Partial<Header> & Pick<Header, 'name'>;

/** tar-stream loads when a container first runs tar (kubectl cp), not at start-up. */
type TarStream = typeof import('tar-stream');
const tarStream = async (): Promise<TarStream> => {
  // a CommonJS module: Node gives named exports, a bundler may give only the default one
  const m = (await import('tar-stream')) as TarStream & { default?: TarStream };
  return typeof m.extract === 'function' ? m : m.default!;
};
import { describeErrno, errnoOf } from '../container-fs.js';
import { globRegExp, type CommandContext, type ShellCommand } from './shell.js';

const usage =
  'BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\n' +
  'Usage: tar c|x|t [-zhmvO] [-f TARFILE] [-C DIR] [-T FILE] [-X FILE] [--exclude PATTERN]... [FILE]...\n\n' +
  'Create, extract, or list files from a tar file\n';

interface TarOptions {
  mode: 'c' | 'x' | 't';
  file: string;
  dir?: string;
  /** -v and -t both count, as in busybox: 1 lists names, 2 lists like ls -l. */
  verbose: number;
  gzip: boolean;
  /** -m: leave extracted files with the time of extraction. */
  touch: boolean;
  toStdout: boolean;
  dereference: boolean;
  recurse: boolean;
  keepPermissions: boolean;
  stripComponents: number;
  excludes: string[];
  filesFrom: string[];
  excludesFrom: string[];
  names: string[];
}

class TarFailure extends Error {}

/** A fatal error: busybox's bb_error_msg_and_die. */
function die(text: string, err?: unknown): never {
  throw new TarFailure(err === undefined ? text : `${text}: ${describeErrno(errnoOf(err))}`);
}

const shortWithValue = new Set(['C', 'f', 'T', 'X']);
const shortFlags = new Set(['c', 'x', 't', 'v', 'z', 'm', 'O', 'h', 'o', 'p', 'k']);
const unsupportedCompression: Record<string, string> = { j: 'bzip2', J: 'xz', a: 'lzma', Z: 'compress' };

/** Long options and the short option each stands for (or a name of its own). */
const longOptions: Record<string, { opt: string; value: boolean }> = {
  list: { opt: 't', value: false }, extract: { opt: 'x', value: false }, create: { opt: 'c', value: false },
  directory: { opt: 'C', value: true }, file: { opt: 'f', value: true }, 'to-stdout': { opt: 'O', value: false },
  'no-same-owner': { opt: 'o', value: false }, 'same-permissions': { opt: 'p', value: false }, verbose: { opt: 'v', value: false },
  'keep-old': { opt: 'k', value: false }, dereference: { opt: 'h', value: false }, gzip: { opt: 'z', value: false },
  touch: { opt: 'm', value: false }, 'files-from': { opt: 'T', value: true }, 'exclude-from': { opt: 'X', value: true },
  'strip-components': { opt: 'strip', value: true }, 'no-recursion': { opt: 'norecurse', value: false },
  'numeric-owner': { opt: 'ignore', value: false }, 'no-same-permissions': { opt: 'noperm', value: false },
  overwrite: { opt: 'ignore', value: false }, exclude: { opt: 'exclude', value: true },
  bzip2: { opt: 'j', value: false }, xz: { opt: 'J', value: false }, lzma: { opt: 'a', value: false }, compress: { opt: 'Z', value: false },
};

class UsageError extends Error {}

/**
 * busybox's option parsing: a first argument without a dash is a cluster whose `f` takes the next
 * argument (`tar cf - x`, `tar xvf a.tar`); options may follow file names (getopt permutes).
 */
export function parseTarArgs(argv: string[]): TarOptions {
  const args = argv.slice(1);
  if (args[0] && !args[0].startsWith('-')) args[0] = `-${args[0].includes('f') ? `${args[0].replace('f', '')}f` : args[0]}`;
  const o: TarOptions = {
    mode: 'x', file: '-', verbose: 0, gzip: false, touch: false, toStdout: false, dereference: false, recurse: true, keepPermissions: true,
    stripComponents: 0, excludes: [], filesFrom: [], excludesFrom: [], names: [],
  };
  const modes = new Set<'c' | 'x' | 't'>();
  const apply = (opt: string, value: string | undefined): void => {
    switch (opt) {
      case 'c':
      case 'x':
        modes.add(opt);
        return;
      case 't':
        modes.add('t');
        o.verbose++;
        return;
      case 'v':
        o.verbose++;
        return;
      case 'C':
        o.dir = value;
        return;
      case 'f':
        o.file = value!;
        return;
      case 'T':
        o.filesFrom.push(value!);
        return;
      case 'X':
        o.excludesFrom.push(value!);
        return;
      case 'z':
        o.gzip = true;
        return;
      case 'm':
        o.touch = true;
        return;
      case 'O':
        o.toStdout = true;
        return;
      case 'h':
        o.dereference = true;
        return;
      case 'strip':
        if (!/^\d+$/.test(value!)) die(`invalid number '${value}'`);
        o.stripComponents = Number(value);
        return;
      case 'norecurse':
        o.recurse = false;
        return;
      case 'noperm':
        o.keepPermissions = false;
        return;
      case 'exclude':
        o.excludes.push(value!);
        return;
    }
    if (unsupportedCompression[opt]) die(`${unsupportedCompression[opt]} (-${opt}) is not supported by kubemock's tar; use -z`);
    // o, p, k and numeric-owner change nothing here: everything in the container belongs to root
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      o.names.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const spec = longOptions[name];
      if (!spec) throw new UsageError(`unrecognized option '${a}'`);
      let value = eq < 0 ? undefined : a.slice(eq + 1);
      if (spec.value && value === undefined) {
        value = args[++i];
        if (value === undefined) throw new UsageError(`option '--${name}' requires an argument`);
      }
      apply(spec.opt, value);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (shortWithValue.has(c)) {
          const value = a.slice(j + 1) || args[++i];
          if (value === undefined) throw new UsageError(`option requires an argument -- '${c}'`);
          apply(c, value);
          break;
        }
        if (!shortFlags.has(c) && !unsupportedCompression[c]) throw new UsageError(`invalid option -- '${c}'`);
        apply(c, undefined);
      }
    } else o.names.push(a);
  }
  // exactly one of c, x, t
  if (modes.size !== 1) throw new UsageError('');
  o.mode = [...modes][0];
  return o;
}

/** Strips leading `/` and everything up to the last `..` component, warning once (busybox's strip_unsafe_prefix). */
function unsafePrefixStripper(warn: (text: string) => void): (name: string) => string {
  let warned = false;
  return (name) => {
    let cp = 0;
    for (;;) {
      if (name[cp] === '/') {
        cp++;
        continue;
      }
      if (name.startsWith('../', cp)) {
        cp += 3;
        continue;
      }
      const dots = name.indexOf('/../', cp);
      if (dots < 0) break;
      cp = dots + 4;
    }
    // a member that is nothing but `..` would name the parent itself
    if (name.slice(cp) === '..') cp = name.length;
    if (cp > 0 && !warned) {
      warned = true;
      warn(`tar: removing leading '${name.slice(0, cp)}' from member names\n`);
    }
    return name.slice(cp);
  };
}

/** Does a pattern match the name, comparing only as many path components as the pattern has (find_list_entry2)? */
function listMatch(patterns: string[], name: string): string | undefined {
  for (const p of patterns) {
    const depth = p.split('/').length;
    const head = name.split('/').slice(0, depth).join('/');
    if (globRegExp(p).test(head)) return p;
  }
  return undefined;
}

/** Host path of a container path (links followed in the container's view). */
function hostOf(ctx: CommandContext, path: string): string {
  return ctx.system.fs.resolvePath(path, ctx.cwd).hostPath;
}

function readListFiles(ctx: CommandContext, files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(hostOf(ctx, f), 'utf8');
    } catch (err) {
      die(`can't open '${f}'`, err);
    }
    out.push(...text.split('\n').filter(Boolean));
  }
  return out;
}

/** The directory members are taken from and put into: -C DIR, else the shell's cwd (busybox's xchdir). */
function baseDir(ctx: CommandContext, dir: string | undefined): string {
  if (dir === undefined) return ctx.cwd;
  const path = posix.resolve(ctx.cwd, dir);
  try {
    if (!statSync(hostOf(ctx, path)).isDirectory()) die(`can't change directory to '${dir}': Not a directory`);
  } catch (err) {
    if (err instanceof TarFailure) throw err;
    die(`can't change directory to '${dir}'`, err);
  }
  return path;
}

export const tar: ShellCommand = async (argv, ctx) => {
  let o: TarOptions;
  try {
    o = parseTarArgs(argv);
  } catch (err) {
    if (err instanceof TarFailure) return failed(ctx, err);
    if (!(err instanceof UsageError)) throw err;
    ctx.io.stderr.write(`${err.message ? `tar: ${err.message}\n` : ''}${usage}`);
    return 1;
  }
  try {
    return o.mode === 'c' ? await create(ctx, o) : await readArchive(ctx, o);
  } catch (err) {
    if (err instanceof TarFailure) return failed(ctx, err);
    throw err;
  }
};

function failed(ctx: CommandContext, err: TarFailure): number {
  ctx.io.stderr.write(`tar: ${err.message}\n`);
  return 1;
}

// ---- create ----

interface Member {
  header: Headers;
  body?: Buffer;
}

async function create(ctx: CommandContext, o: TarOptions): Promise<number> {
  const names = [...o.names, ...readListFiles(ctx, o.filesFrom)].map((n) => (n.length > 1 ? n.replace(/\/+$/, '') || '/' : n));
  if (!names.length) die('empty archive');
  const excludes = [...o.excludes, ...readListFiles(ctx, o.excludesFrom)];
  const toStdout = o.file === '-';
  // the archive is opened before -C takes effect, as busybox does
  let archiveHost: string | undefined;
  if (!toStdout) {
    try {
      archiveHost = ctx.system.fs.writable(o.file, ctx.cwd).hostPath;
      writeFileSync(archiveHost, '');
    } catch (err) {
      die(`can't open '${o.file}'`, err);
    }
  }
  const base = baseDir(ctx, o.dir);
  const verboseOut = toStdout ? ctx.io.stderr : ctx.io.stdout;
  const strip = unsafePrefixStripper((t) => ctx.io.stderr.write(t));
  const members: Member[] = [];
  const hardLinks = new Map<string, string>();
  let failedAny = false;

  const visit = (name: string): void => {
    const path = posix.resolve(base, name);
    let host: string;
    let st: Stats;
    try {
      host = ctx.system.fs.resolvePath(path, '/', !o.dereference).hostPath;
      st = o.dereference ? statSync(host) : lstatSync(host);
    } catch (err) {
      ctx.io.stderr.write(`tar: ${name}: ${describeErrno(errnoOf(err))}\n`);
      failedAny = true;
      return;
    }
    const headerName = strip(name);
    if (headerName !== '' && !addMember(name, headerName, host, st)) return;
    if (!st.isDirectory() || !o.recurse) return;
    let children: string[];
    try {
      children = readdirSync(host).sort();
    } catch (err) {
      ctx.io.stderr.write(`tar: ${name}: ${describeErrno(errnoOf(err))}\n`);
      failedAny = true;
      return;
    }
    for (const child of children) visit(name.endsWith('/') ? `${name}${child}` : `${name}/${child}`);
  };

  /** Adds one member; false when it is skipped (excluded: not descended into either). */
  const addMember = (name: string, headerName: string, host: string, st: Stats): boolean => {
    if (st.isSocket()) {
      ctx.io.stderr.write(`tar: ${name}: socket ignored\n`);
      return true;
    }
    if (archiveHost !== undefined && host === archiveHost) {
      ctx.io.stderr.write(`tar: ${name}: file is the archive; skipping\n`);
      return true;
    }
    if (listMatch(excludes, headerName)) return false;
    const header: Headers = {
      name: headerName, mode: st.mode & 0o7777, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: new Date(Math.max(0, Math.floor(st.mtimeMs / 1000)) * 1000),
    };
    let body: Buffer | undefined;
    const inode = `${st.dev}:${st.ino}`;
    if (!st.isDirectory() && st.nlink > 1 && hardLinks.has(inode)) {
      Object.assign(header, { type: 'link', linkname: hardLinks.get(inode) });
    } else if (st.isSymbolicLink()) {
      Object.assign(header, { type: 'symlink', linkname: readlinkSync(host) });
    } else if (st.isDirectory()) {
      // busybox marks directories with a trailing slash too (tar-stream does not add one)
      Object.assign(header, { type: 'directory', name: headerName.endsWith('/') ? headerName : `${headerName}/` });
    } else if (st.isFIFO()) {
      header.type = 'fifo';
    } else if (st.isFile()) {
      try {
        body = readFileSync(host);
      } catch (err) {
        ctx.io.stderr.write(`tar: can't open '${name}': ${describeErrno(errnoOf(err))}\n`);
        failedAny = true;
        return true;
      }
      header.type = 'file';
    } else {
      // devices have no place in a simulated container
      return true;
    }
    if (!st.isDirectory() && st.nlink > 1 && !hardLinks.has(inode)) hardLinks.set(inode, headerName);
    members.push({ header, body });
    if (o.verbose) verboseOut.write(`${headerName}${st.isDirectory() ? '/' : ''}\n`);
    return true;
  };

  for (const name of names) visit(name);
  let archive = await packMembers(members);
  if (o.gzip) archive = gzipSync(archive);
  if (archiveHost !== undefined) writeFileSync(archiveHost, archive);
  else ctx.io.stdout.write(archive);
  if (failedAny) {
    ctx.io.stderr.write('tar: error exit delayed from previous errors\n');
    return 1;
  }
  return 0;
}

async function packMembers(members: Member[]): Promise<Buffer> {
  const pack = (await tarStream()).pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(Buffer.from(c as Uint8Array));
  });
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const m of members) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (m.body) pack.entry(m.header, m.body, done);
      else pack.entry(m.header, done);
    });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

// ---- extract and list ----

interface Entry {
  header: Headers;
  body: Buffer;
}

async function readArchive(ctx: CommandContext, o: TarOptions): Promise<number> {
  let data: Buffer | undefined;
  if (o.file !== '-') {
    try {
      data = readFileSync(hostOf(ctx, o.file));
    } catch (err) {
      die(`can't open '${o.file}'`, err);
    }
  }
  // -C is checked before the archive on stdin is read, so a bad directory fails at once
  const base = baseDir(ctx, o.dir);
  data ??= await ctx.io.stdin.readAll();
  const accept = [...o.names.map((n) => (n.length > 1 ? n.replace(/\/+$/, '') : n)), ...readListFiles(ctx, o.filesFrom)];
  const reject = [...o.excludes, ...readListFiles(ctx, o.excludesFrom)];
  if (data.length === 0) die('short read');
  data = decompress(data, o.gzip);
  const strip = unsafePrefixStripper((t) => ctx.io.stderr.write(t));
  const extractor = new Extractor(ctx, base, o);
  const passed = new Set<string>();
  let seen = 0;
  for await (const entry of entries(data)) {
    seen++;
    const shown = strip(entry.header.name);
    const name = shown.replace(/\/+$/, '');
    if (listMatch(reject, name) || (accept.length && !listMatch(accept, name))) continue;
    for (const p of accept) if (listMatch([p], name)) passed.add(p);
    if (o.verbose === 1) ctx.io.stdout.write(`${shown}\n`);
    else if (o.verbose > 1) ctx.io.stdout.write(verboseLine(entry.header, shown));
    if (o.mode === 'x' && name !== '') extractor.extract(name, entry);
  }
  extractor.finish();
  for (const p of accept) if (!passed.has(p) && !listMatch(reject, p)) die(`${p}: not found in archive`);
  // no member at all is not a tarball
  return seen ? 0 : 1;
}

function decompress(data: Buffer, gzip: boolean): Buffer {
  const gzipped = data[0] === 0x1f && data[1] === 0x8b;
  if (gzip && !gzipped) die('invalid magic');
  if (!gzipped) return data;
  try {
    return gunzipSync(data);
  } catch {
    die('corrupted data');
  }
}

/** busybox checks the magic before the checksum, so garbage is "invalid tar magic". */
function checkFirstHeader(data: Buffer): void {
  const first = data.subarray(0, 512);
  if (first.length === 512 && first.every((b) => b === 0)) return;
  if (first.length < 512) die('short read');
  if (first.subarray(257, 262).toString('latin1') !== 'ustar') die('invalid tar magic');
}

async function* entries(data: Buffer): AsyncGenerator<Entry> {
  checkFirstHeader(data);
  const ex = (await tarStream()).extract();
  ex.end(data);
  try {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const chunk of e) parts.push(Buffer.from(chunk as Uint8Array));
      yield { header: e.header, body: Buffer.concat(parts) };
    }
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    die(/Unexpected end/.test(text) ? 'short read' : /unknown format/.test(text) ? 'invalid tar magic' : 'invalid tar header checksum');
  }
}

function modeString(h: Headers): string {
  const types: Partial<Record<NonNullable<Headers['type']>, string>> = {
    directory: 'd', symlink: 'l', 'character-device': 'c', 'block-device': 'b', fifo: 'p',
  };
  const mode = h.mode ?? 0;
  return (types[h.type ?? 'file'] ?? '-') + 'rwxrwxrwx'.split('').map((c, i) => (mode & (1 << (8 - i)) ? c : '-')).join('');
}

/** `tar tv`: busybox's header_verbose_list (UTC is the container's local time). */
function verboseLine(h: Headers, name: string): string {
  const d = h.mtime ?? new Date(0);
  const p = (n: number): string => String(n).padStart(2, '0');
  const when = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const owner = `${h.uname || h.uid || 0}/${h.gname || h.gid || 0}`;
  const link = h.linkname && (h.type === 'symlink' || h.type === 'link') ? ` -> ${h.linkname}` : '';
  return `${modeString(h)} ${owner} ${String(h.size ?? 0).padStart(9)} ${when} ${name}${link}\n`;
}

/** Writes members under the base directory, busybox's data_extract_all. */
class Extractor {
  /** Links pointing up or to absolute paths wait until the end, so no later member is written through one. */
  private readonly deferredLinks: { name: string; target: string }[] = [];

  constructor(private readonly ctx: CommandContext, private readonly base: string, private readonly o: TarOptions) {}

  extract(name: string, entry: Entry): void {
    const stripped = this.stripComponents(name);
    if (stripped === undefined) return;
    if (this.o.toStdout) {
      if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') this.ctx.io.stdout.write(entry.body);
      return;
    }
    const path = posix.join(this.base, stripped);
    this.makeLeadingDirs(posix.dirname(path));
    const type = entry.header.type ?? 'file';
    if (type !== 'directory') this.unlinkOld(stripped, path);
    switch (type) {
      case 'directory':
        this.makeDir(stripped, path, entry.header.mode);
        break;
      case 'symlink':
        this.symlink(stripped, path, entry.header.linkname ?? '');
        return;
      case 'link':
        this.hardLink(stripped, path, entry.header.linkname ?? '');
        return;
      case 'file':
      case 'contiguous-file':
        this.writeFile(stripped, path, entry);
        break;
      default:
        this.ctx.io.stderr.write(`tar: can't create node ${stripped}: Operation not permitted\n`);
        return;
    }
    this.restoreAttributes(path, entry.header);
  }

  finish(): void {
    for (const l of this.deferredLinks) this.makeSymlink(l.name, posix.join(this.base, l.name), l.target);
  }

  private stripComponents(name: string): string | undefined {
    let rest = name;
    for (let n = this.o.stripComponents; n > 0; n--) {
      const slash = rest.indexOf('/');
      if (slash < 0 || slash === rest.length - 1) return undefined;
      rest = rest.slice(slash + 1);
    }
    return rest;
  }

  private host(path: string): string {
    return this.ctx.system.fs.writable(path, '/', true).hostPath;
  }

  /** Missing directories on the way, as bb_make_directory does; a failure shows when the member is written. */
  private makeLeadingDirs(dir: string): void {
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = `/${parts.slice(0, i).join('/')}`;
      try {
        if (statSync(this.ctx.system.fs.resolvePath(d).hostPath).isDirectory()) continue;
      } catch {
        // missing: made below
      }
      try {
        mkdirSync(this.ctx.system.fs.writable(d).hostPath);
      } catch (err) {
        this.ctx.io.stderr.write(`tar: can't create directory '${posix.relative(this.base, d) || d}': ${describeErrno(errnoOf(err))}\n`);
        return;
      }
    }
  }

  /** Busybox removes what is in the way of a member first; a missing one is fine even on a read-only mount. */
  private unlinkOld(name: string, path: string): void {
    try {
      lstatSync(this.ctx.system.fs.resolvePath(path, '/', true).hostPath);
    } catch {
      return;
    }
    try {
      unlinkSync(this.host(path));
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return;
      die(`can't remove old file ${name}`, err);
    }
  }

  private writeFile(name: string, path: string, entry: Entry): void {
    try {
      writeFileSync(this.host(path), entry.body, { flag: 'wx', mode: (entry.header.mode ?? 0o644) & 0o7777 });
    } catch (err) {
      die(`can't open '${name}'`, err);
    }
  }

  private makeDir(name: string, path: string, mode = 0o755): void {
    try {
      mkdirSync(this.host(path), { mode: mode & 0o7777 });
    } catch (err) {
      if (errnoOf(err) === 'EEXIST') return;
      this.ctx.io.stderr.write(`tar: can't make dir ${name}: ${describeErrno(errnoOf(err))}\n`);
    }
  }

  private symlink(name: string, path: string, target: string): void {
    if (target.startsWith('/') || target.includes('..')) this.deferredLinks.push({ name, target });
    else this.makeSymlink(name, path, target);
  }

  private makeSymlink(name: string, path: string, target: string): void {
    try {
      const host = this.host(path);
      // the link keeps the container path; ContainerFs follows it inside the container's view
      symlinkSync(target, host);
    } catch (err) {
      die(`can't create symlink '${name}' to '${target}'`, err);
    }
  }

  private hardLink(name: string, path: string, target: string): void {
    try {
      const from = this.ctx.system.fs.resolvePath(posix.join(this.base, target), '/', true).hostPath;
      linkSync(from, this.host(path));
    } catch (err) {
      this.ctx.io.stderr.write(`tar: can't create hardlink '${name}' to '${target}': ${describeErrno(errnoOf(err))}\n`);
    }
  }

  private restoreAttributes(path: string, h: Headers): void {
    const host = this.ctx.system.fs.resolvePath(path, '/', true).hostPath;
    try {
      if (this.o.keepPermissions && h.mode !== undefined) chmodSync(host, h.mode & 0o7777);
      if (!this.o.touch && h.mtime) utimesSync(host, h.mtime, h.mtime);
    } catch {
      // as busybox: chmod and utimes failures are not reported
    }
  }
}
