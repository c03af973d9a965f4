import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

const MIGRATIONS = fileURLToPath(new URL('../../../drizzle', import.meta.url));
const TEMPLATE_LOCK = 0x74706c; // "tpl"

/** The template's name changes with the migrations, so a stale template is never used. */
function templateName(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(entry.name).update(readFileSync(path));
    }
  };
  walk(MIGRATIONS);
  return `cronfleet_tpl_${hash.digest('hex').slice(0, 12)}`;
}

function urlFor(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('SET client_min_messages = warning');
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Builds the migrated template once per migration set. Test files in parallel
 * processes take an advisory lock; the first builds under a temporary name and
 * renames it, so nobody ever clones a half-built template.
 */
async function ensureTemplate(adminUrl: string): Promise<string> {
  const name = templateName();
  return withAdmin(adminUrl, async (admin) => {
    const exists = async (db: string) =>
      ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db])).rowCount ?? 0) > 0;
    if (await exists(name)) return name;
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      if (await exists(name)) return name;
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const client = new pg.Client({ connectionString: urlFor(adminUrl, building) });
      await client.connect();
      try {
        await client.query('SET client_min_messages = warning');
        await migrate(drizzle(client), { migrationsFolder: MIGRATIONS });
      } finally {
        await client.end();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      const stale = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'cronfleet\\_tpl\\_%' AND datname <> $1",
        [name],
      );
      for (const row of stale.rows) {
        await admin
          .query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(row.datname)} WITH (FORCE)`)
          .catch(() => undefined);
      }
      return name;
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from the template. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const template = await ensureTemplate(adminUrl);
  const name = `cronfleet_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: urlFor(adminUrl, name),
    async drop() {
      if (process.env.KEEP_TEST_DB) return;
      await withAdmin(adminUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}
