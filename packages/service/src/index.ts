export { createScheduleService, type ScheduleService } from './service.js';
export type { ScheduleServiceDeps } from './context.js';
export { ValidationError, ConflictError, type ValidationIssue } from './errors.js';
export {
  DEFINITION_DEFAULTS,
  DEFINITION_FIELDS,
  parseScheduleInput,
  type DefinitionField,
  type ScheduleInput,
  type SchedulePatch,
  type ScheduleSpec,
} from './input.js';
export { describeFrequency, stateOf, type ScheduleState, type ScheduleView } from './view.js';
export type { ListSchedulesOptions, PauseOptions } from './schedules.js';
export {
  SERVICE_CLAIMANT,
  type BackfillOptions,
  type BackfillResult,
  type RunNowResult,
} from './dispatch.js';
export type { PreviewInput, PreviewResult, PreviewSlot } from './preview.js';
export type { ListRunsOptions, RunDetail } from './runs.js';
export type { KeyedRun, ScheduleStatusFilter } from './queries.js';
export { parseEntries, type SyncOptions, type SyncPlan, type SyncResult } from './sync.js';
export { readScheduleFile, ScheduleFileError } from './schedule-file.js';
