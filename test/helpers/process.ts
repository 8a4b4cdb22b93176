import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface KubemockProcess {
  child: ChildProcess;
  urls: Record<string, string>;
  stderr(): string;
  /** SIGTERM and wait; use child.kill('SIGKILL') for a crash. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

const fromSource = ['--import', 'tsx', join(import.meta.dirname, 'kubemock-entry.ts')];
/** What `npx kubemock` and `npm start` run: the bundle in dist/cli. */
export const installedBin = [join(import.meta.dirname, '..', '..', 'bin', 'kubemock.js')];

/** Starts `kubemock serve` (from source unless told which entry) and waits for its `kubemock ready:` line. */
export function spawnKubemock(args: string[], timeoutMs = 20_000, entry: string[] = fromSource): Promise<KubemockProcess> {
  const child = spawn(process.execPath, [...entry, 'serve', '--port', '0', '--dns-port', '0', '--grpc-port', '0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubemock did not get ready: ${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('kubemock ready:'));
      if (!line) return;
      clearTimeout(timer);
      const urls = Object.fromEntries(line.slice('kubemock ready:'.length).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
      resolve({
        child, urls, exited,
        stderr: () => err,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubemock exited (${code}) before it was ready: ${err}`));
    });
  });
}
