#!/usr/bin/env node
// Runs the bundled CLI (dist/cli, built by `npm run build`, which `npm install` runs through `prepare`);
// the unbundled dist/server/ when only tsc has run.
const load = () => import('../dist/cli/main.js').catch((err) => {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
  return import('../dist/server/cli/main.js');
});
load().then((m) => m.main(process.argv)).catch((err) => {
  console.error(err);
  process.exit(1);
});
