#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { errorMessage } from '@cronfleet/core';
import { migrateDatabase } from '@cronfleet/db';
import { formatSyncResult, syncFile } from './commands/sync.js';
import { plan, startProcesses, type Component } from './commands/start.js';
import { createContext, withDb } from './context.js';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');
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
  .description(
    'make the stored schedules match a JSON or YAML file, by key: print the plan, then apply it',
  )
  .argument('<file>', 'schedules file (.yaml, .yml or .json)')
  .option('--dry-run', 'print the plan without writing anything')
  .option('--prune', 'remove schedules the file no longer names')
  .option('--json', 'print { plan, skipped, applied } as JSON')
  .action(async (file: string, options: { dryRun?: boolean; prune?: boolean; json?: boolean }) => {
    const ctx = createContext();
    const opts = { dryRun: options.dryRun ?? false, prune: options.prune ?? false };
    const result = await withDb(ctx, (handle) => syncFile(ctx, handle, file, opts));
    if (options.json) console.log(JSON.stringify(result));
    else for (const line of formatSyncResult(result, opts)) console.log(line);
  });

program
  .command('start')
  .description(
    'run fleet processes in the foreground with prefixed logs (Ctrl-C stops them cleanly)',
  )
  .argument('[component]', 'scheduler | worker | all', 'all')
  .option('--workers <n>', 'worker processes to run', positiveInt, 2)
  .option('--sync <file>', 'migrate and sync this schedules file first')
  .option('--json-logs', 'keep the processes’ JSON log lines instead of pretty ones')
  .action(
    async (component: string, options: { workers: number; sync?: string; jsonLogs?: boolean }) => {
      if (!['scheduler', 'worker', 'all'].includes(component)) {
        throw new InvalidArgumentError(
          `unknown component "${component}"; use scheduler, worker or all`,
        );
      }
      const ctx = createContext();
      if (options.sync) {
        const file = options.sync;
        await migrateDatabase({ url: ctx.config.DATABASE_URL, logger: ctx.logger });
        const { plan, skipped } = await withDb(ctx, (handle) => syncFile(ctx, handle, file));
        console.log(
          `synced ${file}: ${plan.create.length} created, ${plan.update.length} updated, ${plan.unchanged.length} unchanged`,
        );
        for (const s of skipped) console.log(`skipped ${s.key}: ${s.reason}`);
      }
      process.exitCode = await startProcesses(plan(component as Component, options.workers), {
        pretty: !options.jsonLogs,
      });
    },
  );

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
