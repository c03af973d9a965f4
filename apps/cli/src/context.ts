import { baseEnvSchema, createLogger, loadConfig, type Logger } from '@cronfleet/core';
import { createDb, type DbHandle } from '@cronfleet/db';

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
