/** The JSON shapes the dashboard API answers with (dates arrive as ISO strings). */

export type Role = 'operator' | 'viewer';

export interface Session {
  role: Role | null;
  via: 'bearer' | 'cookie' | 'open' | null;
  csrfToken: string | null;
  authentication: 'none' | 'token';
}

export type ScheduleState = 'enabled' | 'disabled' | 'paused';

export interface Schedule {
  id: string;
  key: string;
  name: string | null;
  description: string | null;
  group: string | null;
  handler: string;
  cronExpression: string | null;
  intervalSeconds: number | null;
  timezone: string;
  payload: Record<string, unknown>;
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number | null;
  catchupPolicy: string;
  maxCatchup: number;
  overlapPolicy: string;
  startsAt: string | null;
  endsAt: string | null;
  maxRuns: number | null;
  runCount: number;
  pausedAt: string | null;
  pausedUntil: string | null;
  pauseNote: string | null;
  maxConsecutiveFailures: number | null;
  jitterSeconds: number;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
  state: ScheduleState;
  /** The cadence in words, from the server: "every 10 s", "daily at 09:00 (Europe/London)". */
  frequency: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Run {
  id: string;
  scheduleId: string;
  scheduleKey: string;
  scheduledFor: string;
  /** schedule, manual or backfill; '' for a run only the event stream has told about yet. */
  trigger: string;
  status: string;
  attempts: number;
  claimedBy: string | null;
  enqueuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
  result: unknown;
  error: string | null;
  createdAt: string;
}

export interface Attempt {
  runId: string;
  attempt: number;
  workerId: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  result: unknown;
  error: string | null;
}

export interface RunDetail {
  run: Run;
  attempts: Attempt[];
}

export interface RunNowResult {
  run: Run;
  status: 'queued' | 'pending' | 'skipped';
  reason?: string;
  queued: boolean;
}

/** The preview endpoint answers the service's own shape (strings only, so JSON keeps it). */
export type { PreviewResult, PreviewSlot } from '@cronfleet/service';

/** One message of GET /api/events. */
export interface RunEvent {
  type: 'run.started' | 'run.finished';
  scheduleKey: string;
  group?: string | null;
  runId: string;
  /** running, or how the attempt ended: succeeded, failed, retrying, cancelled. */
  status: string;
  result?: unknown;
  error?: string | null;
  finishedAt?: string | null;
  attempt: number;
  at: string;
}

export interface Issue {
  field: string;
  message: string;
}
