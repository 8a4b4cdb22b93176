/**
 * The everyday commands of the simulated shell that work on files and text, with busybox's messages.
 * Files are the container's view (ContainerFs): writes to a read-only mount fail with EROFS.
 */
import {
  appendFileSync, cpSync, readlinkSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, linkSync, utimesSync, writeFileSync,
  type Stats,
} from 'node:fs';
import { posix } from 'node:path';
import { describeErrno, errnoOf } from '../container-fs.js';
import type { CommandContext, ShellCommand } from './shell.js';

type Flags = { flags: Set<string>; args: string[]; opts: Map<string, string> };

/** Short options (-la) and `--` ; `withValue` lists options taking a value (-n 5). */
function parseFlags(argv: string[], withValue = ''): Flags {
  const flags = new Set<string>();
  const opts = new Map<string, string>();
  const args: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (withValue.includes(f)) {
          opts.set(f, a.slice(j + 1) || argv[++i] || '');
          break;
        }
        flags.add(f);
      }
    } else args.push(a);
  }
  return { flags, args, opts };
}

function host(ctx: CommandContext, path: string): string {
  return ctx.system.fs.resolvePath(path, ctx.cwd).hostPath;
}

function hostWritable(ctx: CommandContext, path: string, noFollow = false): string {
  return ctx.system.fs.writable(path, ctx.cwd, noFollow).hostPath;
}

function fail(ctx: CommandContext, text: string, err: unknown): number {
  ctx.io.stderr.write(`${text}: ${describeErrno(errnoOf(err))}\n`);
  return 1;
}

const cat: ShellCommand = async (argv, ctx) => {
  const { args } = parseFlags(argv);
  let status = 0;
  for (const f of args.length ? args : ['-']) {
    if (f === '-') ctx.io.stdout.write(await ctx.io.stdin.readAll());
    else {
      try {
        ctx.io.stdout.write(readFileSync(host(ctx, f)));
      } catch (err) {
        status = fail(ctx, `cat: can't open '${f}'`, err);
      }
    }
  }
  return status;
};

function unescape(s: string): { text: string; stop: boolean } {
  let stop = false;
  const text = s.replace(/\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g, (m, e: string) => {
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' };
    if (e === 'c') {
      stop = true;
      return '';
    }
    if (e in simple) return simple[e];
    if (e[0] === '0') return String.fromCharCode(parseInt(e.slice(1) || '0', 8));
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return m;
  });
  return { text: stop ? text.slice(0, text.length) : text, stop };
}

const echo: ShellCommand = (argv, ctx) => {
  let i = 1;
  let newline = true;
  let escapes = false;
  for (; i < argv.length && /^-[neE]+$/.test(argv[i]); i++) {
    if (argv[i].includes('n')) newline = false;
    if (argv[i].includes('e')) escapes = true;
  }
  let text = argv.slice(i).join(' ');
  if (escapes) {
    const u = unescape(text);
    text = u.text;
    if (u.stop) newline = false;
  }
  ctx.io.stdout.write(newline ? `${text}\n` : text);
  return 0;
};

