#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerMigrate } from './commands/migrate.js';
import { registerRuns } from './commands/runs.js';
import { registerSchedules } from './commands/schedules.js';
import { registerStart } from './commands/start.js';
import { registerSync } from './commands/sync.js';
import { describeError, oneLine } from './errors.js';

/**
 * `fleet`: exit 0 on success, 2 for usage errors (unknown command or option,
 * a bad option value), 1 for everything else. Errors are one line on stderr,
 * `fleet: <message>`; results go to stdout, logs to stderr.
 */
const program = new Command('fleet')
  .description('Operate a cronfleet: schedules, runs, migrations, sync, the fleet processes.')
  .exitOverride();

registerSchedules(program);
registerRuns(program);
registerSync(program);
registerMigrate(program);
registerStart(program);

const commandPath = (cmd: Command): string =>
  cmd.parent ? `${commandPath(cmd.parent)} ${cmd.name()}` : cmd.name();

/** Every command reports usage errors as one line that points at its own help. */
function oneLineUsageErrors(cmd: Command): void {
  const help = `see '${commandPath(cmd)} --help'`;
  cmd.configureOutput({
    outputError: (message, write) =>
      write(`fleet: ${oneLine(message.replace(/^error: /, ''))} (${help})\n`),
  });
  for (const sub of cmd.commands) oneLineUsageErrors(sub);
}
oneLineUsageErrors(program);

function fail(err: unknown): void {
  process.stderr.write(`fleet: ${describeError(err)}\n`);
  process.exitCode = 1;
}
// Whatever escapes (a stray socket error): still one line, never a stack trace.
const crash = (err: unknown) => {
  fail(err);
  process.exit(1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

try {
  await program.parseAsync();
} catch (err) {
  // Commander has already printed its message (or the help it was asked for).
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else fail(err);
}
// The command is done: should a connection linger (Redis gone mid-command), do not hang on it.
setTimeout(() => process.exit(), 5_000).unref();
