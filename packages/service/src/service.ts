import { systemClock } from '@cronfleet/core';
import type { ScheduleServiceDeps, ServiceContext } from './context.js';
import { dispatchMethods } from './dispatch.js';
import { previewMethods } from './preview.js';
import { runMethods } from './runs.js';
import { scheduleMethods } from './schedules.js';
import { syncMethods } from './sync.js';

/**
 * The operations on schedules and runs that the API, the CLI and sync share.
 * Pure of HTTP: inputs are validated here (ValidationError names each field),
 * a schedule `ref` is its key or its id (NotFoundError when neither matches).
 */
export type ScheduleService = ReturnType<typeof scheduleMethods> &
  ReturnType<typeof dispatchMethods> &
  ReturnType<typeof previewMethods> &
  ReturnType<typeof runMethods> &
  ReturnType<typeof syncMethods>;

export function createScheduleService(deps: ScheduleServiceDeps): ScheduleService {
  const ctx: ServiceContext = {
    db: deps.db,
    queue: deps.queue,
    clock: deps.clock ?? systemClock,
    logger: deps.logger,
    knownHandlers: deps.knownHandlers,
  };
  return {
    ...scheduleMethods(ctx),
    ...dispatchMethods(ctx),
    ...previewMethods(ctx),
    ...runMethods(ctx),
    ...syncMethods(ctx),
  };
}
