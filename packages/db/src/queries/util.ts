import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';

/** Something that can run SQL: the pooled db or a transaction. */
export type Executor = Pick<Db, 'execute'>;

/** One bound parameter holding a whole array, for `unnest($1::uuid[])`. */
export const arr = (values: readonly unknown[]): SQL => sql`${sql.param(values)}`;

/** UUID-shaped ids (36 hex digits and dashes) separated by commas. */
const UUID_LIST = /^(?:[0-9a-fA-F-]{36}(?:,[0-9a-fA-F-]{36})*)?$/;

/**
 * A `uuid[]` parameter written as an array literal in one join. node-postgres
 * encodes an array element by element, quoting and escaping each, and the
 * worker sends several for every batch of jobs. Ids that are not all
 * UUID-shaped go to node-postgres as they are, so that Postgres refuses them
 * one by one and no stray comma can split or merge elements.
 */
export function uuidArrayParam(ids: readonly string[]): string | readonly string[] {
  // With every id 36 characters long, a list of that shape has its commas
  // only between ids.
  if (!ids.every((id) => id.length === 36)) return ids;
  const list = ids.join(',');
  return UUID_LIST.test(list) ? `{${list}}` : ids;
}

/** A numeric array parameter as a literal: numbers in the form node-postgres would send them. */
export const numberArrayParam = (values: readonly number[]): string => `{${values.join(',')}}`;

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

/** Unpaired UTF-16 surrogates: JSON.stringify escapes them, and jsonb refuses the escape. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** What jsonb may refuse in JSON text: a NUL escape or a surrogate escape (false alarms cost a re-encode). */
const SUSPECT_ESCAPE = /\\u(0000|d[89a-f])/i;

const storable = (text: string): string => pgText(text).replace(LONE_SURROGATE, '\uFFFD');

/** A parsed JSON value with every key and string made storable. */
function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [storable(k), storableValue(v)]),
    );
  }
  return value;
}

/**
 * JSON values travel to jsonb[] parameters as text. NULs and unpaired
 * surrogates, which jsonb refuses, are stored as U+FFFD.
 */
export function jsonText(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (!SUSPECT_ESCAPE.test(text)) return text;
  return JSON.stringify(storableValue(JSON.parse(text)));
}
