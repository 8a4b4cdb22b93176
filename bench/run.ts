/**
 * `npm run bench [-- --quick] [-- --only=get,dns]`: measures kubemock on this machine, each figure
 * beside its reference in the same run, prints a table and writes bench/results.json.
 * Set BENCH_CPU_PROF=<dir> to write a CPU profile of every server process.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fullSizes, quickSizes, type Progress, type Row, type Sizes } from './lib/figure.js';
import { closeHttpAgent } from './lib/load.js';
import { epochMs } from './lib/stats.js';
import { renderTable } from './lib/table.js';
import { dns } from './figures/dns.js';
import { grpc } from './figures/grpc.js';
import { creates, getByName, lists } from './figures/http.js';
import { memory } from './figures/memory.js';
import { startup } from './figures/startup.js';
import { statefulSets } from './figures/statefulset.js';
import { watchFanOut } from './figures/watch.js';

type Figure = (sizes: Sizes, progress: Progress) => Promise<Row[]>;

const figures: [string, Figure][] = [
  ['startup', startup],
  ['get', getByName],
  ['create', creates],
  ['list', lists],
  ['watch', watchFanOut],
  ['sts', statefulSets],
  ['dns', dns],
  ['grpc', grpc],
  ['memory', memory],
];

function parseArgs(argv: string[]): { quick: boolean; only?: Set<string>; out: string } {
  const quick = argv.includes('--quick');
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const out = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length) ?? join(import.meta.dirname, 'results.json');
  return { quick, only: only ? new Set(only.split(',')) : undefined, out };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sizes = args.quick ? quickSizes : fullSizes;
  const t0 = epochMs();
  const progress: Progress = (m) => process.stderr.write(`[${((epochMs() - t0) / 1000).toFixed(1).padStart(5)}s] ${m}\n`);
  const machine = {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
  };
  progress(`kubemock bench${sizes.quick ? ' --quick (smaller sizes, shorter loads)' : ''}: ${machine.cores} cores, Node ${machine.node}`);
  const rows: Row[] = [];
  const failures: { figure: string; error: string }[] = [];
  for (const [id, fn] of figures) {
    if (args.only && !args.only.has(id)) continue;
    try {
      rows.push(...(await fn(sizes, progress)));
    } catch (e) {
      progress(`${id} failed: ${(e as Error).message}`);
      failures.push({ figure: id, error: (e as Error).message });
    }
  }
  closeHttpAgent();
  const seconds = (epochMs() - t0) / 1000;
  process.stdout.write(`\n${renderTable(rows)}\n`);
  process.stdout.write(`\n${rows.filter((r) => r.pass).length}/${rows.length} targets met; ${machine.cores} cores, Node ${machine.node}, ${seconds.toFixed(0)} s${sizes.quick ? ', --quick sizes' : ''}\n`);
  for (const f of failures) process.stdout.write(`FAILED ${f.figure}: ${f.error}\n`);
  writeFileSync(args.out, JSON.stringify({ machine, quick: sizes.quick, sizes, seconds, figures: rows, failures }, null, 2) + '\n');
  progress(`wrote ${args.out}`);
  if (failures.length) process.exitCode = 1;
}

await main();
