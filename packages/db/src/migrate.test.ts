import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testServers } from '@cronfleet/testing';
import { describe, expect, it } from 'vitest';
import { migrateDatabase, splitDatabaseUrl } from './migrate.js';

describe('migrateDatabase', () => {
  it('creates a missing database, and two migrators racing both succeed', async () => {
    const { postgresAdminUrl } = await testServers();
    const name = `cronfleet_mig_${randomBytes(5).toString('hex')}`;
    const url = new URL(postgresAdminUrl);
    url.pathname = `/${name}`;
    try {
      await Promise.all([
        migrateDatabase({ url: url.toString() }),
        migrateDatabase({ url: url.toString() }),
      ]);
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      const tables = await client.query<{ table_name: string; table_type: string }>(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      const applied = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
      );
      await client.end();
      expect(tables.rows.map((r) => [r.table_name, r.table_type])).toEqual([
        ['run_attempts', 'BASE TABLE'],
        ['schedule_last_outcomes', 'VIEW'],
        ['schedule_runs', 'BASE TABLE'],
        ['schedules', 'BASE TABLE'],
      ]);
      expect(applied.rows[0]!.n).toBeGreaterThanOrEqual(1);
    } finally {
      const admin = new pg.Client({ connectionString: postgresAdminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it.each([
    ['postgres://u@h:5432/fleet', 'fleet'],
    ['postgresql://u:p@h/my%20db?sslmode=require', 'my db'],
  ])('reads the database name from %s', (url, database) => {
    expect(splitDatabaseUrl(url).database).toBe(database);
  });

  it('explains a URL without a database name', () => {
    expect(() => splitDatabaseUrl('postgres://u@h:5432/')).toThrow(/names no database/);
  });
});
