/**
 * How a process reaches the simulated shell: `sh -c`, a command given as argv (kubectl exec -- cmd), or an
 * interactive shell reading stdin — with a terminal's line discipline (echo, backspace, ^C, ^D, CRLF)
 * when a TTY was asked for.
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { emptyIn, nullOut, streamIn, writableOut, type Out } from './io.js';
import { parseScript } from './parse.js';
import type { Shell } from './shell.js';
import type { ExecStdio } from '../behaviour.js';

const shells = new Set(['sh', 'bash', 'ash']);

/** Is argv an interactive shell (a shell with neither -c nor a script file)? */
export function isInteractiveShell(argv: readonly string[]): boolean {
  return argv.length > 0 && shells.has(posix.basename(argv[0])) && !argv.slice(1).some((a) => a === '-c' || !a.startsWith('-'));
}

export class CommandNotFound extends Error {
  constructor(readonly command: string) {
    super(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${command}": executable file not found in $PATH: unknown`);
  }
}

/** Runs argv in the shell as an exec'd process; resolves with its exit code. */
export async function runProcess(shell: Shell, argv: readonly string[], stdio: Partial<ExecStdio>): Promise<number> {
  const tty = !!stdio.tty;
  const stdout = stdio.stdout ? writableOut(stdio.stdout, tty) : nullOut;
  const stderr = stdio.stderr ? writableOut(stdio.stderr, tty) : tty ? stdout : nullOut;
  if (isInteractiveShell(argv)) {
    if (!stdio.stdin) return 0;
    return tty ? ttyRepl(shell, stdio.stdin, stdout) : scriptRepl(shell, stdio.stdin, stdout, stderr);
  }
  if (!shell.has(argv[0] ?? '')) throw new CommandNotFound(argv[0] ?? '');
  return shell.runArgv([...argv], { stdin: stdio.stdin ? streamIn(stdio.stdin) : emptyIn, stdout, stderr });
}

/** `sh` with stdin that is not a terminal: every line is a command, no prompt. */
async function scriptRepl(shell: Shell, stdin: Readable, stdout: Out, stderr: Out): Promise<number> {
  const input = streamIn(stdin);
  let pending = '';
  for (let line = await input.readLine(); line !== undefined; line = await input.readLine()) {
    pending += `${line}\n`;
    const code = await runComplete(shell, pending, { stdin: input, stdout, stderr });
    if (code === 'incomplete') continue;
    pending = '';
    if (code === 'exit') return shell.status;
  }
  return shell.status;
}

/**
 * Runs a chunk of script unless it is an unfinished construct (an open if/while/quote), which waits for
 * more lines. 'exit' when the script ran `exit`.
 */
async function runComplete(shell: Shell, script: string, io: Parameters<Shell['run']>[1]): Promise<number | 'incomplete' | 'exit'> {
  try {
    parseScript(script);
  } catch (err) {
    if (/expected|unterminated|missing/.test((err as Error).message)) return 'incomplete';
  }
  const code = await shell.run(script, io);
  return shell.exited ? 'exit' : code;
}

/** An interactive shell on a terminal: prompt `/ # `, local echo, line editing, ^C and ^D. */
async function ttyRepl(shell: Shell, stdin: Readable, out: Out): Promise<number> {
  const prompt = (): string => `${shell.cwd} # `;
  out.write(prompt());
  let line = '';
  let pending = '';
  let busy = Promise.resolve();
  let done = false;
  return new Promise<number>((resolve) => {
    const finish = (): void => {
      if (done) return;
      done = true;
      stdin.off('data', onData);
      resolve(shell.status);
    };
    /** Runs one entered line; resolves when the shell is ready for the next. */
    const submit = async (text: string): Promise<void> => {
      if (done) return;
      pending += `${text}\n`;
      const code = await runComplete(shell, pending, { stdin: emptyIn, stdout: out, stderr: out });
      if (code === 'incomplete') {
        out.write('> ');
        return;
      }
      pending = '';
      if (code === 'exit') return finish();
      out.write(prompt());
    };
    // Typed-ahead input is echoed only when the shell reads it, as busybox's line editing does.
    const feed = async (text: string): Promise<void> => {
      for (const ch of text) {
        if (done) return;
        if (ch === '\r' || ch === '\n') {
          out.write('\n');
          const entered = line;
          line = '';
          await submit(entered);
        } else if (ch === '\x7f' || ch === '\b') {
          if (line.length) {
            line = line.slice(0, -1);
            out.write('\b \b');
          }
        } else if (ch === '\x03') {
          out.write('^C\n');
          line = '';
          pending = '';
          out.write(prompt());
        } else if (ch === '\x04') {
          if (!line) {
            out.write('\n');
            return finish();
          }
        } else if (ch >= ' ' || ch === '\t') {
          line += ch;
          out.write(ch);
        }
      }
    };
    const onData = (chunk: Buffer | string): void => {
      const text = Buffer.from(chunk).toString('utf8');
      busy = busy.then(() => feed(text));
    };
    stdin.on('data', onData);
    stdin.once('end', () => void busy.then(finish));
    stdin.once('close', () => void busy.then(finish));
  });
}
