/**
 * Bundles the CLI from the TypeScript sources into dist/cli/main.cjs: one file to parse instead of
 * ~200 modules to resolve, read and link. CommonJS, so that bin/kubemock.js can compile it through
 * vm.Script with V8's code cache (ES modules cannot use one on Node 20); a run of `serve` then writes
 * the cache. tsx and etcd3 stay outside: they locate files of their own. Type-checking is tsc's job
 * (npm run build runs both).
 */
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');

export async function bundleCli(): Promise<void> {
  const outdir = join(root, 'dist', 'cli');
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'server', 'cli', 'main.ts')],
    outfile: join(outdir, 'main.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['tsx', 'etcd3'],
    // the sources are ES modules: give them import.meta as a CommonJS file has it
    define: { 'import.meta.url': 'kubemockImportMetaUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: "const kubemockImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  await asciiOnly(join(outdir, 'main.cjs'));
  await warmCodeCache();
}

/**
 * esbuild escapes non-ASCII in strings but keeps it in comments, and one such character makes V8 hold
 * the whole 5 MB source as a two-byte string decoded the slow way. Escaped, the file is ASCII, which
 * bin/kubemock.js reads as latin1 in a third of the time. A \u escape means the same character
 * in a comment, string, template, regular expression or identifier.
 */
async function asciiOnly(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Starts `kubemock serve` on free loopback ports once and stops it when ready: bin/kubemock.js writes the code cache as it exits. */
function warmCodeCache(): Promise<void> {
  return new Promise((resolve) => {
    const args = ['serve', '--port', '0', '--dns-port', '0', '--grpc-port', '0', '--log-level', 'warn'];
    const child = spawn(process.execPath, [join(root, 'bin', 'kubemock.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('kubemock ready:')) child.kill('SIGTERM');
    });
    // without a cache the CLI still works, only slower to start: never fail the build for it
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.on('error', () => resolve());
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await bundleCli();
