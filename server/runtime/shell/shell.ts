/**
 * The interpreter of the simulated POSIX shell (busybox ash flavoured messages). It runs parsed scripts
 * over a container's filesystem with the commands of a CommandTable; state (variables, cwd, $?) lives
 * in one Shell, and subshells / command substitutions work on copies.
 */
import { openSync, readFileSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';
import type { Socket } from 'node:net';
import type { Clock } from '../../meta/clock.js';
import { describeErrno, errnoOf, FsError, type ContainerFs } from '../container-fs.js';
import { evalArith } from './arith.js';
import { bufferIn, CollectOut, emptyIn, FileOut, pipe, type In, type Out } from './io.js';
import { parseScript, SyntaxError, type AndOr, type Command, type List, type Pipeline, type Redirect, type Word } from './parse.js';

export interface ShellIO {
  stdin: In;
  stdout: Out;
  stderr: Out;
}

/** What commands may know about the container they run in. */
export interface ShellSystem {
  hostname: string;
  fqdn: string;
  podIP: string;
  namespace: string;
  fs: ContainerFs;
  clock: Clock;
  /** TCP to an address as seen from inside the pod (localhost is the pod itself). */
  dial(host: string, port: number, timeoutMs?: number): Promise<Socket>;
  /** Resolves a name as the pod's resolver would (search path, then the cluster DNS). */
  resolveName(name: string): Promise<string[]>;
  /** The cluster DNS server for nslookup: the address resolv.conf shows, and where it really listens. */
  dns: { address: string; host: string; port: number; zone: string };
}

export interface CommandContext {
  io: ShellIO;
  env: Record<string, string>;
  cwd: string;
  shell: Shell;
  system: ShellSystem;
  signal: AbortSignal;
}

export type ShellCommand = (argv: string[], ctx: CommandContext) => Promise<number> | number;
export type CommandTable = ReadonlyMap<string, ShellCommand>;

class ExitSignal {
  constructor(readonly code: number) {}
}
class LoopSignal {
  constructor(readonly kind: 'break' | 'continue', public levels: number) {}
}

const maxLoopIterations = 1_000_000;

export class Shell {
  vars = new Map<string, string>();
  exported = new Set<string>();
  positional: string[] = [];
  status = 0;
  cwd = '/';
  /** `exit` ran at the top level: an interactive shell reading more lines stops. */
  exited = false;

  constructor(readonly system: ShellSystem, readonly commands: CommandTable, env: Readonly<Record<string, string>>, readonly signal: AbortSignal) {
    for (const [k, v] of Object.entries(env)) {
      this.vars.set(k, v);
      this.exported.add(k);
    }
    this.cwd = env.PWD && env.PWD.startsWith('/') ? env.PWD : '/';
  }

  /** A copy for a subshell or command substitution. */
  fork(): Shell {
    const s = new Shell(this.system, this.commands, {}, this.signal);
    s.vars = new Map(this.vars);
    s.exported = new Set(this.exported);
    s.positional = [...this.positional];
    s.status = this.status;
    s.cwd = this.cwd;
    return s;
  }

  env(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of this.exported) {
      const v = this.vars.get(k);
      if (v !== undefined) out[k] = v;
    }
    out.PWD = this.cwd;
    return out;
  }

  /** Runs a script; `exit` ends it with its code. */
  async run(script: string, io: ShellIO): Promise<number> {
    // Commands use the file system's paths directly: it must exist on disk first.
    await this.system.fs.materialise();
    let list: List;
    try {
      list = parseScript(script);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      io.stderr.write(`sh: ${err.message}\n`);
      return (this.status = 2);
    }
    try {
      return await this.runList(list, io);
    } catch (e) {
      if (e instanceof ExitSignal) {
        this.exited = true;
        return (this.status = e.code);
      }
      if (e instanceof LoopSignal) return this.status;
      throw e;
    }
  }

  /** Runs one command given as argv, without shell parsing (kubectl exec pod -- cmd args). */
  async runArgv(argv: string[], io: ShellIO): Promise<number> {
    await this.system.fs.materialise();
    try {
      return await this.invoke(argv, {}, io);
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      throw e;
    }
  }

  /** Is there a command of this name (builtin or in the table)? */
  has(name: string): boolean {
    return builtinNames.has(posix.basename(name)) || this.commands.has(posix.basename(name));
  }

  private async runList(list: List, io: ShellIO): Promise<number> {
    for (const item of list) {
      if (this.signal.aborted) throw new ExitSignal(143);
      if (item.background) {
        const sub = this.fork();
        void sub.runAndOr(item, { ...io, stdin: emptyIn }).catch(() => undefined);
        this.status = 0;
      } else {
        await this.runAndOr(item, io);
      }
    }
    return this.status;
  }

  private async runAndOr(item: AndOr, io: ShellIO): Promise<number> {
    let status = await this.runPipeline(item.first, io);
    for (const { op, pipeline } of item.rest) {
      if ((op === '&&') === (status === 0)) status = await this.runPipeline(pipeline, io);
    }
    return status;
  }

  private async runPipeline(p: Pipeline, io: ShellIO): Promise<number> {
    let status: number;
    if (p.commands.length === 1) {
      status = await this.runCommand(p.commands[0], io);
    } else {
      const runs: Promise<number>[] = [];
      let stdin = io.stdin;
      p.commands.forEach((cmd, i) => {
        const last = i === p.commands.length - 1;
        const link = last ? undefined : pipe();
        const shell = this.fork();
        const cmdIO = { stdin, stdout: link ? link.out : io.stdout, stderr: io.stderr };
        runs.push(
          shell.runCommand(cmd, cmdIO).catch((e: unknown) => (e instanceof ExitSignal ? e.code : Promise.reject(e))).finally(() => link?.out.end()),
        );
        if (link) stdin = link.in;
      });
      const codes = await Promise.all(runs);
      status = codes[codes.length - 1];
    }
    if (p.negate) status = status === 0 ? 1 : 0;
    return (this.status = status);
  }

  private async runCommand(cmd: Command, io: ShellIO): Promise<number> {
    let opened: FileOut[] = [];
    let cmdIO: ShellIO;
    try {
      ({ io: cmdIO, opened } = await this.redirect(cmd.redirects, io));
    } catch (err) {
      if (err instanceof RedirectError) {
        io.stderr.write(`sh: ${err.message}\n`);
        return (this.status = 1);
      }
      throw err;
    }
    try {
      return (this.status = await this.execute(cmd, cmdIO));
    } finally {
      for (const f of opened) f.close();
    }
  }

  private async execute(cmd: Command, io: ShellIO): Promise<number> {
    switch (cmd.type) {
      case 'simple':
        return this.simple(cmd, io);
      case 'group':
        if (!cmd.subshell) return this.runList(cmd.body, io);
        try {
          return await this.fork().runList(cmd.body, io);
        } catch (e) {
          if (e instanceof ExitSignal) return e.code;
          throw e;
        }
      case 'if': {
        for (const c of cmd.clauses) {
          if ((await this.runList(c.cond, io)) === 0) return this.runList(c.body, io);
        }
        return cmd.elseBody ? this.runList(cmd.elseBody, io) : 0;
      }
      case 'loop':
        return this.loop(async () => ((await this.runList(cmd.cond, io)) === 0) !== cmd.until, cmd.body, io);
      case 'for': {
        const items = cmd.items ? (await Promise.all(cmd.items.map((w) => this.expand(w, io)))).flat() : [...this.positional];
        let i = 0;
        return this.loop(async () => {
          if (i >= items.length) return false;
          this.vars.set(cmd.name, items[i++]);
          return true;
        }, cmd.body, io);
      }
    }
  }

  private async loop(next: () => Promise<boolean>, body: List, io: ShellIO): Promise<number> {
    let status = 0;
    for (let n = 0; n < maxLoopIterations; n++) {
      if (this.signal.aborted) throw new ExitSignal(143);
      if (!(await next())) break;
      try {
        status = await this.runList(body, io);
      } catch (e) {
        if (!(e instanceof LoopSignal)) throw e;
        if (e.levels > 1) {
          e.levels--;
          throw e;
        }
        if (e.kind === 'break') break;
      }
      // a tight loop must still let servers and timers run
      if (n % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    return status;
  }

  private async simple(cmd: Extract<Command, { type: 'simple' }>, io: ShellIO): Promise<number> {
    const argv: string[] = [];
    for (const w of cmd.words) argv.push(...(await this.expand(w, io)));
    const assigns: Record<string, string> = {};
    for (const a of cmd.assigns) assigns[a.name] = (await this.expand(a.value, io, false)).join('');
    if (!argv.length) {
      for (const [k, v] of Object.entries(assigns)) this.vars.set(k, v);
      return cmd.words.length ? this.status : 0;
    }
    return this.invoke(argv, assigns, io);
  }

  private async invoke(argv: string[], assigns: Record<string, string>, io: ShellIO): Promise<number> {
    const name = argv[0];
    const builtin = builtins[name];
    if (builtin) return builtin(this, argv, io);
    const command = this.commands.get(name) ?? (name.includes('/') ? this.commands.get(posix.basename(name)) : undefined);
    if (!command) {
      io.stderr.write(`sh: ${name}: not found\n`);
      return 127;
    }
    const ctx: CommandContext = { io, env: { ...this.env(), ...assigns }, cwd: this.cwd, shell: this, system: this.system, signal: this.signal };
    try {
      return await command(argv, ctx);
    } catch (err) {
      if (err instanceof ExitSignal) throw err;
      io.stderr.write(`${posix.basename(name)}: ${err instanceof FsError ? describeErrno(err.code) : err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  }

  private async redirect(redirects: Redirect[], io: ShellIO): Promise<{ io: ShellIO; opened: FileOut[] }> {
    const fds: (In | Out)[] = [io.stdin, io.stdout, io.stderr];
    const opened: FileOut[] = [];
    for (const r of redirects) {
      const target = (await this.expand(r.target, io, false)).join('');
      if (r.op === '>&' || r.op === '<&') {
        if (target === '-') continue;
        const from = fds[Number(target)];
        if (!/^\d$/.test(target) || !from) throw new RedirectError(`${target}: bad file descriptor`);
        fds[r.fd] = from;
      } else if (r.op === '<') {
        try {
          fds[r.fd] = bufferIn(readFileSync(this.system.fs.resolvePath(target, this.cwd).hostPath));
        } catch (err) {
          throw new RedirectError(`can't open '${target}': ${describeErrno(errnoOf(err))}`);
        }
      } else {
        try {
          const hostPath = target === '/dev/null' ? '/dev/null' : this.system.fs.writable(target, this.cwd).hostPath;
          const f = new FileOut(openSync(hostPath, r.op === '>>' ? 'a' : 'w'));
          opened.push(f);
          fds[r.fd] = f;
        } catch (err) {
          throw new RedirectError(`can't create ${target}: ${describeErrno(errnoOf(err))}`);
        }
      }
    }
    return { io: { stdin: fds[0] as In, stdout: fds[1] as Out, stderr: fds[2] as Out }, opened };
  }

  lookup(name: string): string | undefined {
    switch (name) {
      case '?':
        return String(this.status);
      case '#':
        return String(this.positional.length);
      case '@':
      case '*':
        return this.positional.join(' ');
      case '$':
        return '1';
      case '!':
      case '-':
        return '';
      case '0':
        return 'sh';
    }
    if (/^\d+$/.test(name)) return this.positional[Number(name) - 1];
    return this.vars.get(name);
  }

  /** Expands a word into fields (split=false: one string, as for assignments and redirection targets). */
  async expand(word: Word, io: ShellIO, split = true): Promise<string[]> {
    const fields: string[] = [];
    let cur: string | undefined;
    let glob = false;
    const add = (text: string): void => {
      cur = (cur ?? '') + text;
    };
    const addSplit = (text: string): void => {
      if (!split) return add(text);
      const pieces = text.split(/[ \t\n]+/);
      pieces.forEach((p, i) => {
        if (i > 0 && cur !== undefined) {
          fields.push(cur);
          cur = undefined;
        }
        if (p) add(p);
      });
    };
    for (const part of word) {
      if (part.kind === 'lit') {
        add(part.text);
        if (!part.quoted && /[*?[]/.test(part.text)) glob = true;
        continue;
      }
      if (part.kind === 'var' && part.name === '@' && part.quoted && split && !part.op) {
        this.positional.forEach((p, i) => {
          if (i > 0) {
            fields.push(cur ?? '');
            cur = undefined;
          }
          add(p);
        });
        continue;
      }
      const value = await this.expandPart(part, io);
      if (part.quoted) add(value);
      else addSplit(value);
    }
    if (cur !== undefined) fields.push(cur);
    if (!split) return [fields.join(' ')];
    if (!glob) return fields;
    return fields.flatMap((f) => this.glob(f));
  }

  private async expandPart(part: Exclude<Word[number], { kind: 'lit' }>, io: ShellIO): Promise<string> {
    if (part.kind === 'cmd') {
      const out = new CollectOut();
      const sub = this.fork();
      this.status = await sub.run(part.script, { stdin: emptyIn, stdout: out, stderr: io.stderr });
      return out.text().replace(/\n+$/, '');
    }
    if (part.kind === 'arith') {
      const expanded = (await this.expand([{ kind: 'lit', text: '', quoted: true }, ...substituteVars(part.expr)], io, false)).join('');
      return String(evalArith(expanded, (n) => this.lookup(n)));
    }
    const value = this.lookup(part.name);
    const arg = async (): Promise<string> => (part.arg ? (await this.expand(part.arg, io, false)).join('') : '');
    switch (part.op) {
      case undefined:
        return value ?? '';
      case '#len':
        return String((value ?? '').length);
      case ':-':
        return value ? value : arg();
      case '-':
        return value !== undefined ? value : arg();
      case ':=':
      case '=': {
        if (part.op === ':=' ? value : value !== undefined) return value!;
        const v = await arg();
        this.vars.set(part.name, v);
        return v;
      }
      case ':+':
        return value ? arg() : '';
      case '+':
        return value !== undefined ? arg() : '';
      case ':?':
      case '?':
        if (value) return value;
        io.stderr.write(`sh: ${part.name}: ${(await arg()) || 'parameter not set'}\n`);
        throw new ExitSignal(1);
      case '#':
      case '##':
      case '%':
      case '%%':
        return trimPattern(value ?? '', await arg(), part.op);
      default:
        return value ?? '';
    }
  }

  private glob(pattern: string): string[] {
    const absolute = pattern.startsWith('/');
    const parts = pattern.split('/').filter(Boolean);
    let matches = [absolute ? '/' : ''];
    for (const part of parts) {
      const next: string[] = [];
      for (const base of matches) {
        if (!/[*?[]/.test(part)) {
          next.push(base ? posix.join(base, part) : part);
          continue;
        }
        const re = globRegExp(part);
        let names: string[] = [];
        try {
          names = readdirSync(this.system.fs.resolvePath(base || '.', this.cwd).hostPath);
        } catch {
          continue;
        }
        for (const n of names.sort()) if (re.test(n) && (!n.startsWith('.') || part.startsWith('.'))) next.push(base ? posix.join(base, n) : n);
      }
      matches = next;
    }
    return matches.length ? matches : [pattern];
  }
}

class RedirectError extends Error {}

/**
 * A shell glob (`*`, `?`, `[...]`, `[!...]`) as an anchored RegExp; a `]` right after `[` is part of the
 * set, as POSIX has it. The shell's pathname expansion and tar's member patterns both use it.
 */
export function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function trimPattern(value: string, pattern: string, op: string): string {
  const body = globRegExp(pattern).source.slice(1, -1);
  const greedy = op.length === 2;
  if (op.startsWith('#')) {
    const m = new RegExp(`^(${greedy ? body : body.replace(/\.\*/g, '.*?')})`).exec(value);
    return m ? value.slice(m[0].length) : value;
  }
  for (let i = greedy ? 0 : value.length; greedy ? i <= value.length : i >= 0; i += greedy ? 1 : -1) {
    if (new RegExp(`^${body}$`).test(value.slice(i))) return value.slice(0, i);
  }
  return value;
}

/** `$x` / `${x}` inside $(( )) become word parts so they expand like elsewhere; bare names are looked up by evalArith. */
function substituteVars(expr: string): Word {
  const parts: Word = [];
  const re = /\$\{?([A-Za-z_][A-Za-z0-9_]*|\d+|[?#])\}?/g;
  let last = 0;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    parts.push({ kind: 'lit', text: expr.slice(last, m.index), quoted: true }, { kind: 'var', name: m[1], quoted: true });
    last = m.index + m[0].length;
  }
  parts.push({ kind: 'lit', text: expr.slice(last), quoted: true });
  return parts;
}

type Builtin = (shell: Shell, argv: string[], io: ShellIO) => Promise<number> | number;

const builtins: Record<string, Builtin> = {
  exit: (shell, argv) => {
    throw new ExitSignal(argv[1] !== undefined ? Number(argv[1]) & 255 : shell.status);
  },
  cd: (shell, argv, io) => {
    const target = posix.resolve(shell.cwd, argv[1] ?? shell.vars.get('HOME') ?? '/');
    try {
      const r = shell.system.fs.resolvePath(target, '/');
      if (!readdirSync(r.hostPath)) throw new FsError('ENOTDIR', target);
    } catch (err) {
      io.stderr.write(`sh: cd: can't cd to ${argv[1]}: ${describeErrno(errnoOf(err))}\n`);
      return 2;
    }
    shell.cwd = target;
    return 0;
  },
  pwd: (shell, _argv, io) => {
    io.stdout.write(`${shell.cwd}\n`);
    return 0;
  },
  export: (shell, argv) => {
    for (const a of argv.slice(1)) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (eq >= 0) shell.vars.set(name, a.slice(eq + 1));
      shell.exported.add(name);
    }
    return 0;
  },
  unset: (shell, argv) => {
    for (const a of argv.slice(1)) {
      shell.vars.delete(a);
      shell.exported.delete(a);
    }
    return 0;
  },
  set: (shell, argv) => {
    const dd = argv.indexOf('--');
    if (dd >= 0) shell.positional = argv.slice(dd + 1);
    return 0;
  },
  shift: (shell, argv) => {
    shell.positional = shell.positional.slice(Number(argv[1] ?? 1));
    return 0;
  },
  break: (_shell, argv) => {
    throw new LoopSignal('break', Number(argv[1] ?? 1));
  },
  continue: (_shell, argv) => {
    throw new LoopSignal('continue', Number(argv[1] ?? 1));
  },
  eval: (shell, argv, io) => shell.run(argv.slice(1).join(' '), io),
  exec: async (shell, argv, io) => {
    if (argv.length < 2) return 0;
    throw new ExitSignal(await shell.runArgv(argv.slice(1), io));
  },
  read: async (shell, argv, io) => {
    const names = argv.slice(1).filter((a) => !a.startsWith('-'));
    const line = await io.stdin.readLine();
    if (line === undefined) return 1;
    const words = line.trim().split(/[ \t]+/);
    names.forEach((n, i) => shell.vars.set(n, i === names.length - 1 ? words.slice(i).join(' ') : (words[i] ?? '')));
    if (!names.length) shell.vars.set('REPLY', line);
    return 0;
  },
  ':': () => 0,
  true: () => 0,
  false: () => 1,
};

const builtinNames = new Set(Object.keys(builtins));
