import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the generated openapi/ directory is: beside server/ when run from source, one level further up
 * when run from the compiled dist/server/. Resolved once, without reading any document.
 */
let cachedDir: string | undefined;

export function openapiDir(): string {
  if (cachedDir) return cachedDir;
  const candidates = ['../../openapi/', '../../../openapi/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const found = candidates.find((dir) => existsSync(`${dir}kubemock.json`));
  if (!found) throw new Error(`openapi documents not found (looked in ${candidates.join(', ')}); run scripts/generate-openapi.ts`);
  cachedDir = found;
  return found;
}

export function readOpenapiFile(relativePath: string): Buffer {
  return readFileSync(`${openapiDir()}${relativePath}`);
}
