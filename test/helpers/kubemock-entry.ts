// Runs the kubemock CLI from source, for tests that need it as a separate process (crash tests).
import { main } from '../../server/cli/main.js';

main(process.argv).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