/** printf FORMAT [ARG...]: the format is reused while arguments remain, as POSIX says. */
export function formatPrintf(format: string, args: string[]): string {
  let out = '';
  let i = 0;
  do {
    let used = false;
    out += format.replace(/%([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([sdiouxXfgecb%])|\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g, (m, flags: string, width: string, prec: string, conv: string, esc: string) => {
      if (esc !== undefined) return unescape(m).text;
      if (conv === '%') return '%';
      used = true;
      const arg = args[i++] ?? '';
      let s: string;
      switch (conv) {
        case 'd':
        case 'i':
        case 'u':
          s = String(Math.trunc(Number(arg) || 0));
          if (flags.includes('+') && !s.startsWith('-')) s = `+${s}`;
          break;
        case 'o':
          s = (Math.trunc(Number(arg)) || 0).toString(8);
          break;
        case 'x':
        case 'X':
          s = (Math.trunc(Number(arg)) || 0).toString(16);
          if (conv === 'X') s = s.toUpperCase();
          break;
        case 'f':
        case 'g':
        case 'e':
          s = conv === 'f' ? (Number(arg) || 0).toFixed(prec === undefined ? 6 : Number(prec)) : conv === 'e' ? (Number(arg) || 0).toExponential(prec === undefined ? 6 : Number(prec)) : String(Number(arg) || 0);
          break;
        case 'c':
          s = arg.slice(0, 1);
          break;
        case 'b':
          s = unescape(arg).text;
          break;
        default:
          s = prec !== undefined ? arg.slice(0, Number(prec)) : arg;
      }
      const w = width === '*' ? Number(args[i++] ?? 0) : Number(width ?? 0);
      if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : flags.includes('0') && conv !== 's' ? s.padStart(w, '0') : s.padStart(w);
      return s;
    });
    if (!used) break;
  } while (i < args.length);
  return out;
}

const printf: ShellCommand = (argv, ctx) => {
  if (argv.length < 2) {
    ctx.io.stderr.write('printf: usage: printf FORMAT [ARGUMENT...]\n');
    return 1;
  }
  ctx.io.stdout.write(formatPrintf(argv[1], argv.slice(2)));
  return 0;
};

function modeString(st: Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx'.split('').map((c, i) => (st.mode & (1 << (8 - i)) ? c : '-')).join('');
  return type + bits;
}

function lsDate(ms: number): string {
  const d = new Date(ms);
  const mon = d.toUTCString().slice(8, 11);
  return `${mon} ${String(d.getUTCDate()).padStart(2)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

const ls: ShellCommand = (argv, ctx) => {
  const { flags, args } = parseFlags(argv);
  let status = 0;
  const targets = args.length ? args : ['.'];
  const long = flags.has('l');
  const line = (name: string, hostPath: string): string => {
    if (!long) return name;
    const st = lstatSync(hostPath);
    const link = st.isSymbolicLink() ? ` -> ${readlinkText(hostPath)}` : '';
    return `${modeString(st)} ${String(st.nlink).padStart(4)} root     root     ${String(st.size).padStart(9)} ${lsDate(st.mtimeMs)} ${name}${link}`;
  };
  const files: string[] = [];
  const dirs: string[] = [];
  for (const t of targets) {
    try {
      const h = host(ctx, t);
      if (statSync(h).isDirectory() && !flags.has('d')) dirs.push(t);
      else files.push(line(t, ctx.system.fs.resolvePath(t, ctx.cwd, true).hostPath));
    } catch (err) {
      status = fail(ctx, `ls: ${t}`, err);
    }
  }
  if (files.length) ctx.io.stdout.write(`${files.join('\n')}\n`);
  for (const d of dirs) {
    if (targets.length > 1) ctx.io.stdout.write(`${files.length || d !== dirs[0] ? '\n' : ''}${d}:\n`);
    const h = host(ctx, d);
    let names = readdirSync(h).sort();
    if (!flags.has('a') && !flags.has('A')) names = names.filter((n) => !n.startsWith('.'));
    if (flags.has('a')) names = ['.', '..', ...names];
    const lines = names.map((n) => line(n, posix.join(h, n)));
    if (long) ctx.io.stdout.write(`total ${names.length}\n`);
    if (lines.length) ctx.io.stdout.write(`${lines.join('\n')}\n`);
  }
  return status;
};

function readlinkText(hostPath: string): string {
  try {
    return readlinkSync(hostPath);
  } catch {
    return '';
  }
}

const mkdir: ShellCommand = (argv, ctx) => {
  const { flags, args } = parseFlags(argv, 'm');
  let status = 0;
  for (const d of args) {
    try {
      mkdirSync(hostWritable(ctx, d), { recursive: flags.has('p') });
    } catch (err) {
      if (flags.has('p') && errnoOf(err) === 'EEXIST') continue;
      status = fail(ctx, `mkdir: can't create directory '${d}'`, err);
    }
  }
  return status;
};

const touch: ShellCommand = (argv, ctx) => {
  const { args } = parseFlags(argv);
  let status = 0;
  for (const f of args) {
    try {
      const h = hostWritable(ctx, f);
      const now = new Date(ctx.system.clock.now());
      try {
        utimesSync(h, now, now);
      } catch {
        appendFileSync(h, '');
      }
    } catch (err) {
      status = fail(ctx, `touch: ${f}`, err);
    }
  }
  return status;
};

