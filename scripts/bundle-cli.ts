/**
 * Bundles the CLI from the TypeScript sources into dist/cli/: one file to parse instead of ~200 modules
 * to resolve, read and link halves a cold start. Dynamic imports (etcd, ws, tar) stay separate chunks,
 * loaded when first used. tsx and etcd3 stay outside: they locate files of their own. Type-checking is
 * tsc's job (npm run build runs both).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');

export async function bundleCli(): Promise<void> {
  const outdir = join(root, 'dist', 'cli');
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'server', 'cli', 'main.ts')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['tsx', 'etcd3'],
    // CommonJS dependencies call require(); an ES module has none of its own
    banner: { js: "import { createRequire as kubemockCreateRequire } from 'node:module'; const require = kubemockCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await bundleCli();
