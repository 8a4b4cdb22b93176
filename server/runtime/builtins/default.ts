/**
 * The behaviour of images kubemock knows nothing about, and busybox: the container runs its command
 * through the simulated shell when the shell knows the command (so `sleep 3600`, `sh -c '...'` and
 * `exit 1` behave), and otherwise simply runs, logs that it started and serves nothing.
 */
import type { Behaviour, BehaviourContext } from '../behaviour.js';
import { isInteractiveShell } from '../shell/session.js';

/** Runs argv as the main process; its end is the container's exit. */
export function runMainProcess(ctx: BehaviourContext, argv: readonly string[]): void {
  if (isInteractiveShell(argv) && !ctx.stdin) {
    // a shell with stdin closed reads end-of-file at once and exits 0, as a real one does
    ctx.exit(0);
    return;
  }
  const stdio = ctx.stdin ? { stdin: ctx.stdin, tty: !!ctx.container.tty } : {};
  void ctx.run(argv, stdio).then(
    (code) => {
      if (!ctx.signal.aborted) ctx.exit(code);
    },
    (err: unknown) => {
      ctx.log.stderr(String(err));
      if (!ctx.signal.aborted) ctx.exit(1);
    },
  );
}

export const defaultBehaviour: Behaviour = {
  name: 'default',
  start(ctx) {
    const argv = ctx.argv;
    if (argv.length && ctx.hasCommand(argv[0])) {
      runMainProcess(ctx, argv);
      return;
    }
    ctx.log.stdout(`kubemock: simulated container ${ctx.container.name} (${ctx.container.image ?? ''}) started${argv.length ? `: ${argv.join(' ')}` : ''}`);
  },
};

/** busybox: the image's command is `sh`, which exits at once unless stdin is open. */
export const busyboxBehaviour: Behaviour = {
  name: 'busybox',
  start(ctx) {
    runMainProcess(ctx, ctx.argv.length ? ctx.argv : ['sh']);
  },
};