const rm: ShellCommand = (argv, ctx) => {
  const { flags, args } = parseFlags(argv);
  let status = 0;
  for (const f of args) {
    try {
      const h = hostWritable(ctx, f, true);
      const st = lstatSync(h);
      if (st.isDirectory() && !flags.has('r') && !flags.has('R')) {
        ctx.io.stderr.write(`rm: '${f}' is a directory\n`);
        status = 1;
        continue;
      }
      rmSync(h, { recursive: true, force: flags.has('f') });
    } catch (err) {
      if (flags.has('f') && errnoOf(err) === 'ENOENT') continue;
      status = fail(ctx, `rm: can't remove '${f}'`, err);
    }
  }
  return status;
};

/** cp/mv target: into a directory when the destination is one. */
function destination(ctx: CommandContext, src: string, dest: string): string {
  try {
    if (statSync(host(ctx, dest)).isDirectory()) return posix.join(dest, posix.basename(src));
  } catch {
    // a new name
  }
  return dest;
}

const cp: ShellCommand = (argv, ctx) => {
  const { flags, args } = parseFlags(argv);
  if (args.length < 2) {
    ctx.io.stderr.write('cp: missing destination file operand\n');
    return 1;
  }
  const dest = args.pop()!;
  let status = 0;
  for (const src of args) {
    try {
      const from = host(ctx, src);
      if (statSync(from).isDirectory() && !flags.has('r') && !flags.has('R') && !flags.has('a')) {
        ctx.io.stderr.write(`cp: omitting directory '${src}'\n`);
        status = 1;
        continue;
      }
      const to = destination(ctx, src, dest);
      cpSync(from, hostWritable(ctx, to), { recursive: true });
    } catch (err) {
      status = fail(ctx, `cp: can't create '${dest}'`, err);
    }
  }
  return status;
};

const mv: ShellCommand = (argv, ctx) => {
  const { args } = parseFlags(argv);
  if (args.length < 2) {
    ctx.io.stderr.write('mv: missing destination file operand\n');
    return 1;
  }
  const dest = args.pop()!;
  let status = 0;
  for (const src of args) {
    try {
      const from = hostWritable(ctx, src, true);
      const to = hostWritable(ctx, destination(ctx, src, dest), true);
      try {
        renameSync(from, to);
      } catch (err) {
        if (errnoOf(err) !== 'EXDEV') throw err;
        cpSync(from, to, { recursive: true });
        rmSync(from, { recursive: true });
      }
    } catch (err) {
      status = fail(ctx, `mv: can't rename '${src}'`, err);
    }
  }
  return status;
};

const ln: ShellCommand = (argv, ctx) => {
  const { flags, args } = parseFlags(argv);
  if (args.length < 2) {
    ctx.io.stderr.write('ln: missing operand\n');
    return 1;
  }
  const [target, name] = args;
  try {
    const linkPath = hostWritable(ctx, destination(ctx, target, name), true);
    if (flags.has('f')) rmSync(linkPath, { force: true });
    // the link keeps the container path; ContainerFs follows it inside the container's view
    if (flags.has('s')) symlinkSync(target, linkPath);
    else linkSync(host(ctx, target), linkPath);
    return 0;
  } catch (err) {
    return fail(ctx, `ln: ${name}`, err);
  }
};

