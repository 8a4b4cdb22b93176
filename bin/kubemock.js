#!/usr/bin/env node
// Runs the bundled CLI (dist/cli/main.cjs, built by `npm run build`, which `npm install` runs through
// `prepare`) with V8's code cache: compiling the 5 MB bundle was half of start-up, and Node 20 has no
// module.enableCompileCache. Falls back to the unbundled dist/server when only tsc has run.
// CommonJS (bin/package.json says so): an ES module entry costs Node 20 about 10 ms more to start.
'use strict';
const { isAscii } = require('node:buffer');
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'cli', 'main.cjs');

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
  // the build leaves the bundle ASCII (scripts/bundle-cli.ts), and latin1 is the fast way to read it
  const bytes = readFileSync(bundle);
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const loaded = { exports: {} };
  script.runInThisContext()(loaded.exports, Module.createRequire(bundle), loaded, bundle, dirname(bundle));
  // written at exit, so it holds every function this run compiled, not only the top level
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => saveCache(script, cacheFile));
  return loaded.exports;
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
