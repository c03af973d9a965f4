/** /api/schedules: list, create, read, change, remove, and act on one schedule. */
import type { PreviewInput, ScheduleInput, ScheduleService } from '@cronfleet/service';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  boolText,
  emptyBody,
  instant,
  intText,
  objectBody,
  paging,
  parseInput,
  refParams,
} from '../input.js';
import { runFilterQuery } from './runs.js';

const listQuery = z.strictObject({
  group: z.string().min(1).max(100).optional(),
  status: z.enum(['enabled', 'disabled', 'paused', 'failing']).optional(),
  enabled: boolText.optional(),
  ...paging,
});

const pauseBody = z.strictObject({
  note: z.string().max(2_000).optional(),
  until: instant.optional(),
});
const runBody = z.strictObject({ force: z.boolean().optional() }).optional();
const backfillBody = z.strictObject({
  from: instant,
  to: instant,
  dryRun: z.boolean().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
const previewQuery = z.strictObject({
  count: intText(1, 100).optional(),
  after: instant.optional(),
});
const unsavedPreviewBody = z.strictObject({
  cron: z.string().min(1).max(200).optional(),
  cronExpression: z.string().min(1).max(200).optional(),
  intervalSeconds: z.number().int().min(1).optional(),
  timezone: z.string().min(1).max(100).optional(),
  count: z.number().int().min(1).max(100).optional(),
  after: instant.optional(),
});

const scheduleRunsQuery = runFilterQuery.omit({ schedule: true });

export function registerScheduleRoutes(app: FastifyInstance, service: ScheduleService): void {
  const ref = (params: unknown) => parseInput(refParams, params, 'params').ref;

  app.get('/api/schedules', async (request) => {
    const query = parseInput(listQuery, request.query, 'query');
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const { items, total } = await service.list({ ...query, limit, offset });
    return { items, total, limit, offset };
  });

  app.post('/api/schedules', async (request, reply) => {
    const body = parseInput(objectBody, request.body, 'body');
    // The service checks every field (names, types, cadence, handler) and names the bad ones.
    const created = await service.create(body as ScheduleInput);
    return reply.code(201).header('location', `/api/schedules/${created.key}`).send(created);
  });

  app.get('/api/schedules/:ref', async (request) => service.get(ref(request.params)));

  app.patch('/api/schedules/:ref', async (request) => {
    const key = ref(request.params);
    const patch = parseInput(objectBody, request.body, 'body');
    return service.update(key, patch);
  });

  app.delete('/api/schedules/:ref', async (request) => {
    const key = ref(request.params);
    parseInput(emptyBody, request.body, 'body');
    const removed = await service.remove(key);
    return { ...removed, deleted: true };
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(`/api/schedules/:ref/${action}`, async (request) => {
      const key = ref(request.params);
      parseInput(emptyBody, request.body, 'body');
      return service.setEnabled(key, enabled);
    });
  }

  app.post('/api/schedules/:ref/pause', async (request) => {
    const key = ref(request.params);
    const body = parseInput(pauseBody.optional(), request.body, 'body') ?? {};
    return service.pause(key, body);
  });

  app.post('/api/schedules/:ref/resume', async (request) => {
    const key = ref(request.params);
    parseInput(emptyBody, request.body, 'body');
    return service.resume(key);
  });

  app.post('/api/schedules/:ref/run', async (request) => {
    const key = ref(request.params);
    const body = parseInput(runBody, request.body, 'body') ?? {};
    return service.runNow(key, body);
  });

  app.post('/api/schedules/:ref/backfill', async (request) => {
    const key = ref(request.params);
    const body = parseInput(backfillBody, request.body, 'body');
    return service.backfill(key, body);
  });

  app.get('/api/schedules/:ref/preview', async (request) => {
    const key = ref(request.params);
    const query = parseInput(previewQuery, request.query, 'query');
    return service.preview({ ref: key }, query.count ?? 5, query.after);
  });

  app.get('/api/schedules/:ref/runs', async (request) => {
    const key = ref(request.params);
    const query = parseInput(scheduleRunsQuery, request.query, 'query');
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const { items, total } = await service.listRuns({ ...query, ref: key, limit, offset });
    return { items, total, limit, offset };
  });

  // Checks an expression before it is saved: 400 names what is wrong with it.
  app.post('/api/preview', async (request) => {
    const { count, after, ...cadence } = parseInput(unsavedPreviewBody, request.body, 'body');
    const input = Object.fromEntries(
      Object.entries(cadence).filter(([, v]) => v !== undefined),
    ) as PreviewInput;
    return service.preview(input, count ?? 5, after);
  });
}
