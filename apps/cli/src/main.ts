#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { errorMessage } from '@cronfleet/core';
import { migrateDatabase } from '@cronfleet/db';
import { syncFile } from './commands/sync.js';
import { plan, startProcesses, type Component } from './commands/start.js';
import { createContext, withDb } from './context.js';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
};

const program = new Command('fleet')
  .description('Operate a cronfleet: migrate the database, sync schedules, run the fleet.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('migrate')
  .description('create the database named in DATABASE_URL if missing and apply migrations')
  .action(async () => {
    const ctx = createContext();
    await migrateDatabase({ url: ctx.config.DATABASE_URL, logger: ctx.logger });
    console.log('database is up to date');
  });

program
  .command('sync')
  .description('upsert the schedules in a JSON or YAML file, by key')
  .argument('<file>', 'schedules file (.yaml, .yml or .json)')
  .option('--json', 'print the result as JSON')
  .action(async (file: string, options: { json?: boolean }) => {
    const ctx = createContext();
    const report = await withDb(ctx, (handle) => syncFile(ctx, handle, file));
    if (options.json) console.log(JSON.stringify(report));
    else {
      console.log(`applied ${report.applied.length}: ${report.applied.join(', ') || '—'}`);
      for (const s of report.skipped) console.log(`skipped ${s.key}: ${s.reason}`);
    }
  });

program
  .command('start')
  .description('run fleet processes in the foreground with prefixed logs (Ctrl-C stops them cleanly)')
  .argument('[component]', 'scheduler | worker | all', 'all')
  .option('--workers <n>', 'worker processes to run', positiveInt, 2)
  .option('--sync <file>', 'migrate and sync this schedules file first')
  .option('--json-logs', 'keep the processes’ JSON log lines instead of pretty ones')
  .action(async (component: string, options: { workers: number; sync?: string; jsonLogs?: boolean }) => {
    if (!['scheduler', 'worker', 'all'].includes(component)) {
      throw new InvalidArgumentError(`unknown component "${component}"; use scheduler, worker or all`);
    }
    const ctx = createContext();
    if (options.sync) {
      const file = options.sync;
      await migrateDatabase({ url: ctx.config.DATABASE_URL, logger: ctx.logger });
      const report = await withDb(ctx, (handle) => syncFile(ctx, handle, file));
      console.log(`synced ${report.applied.length} schedules from ${file}`);
    }
    process.exitCode = await startProcesses(plan(component as Component, options.workers), { pretty: !options.jsonLogs });
  });

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`fleet: ${errorMessage(err)}`);
    process.exitCode = 1;
  }
}
