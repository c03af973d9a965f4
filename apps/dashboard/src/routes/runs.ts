/** /api/runs: the history of what ran, across schedules. */
import { RUN_STATUSES, RUN_TRIGGERS } from '@cronfleet/db';
import type { ScheduleService } from '@cronfleet/service';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { instant, paging, parseInput } from '../input.js';

/** Filters over runs; `from`/`to` bound the slot (scheduled_for), inclusive. */
export const runFilterQuery = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  from: instant.optional(),
  to: instant.optional(),
  /** A schedule key or id. */
  schedule: z.string().min(1).max(200).optional(),
  ...paging,
});

const runParams = z.strictObject({ id: z.string().min(1).max(100) });

export function registerRunRoutes(app: FastifyInstance, service: ScheduleService): void {
  app.get('/api/runs', async (request) => {
    const { schedule, ...query } = parseInput(runFilterQuery, request.query, 'query');
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const { items, total } = await service.listRuns({ ...query, ref: schedule, limit, offset });
    return { items, total, limit, offset };
  });

  // The run and its attempts, oldest first.
  app.get('/api/runs/:id', async (request) => {
    const { id } = parseInput(runParams, request.params, 'params');
    return service.getRun(id);
  });
}