const dd: ShellCommand = async (argv, ctx) => {
  const opts = new Map(argv.slice(1).map((a) => a.split('=') as [string, string]));
  const size = (v: string | undefined, dflt: number): number => {
    if (!v) return dflt;
    const m = /^(\d+)([kKMG]?)$/.exec(v);
    if (!m) return dflt;
    return Number(m[1]) * ({ '': 1, k: 1024, K: 1024, M: 1 << 20, G: 1 << 30 } as Record<string, number>)[m[2]];
  };
  const bs = size(opts.get('bs'), 512);
  try {
    const input = opts.get('if');
    let data = input === '/dev/zero' ? Buffer.alloc(bs * Number(opts.get('count') ?? 1)) : input ? readFileSync(host(ctx, input)) : await ctx.io.stdin.readAll();
    data = data.subarray(Number(opts.get('skip') ?? 0) * bs);
    if (opts.has('count')) data = data.subarray(0, Number(opts.get('count')) * bs);
    const output = opts.get('of');
    if (output) writeFileSync(hostWritable(ctx, output), data);
    else ctx.io.stdout.write(data);
    const full = Math.floor(data.length / bs);
    const part = data.length % bs ? 1 : 0;
    ctx.io.stderr.write(`${full}+${part} records in\n${full}+${part} records out\n`);
    return 0;
  } catch (err) {
    return fail(ctx, `dd: can't open '${opts.get('of') ?? opts.get('if')}'`, err);
  }
};

const env: ShellCommand = async (argv, ctx) => {
  const vars = { ...ctx.env };
  let i = 1;
  for (; i < argv.length && argv[i].includes('='); i++) {
    const eq = argv[i].indexOf('=');
    vars[argv[i].slice(0, eq)] = argv[i].slice(eq + 1);
  }
  if (i < argv.length) {
    const sub = ctx.shell.fork();
    for (const [k, v] of Object.entries(vars)) {
      sub.vars.set(k, v);
      sub.exported.add(k);
    }
    return sub.runArgv(argv.slice(i), ctx.io);
  }
  ctx.io.stdout.write(Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''));
  return 0;
};

