import { baseEnvSchema, envHelpers, loadConfig } from '@cronfleet/core';
import { z } from 'zod';

const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

/** A token long enough that guessing it is hopeless; compared in constant time. */
const token = () =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw?.trim();
      if (!value) return undefined;
      if (value.length < 16 || /\s/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            'must be at least 16 characters without spaces, e.g. the output of `openssl rand -hex 32`',
        });
        return z.NEVER;
      }
      return value;
    });

export const dashboardEnvSchema = baseEnvSchema
  .extend({
    DASHBOARD_PORT: envHelpers.port(3000),
    /** Unset: 0.0.0.0 when a token is configured, else 127.0.0.1 (no auth means local only). */
    DASHBOARD_HOST: z.string().trim().min(1).max(255).optional(),
    /** Operators: may change schedules and act on jobs. */
    DASHBOARD_TOKEN: token(),
    /** Viewers: read-only. */
    DASHBOARD_VIEWER_TOKEN: token(),
    DASHBOARD_SESSION_HOURS: envHelpers.positiveInt(12, 1, 24 * 30),
    /** Trust X-Forwarded-* from a reverse proxy (client address, https for Secure cookies). */
    DASHBOARD_TRUST_PROXY: envHelpers.boolean(false),
    /** The schedulers' poll interval: a schedule later than this is counted as overdue in /api/stats. */
    SCHEDULER_POLL_MS: envHelpers.positiveInt(1_000, 10, 60_000),
    SHUTDOWN_TIMEOUT_MS: envHelpers.positiveInt(10_000, 100, 600_000),
  })
  .superRefine((env, ctx) => {
    if (env.DASHBOARD_TOKEN && env.DASHBOARD_TOKEN === env.DASHBOARD_VIEWER_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['DASHBOARD_VIEWER_TOKEN'],
        message: 'must differ from DASHBOARD_TOKEN (the viewer token grants read-only access)',
      });
    }
    const open = !env.DASHBOARD_TOKEN && !env.DASHBOARD_VIEWER_TOKEN;
    if (open && env.DASHBOARD_HOST && !LOOPBACK_HOSTS.includes(env.DASHBOARD_HOST)) {
      ctx.addIssue({
        code: 'custom',
        path: ['DASHBOARD_HOST'],
        message:
          'without DASHBOARD_TOKEN the dashboard has no authentication and listens on 127.0.0.1 only; set DASHBOARD_TOKEN to listen elsewhere',
      });
    }
  });

export type DashboardConfig = z.infer<typeof dashboardEnvSchema>;

export function loadDashboardConfig(env?: Record<string, string | undefined>): DashboardConfig {
  return loadConfig(dashboardEnvSchema, env);
}

/** Whether no token is configured: no authentication, loopback only. */
export const isOpen = (config: DashboardConfig): boolean =>
  !config.DASHBOARD_TOKEN && !config.DASHBOARD_VIEWER_TOKEN;

/** Where to listen: DASHBOARD_HOST, else everywhere with auth and loopback without. */
export function listenHost(config: DashboardConfig): string {
  if (config.DASHBOARD_HOST) return config.DASHBOARD_HOST;
  return isOpen(config) ? '127.0.0.1' : '0.0.0.0';
}
