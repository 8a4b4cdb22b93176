#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it through the `prepare` script.
import('../dist/server/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err);
  process.exit(1);
});
