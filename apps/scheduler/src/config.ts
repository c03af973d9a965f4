import { hostname } from 'node:os';
import { baseEnvSchema, envHelpers, loadConfig } from '@cronfleet/core';
import { z } from 'zod';

export const schedulerEnvSchema = baseEnvSchema.extend({
  SCHEDULER_POLL_MS: envHelpers.positiveInt(1_000, 10, 60_000),
  SCHEDULER_BATCH_SIZE: envHelpers.positiveInt(500, 1, 10_000),
  RELAY_GRACE_MS: envHelpers.positiveInt(15_000, 1_000, 3_600_000),
  RELAY_INTERVAL_MS: envHelpers.positiveInt(5_000, 100, 600_000),
  HEALTH_PORT: envHelpers.port(0),
  SHUTDOWN_TIMEOUT_MS: envHelpers.positiveInt(10_000, 100, 600_000),
  SCHEDULER_ID: z.string().trim().min(1).max(200).default(`${hostname()}-${process.pid}`),
});

export type SchedulerConfig = z.infer<typeof schedulerEnvSchema>;

export function loadSchedulerConfig(env?: Record<string, string | undefined>): SchedulerConfig {
  return loadConfig(schedulerEnvSchema, env);
}
