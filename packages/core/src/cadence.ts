import { compileCron, naiveNext } from './cron.js';
import { InvalidScheduleError, errorMessage } from './errors.js';
import { canonicalTimeZone } from './zone.js';

/** How often a schedule fires: a cron expression in a time zone, or a fixed interval. */
export type Cadence =
  { kind: 'cron'; expression: string; timezone: string } | { kind: 'interval'; seconds: number };

/** The cadence columns as stored on a schedule row (or sent by an API client). */
export interface CadenceInput {
  cronExpression?: string | null;
  intervalSeconds?: number | null;
  timezone?: string | null;
}

/** Largest interval accepted: what a Postgres `integer` column holds (about 68 years). */
export const MAX_INTERVAL_SECONDS = 2_147_483_647;

const NEVER_FIRES_REFERENCE = Date.UTC(2000, 0, 1);
const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function isBlank(value: unknown): value is null | undefined | '' {
  return (
    value === null || value === undefined || (typeof value === 'string' && value.trim() === '')
  );
}

function parseTimezone(raw: string | null | undefined): string {
  if (isBlank(raw)) return 'UTC';
  const name = raw.trim();
  const canonical = canonicalTimeZone(name);
  if (canonical === null) {
    throw new InvalidScheduleError(
      'timezone',
      `timezone "${name}" is not a known IANA time zone (e.g. "Europe/London", "UTC")`,
    );
  }
  return canonical;
}

function checkFieldCount(expression: string): void {
  const shorthand = SHORTHANDS[expression.toLowerCase()];
  if (shorthand !== undefined) {
    throw new InvalidScheduleError(
      'cronExpression',
      `cronExpression "${expression}" is a shorthand, which is not supported; write "${shorthand}" instead`,
    );
  }
  const count = expression.split(/\s+/).length;
  if (count !== 5 && count !== 6) {
    throw new InvalidScheduleError(
      'cronExpression',
      `cronExpression "${expression}" has ${count} field${count === 1 ? '' : 's'}; expected 5 ` +
        '(minute hour day-of-month month day-of-week) or 6 (a leading seconds field, then those 5)',
    );
  }
  if (/(^|[\s,])H/.test(expression)) {
    throw new InvalidScheduleError(
      'cronExpression',
      `cronExpression "${expression}" uses "H" (hashed values), which is not supported; write explicit values instead`,
    );
  }
}

function neverFires(expression: string): InvalidScheduleError {
  return new InvalidScheduleError(
    'cronExpression',
    `cronExpression "${expression}" can never fire: no date matches it`,
  );
}

function parseCronExpression(raw: unknown): string {
  if (typeof raw !== 'string') {
    throw new InvalidScheduleError(
      'cronExpression',
      `cronExpression must be a string (got ${typeof raw})`,
    );
  }
  const expression = raw.trim();
  checkFieldCount(expression);
  let cron;
  try {
    cron = compileCron(expression);
  } catch (err) {
    if (errorMessage(err).includes('Invalid explicit day of month')) throw neverFires(expression);
    throw new InvalidScheduleError(
      'cronExpression',
      `cronExpression "${expression}" is not a valid cron expression: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  try {
    naiveNext(cron, NEVER_FIRES_REFERENCE);
  } catch (err) {
    throw new InvalidScheduleError('cronExpression', neverFires(expression).message, {
      cause: err,
    });
  }
  return expression;
}

function parseInterval(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    throw new InvalidScheduleError(
      'intervalSeconds',
      `intervalSeconds must be a whole number of at least 1 (got ${shown})`,
    );
  }
  if (value > MAX_INTERVAL_SECONDS) {
    throw new InvalidScheduleError(
      'intervalSeconds',
      `intervalSeconds must be at most ${MAX_INTERVAL_SECONDS} (about 68 years) (got ${value})`,
    );
  }
  return value;
}

/**
 * Validate and normalise a cadence. Exactly one of cronExpression / intervalSeconds
 * must be set. Cron expressions are trimmed and must have 5 fields (minute
 * precision) or 6 (leading seconds) and fire on at least one date; the timezone
 * defaults to 'UTC' and must be a known IANA zone. Intervals are whole seconds >= 1.
 * Throws InvalidScheduleError naming the field ('cadence' when both or neither are set).
 */
export function parseCadence(input: CadenceInput): Cadence {
  const hasCron = !isBlank(input.cronExpression);
  const hasInterval = input.intervalSeconds !== null && input.intervalSeconds !== undefined;
  if (hasCron === hasInterval) {
    throw new InvalidScheduleError(
      'cadence',
      hasCron
        ? 'set either cronExpression or intervalSeconds, not both'
        : 'set one of cronExpression (e.g. "*/5 * * * *") or intervalSeconds (e.g. 300); neither is set',
    );
  }
  if (
    input.timezone !== null &&
    input.timezone !== undefined &&
    typeof input.timezone !== 'string'
  ) {
    throw new InvalidScheduleError(
      'timezone',
      `timezone must be a string such as "Europe/London" (got ${typeof input.timezone})`,
    );
  }
  const timezone = parseTimezone(input.timezone);
  if (hasInterval) return { kind: 'interval', seconds: parseInterval(input.intervalSeconds) };
  return { kind: 'cron', expression: parseCronExpression(input.cronExpression), timezone };
}
