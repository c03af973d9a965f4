import { baseEnvSchema, createLogger, loadConfig, type Logger } from '@cronfleet/core';
import { createDb, type DbHandle } from '@cronfleet/db';
import { createBuiltinHandlers } from '@cronfleet/handlers';
import { createScheduleService, type ScheduleService } from '@cronfleet/service';
import { emit } from './format.js';
import { openQueue } from './queue.js';

/** What every database command needs, built from the environment alone. */
export interface CliContext {
  config: ReturnType<typeof loadCliConfig>;
  logger: Logger;
}

export function loadCliConfig() {
  return loadConfig(baseEnvSchema);
}

export function createContext(): CliContext {
  const config = loadCliConfig();
  // Commands print for people; logs go to stderr so `--json` output stays clean.
  const logger = createLogger({
    name: 'fleet',
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
    format: 'pretty',
    destination: process.stderr,
  });
  return { config, logger };
}

export async function withDb<T>(ctx: CliContext, fn: (handle: DbHandle) => Promise<T>): Promise<T> {
  const handle = createDb({
    url: ctx.config.DATABASE_URL,
    logger: ctx.logger,
    max: 2,
    applicationName: 'cronfleet-cli',
  });
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

/**
 * The schedule service on a fresh pool, closed afterwards. With `queue`, runs
 * it writes (run now, backfill) are handed to Redis; without, they stay
 * `pending` for the scheduler's relay.
 */
export async function withService<T>(
  ctx: CliContext,
  opts: { queue?: boolean },
  fn: (service: ScheduleService) => Promise<T>,
): Promise<T> {
  return withDb(ctx, async (handle) => {
    const known = createBuiltinHandlers({ db: handle.db }).map((h) => h.name);
    const queue = opts.queue ? await openQueue(ctx) : undefined;
    try {
      const service = createScheduleService({
        db: handle.db,
        queue,
        logger: ctx.logger,
        knownHandlers: () => known,
      });
      return await fn(service);
    } finally {
      await queue?.close().catch((err: unknown) => ctx.logger.warn({ err }, 'closing the queue'));
    }
  });
}

export const JSON_HELP = 'print the result as one JSON document';

/** Every command's `--json`. */
export interface JsonOption {
  json?: boolean;
}

/** Calls the service, then prints its result as JSON (`--json`) or as lines for people. */
export async function serve<T>(
  opts: JsonOption,
  call: (service: ScheduleService) => Promise<T>,
  human: (result: T) => string[],
  deps: { queue?: boolean } = {},
): Promise<void> {
  const ctx = createContext();
  const result = await withService(ctx, deps, call);
  emit(opts, result, () => human(result));
}
