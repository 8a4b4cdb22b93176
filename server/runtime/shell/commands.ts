import { fileCommands } from './file-commands.js';
import { netCommands } from './net-commands.js';
import type { CommandTable, ShellCommand } from './shell.js';
import { tar } from './tar-command.js';

/** Every command the simulated shell knows, by name. */
export function defaultCommands(extra: Record<string, ShellCommand> = {}): CommandTable {
  return new Map(Object.entries({ ...fileCommands, ...netCommands, tar, ...extra }));
}
