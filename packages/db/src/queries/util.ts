import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';

/** Something that can run SQL: the pooled db or a transaction. */
export type Executor = Pick<Db, 'execute'>;

/** One bound parameter holding a whole array, for `unnest($1::uuid[])`. */
export const arr = (values: readonly unknown[]): SQL => sql`${sql.param(values)}`;

/**
 * Runs a statement and returns its rows with the caller's row type. Drizzle's
 * driver leaves timestamps of raw statements as text, so the caller names the
 * columns to turn into Dates.
 */
export async function rowsOf<T>(
  ex: Executor,
  query: SQL,
  dates: readonly (keyof T & string)[] = [],
): Promise<T[]> {
  const result = await ex.execute(query);
  const rows = result.rows;
  if (dates.length > 0) {
    for (const row of rows) {
      for (const column of dates) {
        const value = row[column];
        if (typeof value === 'string') row[column] = new Date(value);
      }
    }
  }
  return rows as T[];
}

/**
 * Postgres text and jsonb cannot hold U+0000, and one such value fails the
 * whole statement it is in (for the worker, a batch of other runs' outcomes).
 * It is stored as U+FFFD instead.
 */
export const pgText = (text: string): string =>
  text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;

/** `\u0000` escapes in JSON text, not preceded by an escaping backslash. */
const JSON_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** JSON values travel to jsonb[] parameters as text, with NULs replaced as in pgText. */
export function jsonText(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text.includes('\\u0000') ? text.replace(JSON_NUL, '$1\\ufffd') : text;
}
