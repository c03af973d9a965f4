import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from '@cronfleet/core';

/** drizzle/ at the repository root, from src/ or dist/ alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/** Any constant works; it only has to be the same for every migrator. */
const MIGRATION_LOCK_KEY = 0x63726f6e; // "cron"

export interface MigrateOptions {
  url: string;
  logger?: Logger;
  migrationsFolder?: string;
}

/** The database name in a postgres URL, and a URL for the server's maintenance database. */
export function splitDatabaseUrl(url: string): { database: string; maintenanceUrl: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database)
    throw new Error(`DATABASE_URL names no database: add one, e.g. ${parsed.origin}/cronfleet`);
  parsed.pathname = '/postgres';
  return { database, maintenanceUrl: parsed.toString() };
}

/** Creates the database when it is missing. Two callers racing both succeed. */
export async function ensureDatabase(url: string, logger?: Logger): Promise<boolean> {
  const { database, maintenanceUrl } = splitDatabaseUrl(url);
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      logger?.info({ database }, 'created database');
      return true;
    } catch (err) {
      // 42P04 duplicate_database, 23505 when two CREATEs race on pg_database.
      const code = (err as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw err;
    }
  } finally {
    await client.end();
  }
}

/**
 * Creates the database if needed and applies pending migrations. A session
 * advisory lock makes concurrent migrators (several replicas starting at once)
 * take turns; the later ones find nothing left to apply.
 */
export async function migrateDatabase(opts: MigrateOptions): Promise<void> {
  await ensureDatabase(opts.url, opts.logger);
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  try {
    await client.query('SET client_min_messages = warning');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), {
        migrationsFolder: opts.migrationsFolder ?? MIGRATIONS_FOLDER,
      });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
    opts.logger?.info('database migrations are up to date');
  } finally {
    await client.end();
  }
}
