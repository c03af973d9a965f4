import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';

/** Something that can run SQL: the pooled db or a transaction. */
export type Executor = Pick<Db, 'execute'>;

/** One bound parameter holding a whole array, for `unnest($1::uuid[])`. */
export const arr = (values: readonly unknown[]): SQL => sql`${sql.param(values)}`;

/** Runs a statement and returns its rows with the caller's row type. */
export async function rowsOf<T>(ex: Executor, query: SQL): Promise<T[]> {
  const result = await ex.execute(query);
  return result.rows as T[];
}

/** JSON values travel to jsonb[] parameters as text. */
export const jsonText = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);
