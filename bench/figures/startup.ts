/** Start-up: spawn to the `kubemock ready:` line, median of several runs. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { row, type Progress, type Row, type Sizes } from '../lib/figure.js';
import { epochMs, median } from '../lib/stats.js';

const root = join(import.meta.dirname, '..', '..');
const serveArgs = ['serve', '--port', '0', '--dns-port', '0', '--grpc-port', '0', '--log-level', 'warn'];

/**
 * Spawn to the first stdout holding `marker`, then SIGTERM (a bare `node -e` has exited by then).
 * The same clock serves kubemock and the bare Node process it is measured beside.
 */
function timeToLine(argv: string[], marker: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = epochMs();
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ms: number | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ms === undefined && out.includes(marker)) {
        ms = epochMs() - t;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (ms !== undefined) resolve(ms);
      else reject(new Error(`exited (${code}) before printing ${marker}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

export async function startup(sizes: Sizes, progress: Progress): Promise<Row[]> {
  const compiled = [join(root, 'bin', 'kubemock.js'), ...serveArgs];
  const viaTsx = ['--import', 'tsx', join(root, 'test', 'helpers', 'kubemock-entry.ts'), ...serveArgs];
  let argv = existsSync(join(root, 'dist', 'cli', 'main.cjs')) ? compiled : viaTsx;
  let how = argv === compiled ? 'bin/kubemock.js on the bundle in dist/cli, with the code cache the build wrote' : 'via tsx (no dist/cli)';
  const samples: number[] = [];
  for (let i = 0; i < sizes.startupRuns; i++) {
    progress(`start-up run ${i + 1}/${sizes.startupRuns} (${how})`);
    try {
      samples.push(await timeToLine(argv, 'kubemock ready:'));
    } catch (e) {
      if (argv !== compiled) throw e;
      // A dist/ older than the sources may lack options the CLI now has: say so and use the sources.
      how = `via tsx (dist/ did not start: ${(e as Error).message.slice(0, 120)}; run npm run build)`;
      argv = viaTsx;
      i--;
    }
  }
  const bare: number[] = [];
  for (let i = 0; i < sizes.startupRuns; i++) {
    progress(`bare node start-up run ${i + 1}/${sizes.startupRuns}`);
    bare.push(await timeToLine(['-e', "console.log('up')"], 'up'));
  }
  return [row({
    id: 'startup', figure: 'start-up (spawn to ready)', value: median(samples), unit: 'ms',
    reference: { label: 'bare node -e printing a line', value: median(bare) },
    target: { on: 'value', op: '<=', limit: 250 }, targetText: '≤ 250 ms',
    note: `median of ${samples.length}, ${how}; runs ${samples.map((s) => Math.round(s)).join('/')} ms`,
  })];
}
