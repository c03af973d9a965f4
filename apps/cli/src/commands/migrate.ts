/** `fleet migrate`. */
import type { Command } from 'commander';
import { migrateDatabase } from '@cronfleet/db';
import { JSON_HELP, createContext, type JsonOption } from '../context.js';
import { emit } from '../format.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create the database named in DATABASE_URL if missing and apply migrations')
    .option('--json', JSON_HELP)
    .action(async (opts: JsonOption) => {
      const ctx = createContext();
      await migrateDatabase({ url: ctx.config.DATABASE_URL, logger: ctx.logger });
      emit(opts, { migrated: true }, () => ['database is up to date']);
    });
}
