import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { withTimeout, type Logger } from '@cronfleet/core';
import * as schema from './schema.js';

const CLOSE_BOUND_MS = 5_000;

/** The drizzle database over a pg Pool (`$client`), which the hot-path queries use directly. */
export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  url: string;
  logger?: Logger;
  /** Pool size; a scheduler needs few, a busy worker a few more. */
  max?: number;
  applicationName?: string;
}

/**
 * A pooled connection. Clients that the server drops (restart,
 * pg_terminate_backend), idle or in use, are logged and replaced, so a
 * dropped connection never crashes the process.
 */
export function createDb(opts: CreateDbOptions): DbHandle {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    // Room for a loaded host: on a 2-core CI machine starting browsers and
    // worker processes, a local connection once took over 5 s to open.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'cronfleet',
    // Our statements touch rows by primary key; with the default cost of a
    // random page (4, for spinning disks) generic plans prefer scanning a
    // whole table to a few index probes. 1.1 is the usual value for SSDs or
    // a working set in memory, and applies to these sessions only.
    options: '-c random_page_cost=1.1',
  });
  // Once close() has begun, a server that ends the connections first (a
  // database dropped WITH (FORCE) right after) is no failure worth a warning.
  let closed = false;
  pool.on('error', (err) => {
    if (closed) return;
    opts.logger?.warn({ err }, 'idle Postgres connection failed; the pool will replace it');
  });
  // The pool listens for errors only while a client is idle. A checked-out
  // client whose server connection dies (restart, pg_terminate_backend) emits
  // 'error' too; without a listener Node would treat it as uncaught and stop
  // the process. The query in flight still rejects and its caller handles it.
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      if (closed) return;
      opts.logger?.warn(
        { err },
        'Postgres connection failed while in use; the pool will replace it',
      );
    });
  });
  const db = drizzle(pool, { schema });
  return {
    db,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      // pool.end() waits for every checked-out client; one stuck on a dead
      // server connection must not hold a shutdown forever.
      await withTimeout(
        pool.end().catch(() => undefined),
        CLOSE_BOUND_MS,
      );
    },
  };
}
