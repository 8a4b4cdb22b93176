#!/usr/bin/env node
// Runs the bundled CLI (dist/cli/main.cjs, built by `npm run build`, which `npm install` runs through
// `prepare`) with V8's code cache: compiling the 5 MB bundle was half of start-up, and Node 20 has no
// module.enableCompileCache. Falls back to the unbundled dist/server when only tsc has run.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));

function loadBundle() {
  // the cache is keyed by the bundle's size and time, so a rebuilt bundle never meets an old cache
  const { size, mtimeMs } = statSync(bundle);
  const cacheFile = `${bundle}.${size}-${Math.trunc(mtimeMs)}.cache`;
  // Node 20 refuses import() in code compiled through vm: the bundle borrows this module's (server/runtime/import-module.ts)
  globalThis[Symbol.for('kubemock.import')] = (specifier) => import(specifier);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  // written at exit, so it holds every function this run compiled, not only the top level
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => saveCache(script, cacheFile));
  return module.exports;
}

function saveCache(script, file) {
  try {
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, file);
  } catch {
    // a read-only install runs without the cache
  }
}

async function load() {
  try {
    return loadBundle();
  } catch (err) {
    if (err?.code !== 'ENOENT' || err.path !== bundle) throw err;
    return import('../dist/server/cli/main.js');
  }
}

load().then((m) => m.main(process.argv)).catch((err) => {
  console.error(err);
  process.exit(1);
});
