import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '@cronfleet/core';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, boolean | string>;
}

export interface HealthChecks {
  /** Liveness: false only when the process should be restarted. */
  live?: () => boolean;
  /** Readiness: can this replica do its work right now (Postgres, Redis, loop fresh)? */
  ready: () => Promise<ReadinessReport> | ReadinessReport;
}

export interface HealthServer {
  app: FastifyInstance;
  /** The port actually bound (useful when 0 asked for a free one). */
  port: number;
  close(): Promise<void>;
}

/** `/healthz` and `/readyz` on their own port, apart from any public API. */
export function createHealthApp(checks: HealthChecks): FastifyInstance {
  // Probes hit these every few seconds; logging each request would drown the app's own logs.
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_req, reply) => {
    const live = checks.live?.() ?? true;
    return reply.code(live ? 200 : 503).send({ status: live ? 'ok' : 'unhealthy' });
  });
  app.get('/readyz', async (_req, reply) => {
    const report = await checks.ready();
    return reply
      .code(report.ready ? 200 : 503)
      .send({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  });
  return app;
}

export async function startHealthServer(opts: {
  port: number;
  host?: string;
  checks: HealthChecks;
  logger?: Logger;
}): Promise<HealthServer> {
  const app = createHealthApp(opts.checks);
  await app.listen({ port: opts.port, host: opts.host ?? '0.0.0.0' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  opts.logger?.debug({ port }, 'health endpoints listening');
  return { app, port, close: () => app.close() };
}
