/**
 * Typed errors shared by every cronfleet package. Each carries a stable `code`
 * that APIs and logs can match on, and a message that says what to fix.
 */
export class CronfleetError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A schedule's cadence (cron expression, time zone or interval) cannot be used. */
export class InvalidScheduleError extends CronfleetError {
  /** The offending input field, e.g. 'cronExpression', 'timezone', 'intervalSeconds' or 'cadence'. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('invalid_schedule', message, options);
    this.field = field;
  }
}

export interface ConfigIssue {
  variable: string;
  message: string;
}

/** One or more environment variables are invalid; the message lists each on its own line. */
export class ConfigError extends CronfleetError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], options?: { cause?: unknown }) {
    const lines = issues.map((issue) => `${issue.variable}: ${issue.message}`);
    const noun = issues.length === 1 ? 'variable' : 'variables';
    super(
      'invalid_config',
      [`invalid configuration; fix these environment ${noun}:`, ...lines].join('\n'),
      options,
    );
    this.issues = issues;
  }
}

/** A named thing (schedule, run, handler…) does not exist. */
export class NotFoundError extends CronfleetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', message, options);
  }
}

/** A message safe to log or show for anything that was thrown, never throwing itself. */
export function errorMessage(err: unknown): string {
  try {
    if (err instanceof Error) return err.message || err.name;
    if (typeof err === 'string') return err;
    if (typeof err === 'object' && err !== null) {
      const message: unknown = (err as { message?: unknown }).message;
      if (typeof message === 'string') return message;
      return JSON.stringify(err) ?? 'unknown error';
    }
    if (typeof err === 'number' || typeof err === 'boolean' || typeof err === 'bigint') {
      return String(err);
    }
    if (typeof err === 'symbol') return err.toString();
    if (typeof err === 'function') return `a function was thrown (${err.name || 'anonymous'})`;
    if (err === null) return 'null';
    return 'unknown error (undefined was thrown)';
  } catch {
    return 'unknown error (its message could not be read)';
  }
}
