export {
  CronfleetError,
  InvalidScheduleError,
  ConfigError,
  NotFoundError,
  errorMessage,
  type ConfigIssue,
} from './errors.js';
export {
  systemClock,
  createManualClock,
  withTimeout,
  type Clock,
  type ManualClock,
} from './clock.js';
export { parseCadence, MAX_INTERVAL_SECONDS, type Cadence, type CadenceInput } from './cadence.js';
export { nextSlotAfter, latestSlotAtOrBefore, slotsBetween, upcomingSlots } from './slots.js';
export {
  planDue,
  DEFAULT_CATCHUP_POLICY,
  MAX_COUNTED_MISSED,
  type CatchupMode,
  type CatchupPolicy,
  type DuePlan,
} from './catchup.js';
export { computeBackoffMs, type BackoffOptions } from './backoff.js';
export {
  baseEnvSchema,
  envHelpers,
  loadConfig,
  childEnvironment,
  LOG_LEVELS,
  type BaseEnv,
  type EnvVar,
  type LogLevel,
} from './config.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  applyOverlap,
  OVERLAP_REASON,
  type InFlight,
  type OverlapOutcome,
  type OverlapPolicy,
  type SlotDecision,
} from './overlap.js';
export {
  planSlots,
  planFirst,
  firstSlotFrom,
  CATCHUP_REASON,
  type Completion,
  type SlotPolicyInput,
  type SlotPolicyPlan,
} from './policy.js';
export { zoneTime } from './zone.js';
export { isUuid } from './ids.js';
