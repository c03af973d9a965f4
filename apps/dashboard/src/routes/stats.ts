/** /api/stats: how the fleet is doing right now. */
import type { Clock } from '@cronfleet/core';
import type { Db } from '@cronfleet/db';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../input.js';
import {
  countOverdueSchedules,
  countRunsByStatus,
  listFailingSchedules,
  measureStartLateness,
} from '../queries.js';

const WINDOW_MS = 3_600_000;
const FAILING_LIMIT = 100;
const statsQuery = z.strictObject({});

export function registerStatsRoutes(
  app: FastifyInstance,
  deps: { db: Db; clock: Clock; overdueAfterMs: number },
): void {
  app.get('/api/stats', async (request) => {
    parseInput(statsQuery, request.query, 'query');
    const now = deps.clock.now();
    const since = new Date(now.getTime() - WINDOW_MS);
    const [byStatus, failing, lateness, overdue] = await Promise.all([
      countRunsByStatus(deps.db, { since }),
      listFailingSchedules(deps.db, { limit: FAILING_LIMIT }),
      measureStartLateness(deps.db, { since }),
      countOverdueSchedules(deps.db, { now, graceMs: deps.overdueAfterMs }),
    ]);
    const total = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
    return {
      window: { from: since.toISOString(), to: now.toISOString() },
      runs: { total, byStatus },
      failing: { schedules: failing, limit: FAILING_LIMIT },
      lateness: {
        ...lateness,
        overdueSchedules: overdue,
        overdueAfterMs: deps.overdueAfterMs,
      },
    };
  });
}
