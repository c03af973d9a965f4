#!/usr/bin/env node
import { baseEnvSchema, createLogger, errorMessage, loadConfig } from '@cronfleet/core';
import { migrateDatabase } from './migrate.js';

// `pnpm db:migrate`: create the database named in DATABASE_URL if needed and apply migrations.
try {
  const config = loadConfig(baseEnvSchema);
  const logger = createLogger({
    name: 'migrate',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });
  await migrateDatabase({ url: config.DATABASE_URL, logger });
} catch (err) {
  console.error(`migrate failed: ${errorMessage(err)}`);
  process.exitCode = 1;
}
