import { hostname } from 'node:os';
import { baseEnvSchema, envHelpers, loadConfig } from '@cronfleet/core';
import { z } from 'zod';

export const workerEnvSchema = baseEnvSchema.extend({
  WORKER_CONCURRENCY: envHelpers.positiveInt(10, 1, 1_000),
  /** Unset: as many as WORKER_CONCURRENCY. */
  WORKER_PREFETCH: envHelpers.positiveInt(0, 0, 1_000).optional(),
  HEALTH_PORT: envHelpers.port(0),
  SHUTDOWN_TIMEOUT_MS: envHelpers.positiveInt(30_000, 100, 3_600_000),
  WORKER_ID: z.string().trim().min(1).max(200).default(`${hostname()}-${process.pid}`),
});

export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export function loadWorkerConfig(env?: Record<string, string | undefined>): WorkerConfig {
  return loadConfig(workerEnvSchema, env);
}