/** Waits on the container's clock; a stopped container ends the sleep. */
const sleep: ShellCommand = async (argv, ctx) => {
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
  let seconds = 0;
  for (const a of argv.slice(1)) {
    const m = /^(\d*\.?\d+)([smhd]?)$/.exec(a);
    if (!m) {
      ctx.io.stderr.write(`sleep: invalid number '${a}'\n`);
      return 1;
    }
    seconds += Number(m[1]) * units[m[2]];
  }
  if (ctx.signal.aborted) return 143;
  await new Promise<void>((resolve) => {
    const timer = ctx.system.clock.setTimer(seconds * 1000, () => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  return ctx.signal.aborted ? 143 : 0;
};

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function formatDate(ms: number, format?: string): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const fields: Record<string, string> = {
    Y: String(d.getUTCFullYear()), m: p(d.getUTCMonth() + 1), d: p(d.getUTCDate()), e: String(d.getUTCDate()).padStart(2), H: p(d.getUTCHours()),
    M: p(d.getUTCMinutes()), S: p(d.getUTCSeconds()), s: String(Math.floor(ms / 1000)), a: days[d.getUTCDay()], b: months[d.getUTCMonth()],
    Z: 'UTC', z: '+0000', N: p((ms % 1000) * 1_000_000, 9), '%': '%', n: '\n', t: '\t',
  };
  fields.T = `${fields.H}:${fields.M}:${fields.S}`;
  fields.F = `${fields.Y}-${fields.m}-${fields.d}`;
  fields.D = `${fields.m}/${fields.d}/${fields.Y.slice(2)}`;
  fields.R = `${fields.H}:${fields.M}`;
  fields.c = `${fields.a} ${fields.b} ${fields.e} ${fields.T} ${fields.Y}`;
  return (format ?? '%a %b %e %T %Z %Y').replace(/%(.)/g, (m, c: string) => fields[c] ?? m);
}

const date: ShellCommand = (argv, ctx) => {
  const format = argv.slice(1).find((a) => a.startsWith('+'));
  ctx.io.stdout.write(`${formatDate(ctx.system.clock.now(), format?.slice(1))}\n`);
  return 0;
};

async function inputLines(argv: string[], ctx: CommandContext): Promise<string[] | undefined> {
  const chunks: Buffer[] = [];
  if (!argv.length) chunks.push(await ctx.io.stdin.readAll());
  for (const f of argv) {
    try {
      chunks.push(f === '-' ? await ctx.io.stdin.readAll() : readFileSync(host(ctx, f)));
    } catch (err) {
      fail(ctx, `${f}`, err);
      return undefined;
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function countOption(argv: string[]): { n: number; rest: string[]; fromStart: boolean } {
  const { opts, args, flags } = parseFlags(argv, 'nc');
  const raw = opts.get('n') ?? argv.find((a) => /^-\d+$/.test(a))?.slice(1) ?? '10';
  return { n: Math.abs(Number(raw.replace(/^\+/, ''))), rest: args.filter((a) => !/^-\d+$/.test(a)), fromStart: raw.startsWith('+') || flags.has('+') };
}

const head: ShellCommand = async (argv, ctx) => {
  const { n, rest } = countOption(argv);
  const lines = await inputLines(rest, ctx);
  if (!lines) return 1;
  for (const l of lines.slice(0, n)) ctx.io.stdout.write(`${l}\n`);
  return 0;
};

const tail: ShellCommand = async (argv, ctx) => {
  const { n, rest, fromStart } = countOption(argv);
  const lines = await inputLines(rest, ctx);
  if (!lines) return 1;
  for (const l of fromStart ? lines.slice(Math.max(0, n - 1)) : n ? lines.slice(-n) : []) ctx.io.stdout.write(`${l}\n`);
  return 0;
};

const wc: ShellCommand = async (argv, ctx) => {
  const { flags, args } = parseFlags(argv);
  const data = args.length ? Buffer.concat(args.map((f) => readFileSync(host(ctx, f)))) : await ctx.io.stdin.readAll();
  const text = data.toString('utf8');
  const counts = { l: (text.match(/\n/g) ?? []).length, w: text.split(/\s+/).filter(Boolean).length, c: data.length };
  const chosen = (['l', 'w', 'c'] as const).filter((f) => flags.has(f));
  const shown = (chosen.length ? chosen : (['l', 'w', 'c'] as const)).map((f) => String(counts[f]).padStart(chosen.length === 1 ? 0 : 7));
  ctx.io.stdout.write(`${shown.join(' ')}${args.length === 1 ? ` ${args[0]}` : ''}\n`);
  return 0;
};

const grep: ShellCommand = async (argv, ctx) => {
  const { flags, args, opts } = parseFlags(argv, 'e');
  const pattern = opts.get('e') ?? args.shift();
  if (pattern === undefined) {
    ctx.io.stderr.write('Usage: grep [-vicqn] PATTERN [FILE]...\n');
    return 2;
  }
  const source = flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern.replace(/\\([|(){}+?])/g, '$1');
  const re = new RegExp(source, flags.has('i') ? 'i' : '');
  const lines = await inputLines(args, ctx);
  if (!lines) return 2;
  const hits = lines.map((l, i) => ({ l, i })).filter(({ l }) => re.test(l) !== flags.has('v'));
  if (flags.has('c')) ctx.io.stdout.write(`${hits.length}\n`);
  else if (!flags.has('q')) for (const h of hits) ctx.io.stdout.write(`${flags.has('n') ? `${h.i + 1}:` : ''}${h.l}\n`);
  return hits.length ? 0 : 1;
};

const tee: ShellCommand = async (argv, ctx) => {
  const { flags, args } = parseFlags(argv);
  const data = await ctx.io.stdin.readAll();
  ctx.io.stdout.write(data);
  for (const f of args) {
    try {
      (flags.has('a') ? appendFileSync : writeFileSync)(hostWritable(ctx, f), data);
    } catch (err) {
      return fail(ctx, `tee: ${f}`, err);
    }
  }
  return 0;
};

/** test / [ : files, strings, integers, !, -a, -o. */
export function evaluateTest(args: string[], exists: (p: string) => Stats | undefined): boolean {
  let i = 0;
  const primary = (): boolean => {
    const a = args[i];
    if (a === '!') {
      i++;
      return !primary();
    }
    if (a === '(') {
      i++;
      const v = or();
      i++;
      return v;
    }
    const op = args[i + 1];
    const binary = ['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge'];
    if (op !== undefined && binary.includes(op) && i + 2 < args.length + 1) {
      const l = a;
      const r = args[i + 2] ?? '';
      i += 3;
      const n = (s: string): number => Number(s.trim()) || 0;
      switch (op) {
        case '=':
        case '==':
          return l === r;
        case '!=':
          return l !== r;
        case '-eq':
          return n(l) === n(r);
        case '-ne':
          return n(l) !== n(r);
        case '-lt':
          return n(l) < n(r);
        case '-le':
          return n(l) <= n(r);
        case '-gt':
          return n(l) > n(r);
        default:
          return n(l) >= n(r);
      }
    }
    if (/^-[efdsrwxzn hL]$/.test(a) && i + 1 < args.length) {
      const v = args[i + 1];
      i += 2;
      if (a === '-z') return v.length === 0;
      if (a === '-n') return v.length > 0;
      const st = exists(v);
      if (!st) return false;
      if (a === '-f') return st.isFile();
      if (a === '-d') return st.isDirectory();
      if (a === '-s') return st.size > 0;
      if (a === '-h' || a === '-L') return st.isSymbolicLink();
      return true;
    }
    i++;
    return a !== undefined && a.length > 0;
  };
  const and = (): boolean => {
    let v = primary();
    while (args[i] === '-a') {
      i++;
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (args[i] === '-o') {
      i++;
      v = and() || v;
    }
    return v;
  };
  if (!args.length) return false;
  return or();
}

const test: ShellCommand = (argv, ctx) => {
  let args = argv.slice(1);
  if (argv[0] === '[') {
    if (args[args.length - 1] !== ']') {
      ctx.io.stderr.write('sh: missing ]\n');
      return 2;
    }
    args = args.slice(0, -1);
  }
  const stat = (p: string): Stats | undefined => {
    try {
      return statSync(host(ctx, p));
    } catch {
      return undefined;
    }
  };
  return evaluateTest(args, stat) ? 0 : 1;
};

const seq: ShellCommand = (argv, ctx) => {
  const n = argv.slice(1).map(Number);
  const [first, step, last] = n.length === 1 ? [1, 1, n[0]] : n.length === 2 ? [n[0], 1, n[1]] : [n[0], n[1], n[2]];
  for (let v = first; step > 0 ? v <= last : v >= last; v += step) ctx.io.stdout.write(`${v}\n`);
  return 0;
};

const basename: ShellCommand = (argv, ctx) => {
  let b = posix.basename(argv[1] ?? '');
  if (argv[2] && b.endsWith(argv[2])) b = b.slice(0, -argv[2].length);
  ctx.io.stdout.write(`${b}\n`);
  return 0;
};

const dirname: ShellCommand = (argv, ctx) => {
  ctx.io.stdout.write(`${posix.dirname(argv[1] ?? '.')}\n`);
  return 0;
};

const fixed = (text: string): ShellCommand => (_argv, ctx) => {
  ctx.io.stdout.write(text);
  return 0;
};

const sh: ShellCommand = async (argv, ctx) => {
  const sub = ctx.shell.fork();
  const c = argv.indexOf('-c');
  if (c >= 0) {
    if (argv[c + 1] === undefined) {
      ctx.io.stderr.write('sh: -c requires an argument\n');
      return 2;
    }
    sub.positional = argv.slice(c + 3);
    return sub.run(argv[c + 1], ctx.io);
  }
  const file = argv.slice(1).find((a) => !a.startsWith('-'));
  if (file) {
    try {
      return await sub.run(readFileSync(host(ctx, file), 'utf8'), ctx.io);
    } catch (err) {
      return fail(ctx, `sh: can't open '${file}'`, err);
    }
  }
  return sub.run((await ctx.io.stdin.readAll()).toString('utf8'), ctx.io);
};

export const fileCommands: Record<string, ShellCommand> = {
  cat, echo, printf, ls, mkdir, touch, rm, cp, mv, ln, dd, env, printenv: env, sleep, date, head, tail, wc, grep, tee, test, '[': test, seq,
  basename, dirname, sh, bash: sh, ash: sh,
  whoami: fixed('root\n'), id: fixed('uid=0(root) gid=0(root) groups=0(root),10(wheel)\n'), uname: (argv, ctx) => {
    ctx.io.stdout.write(argv.includes('-a') ? 'Linux kubemock 6.1.0 #1 SMP x86_64 GNU/Linux\n' : 'Linux\n');
    return 0;
  },
  true: () => 0, false: () => 1,
};
