import type { z } from 'zod';
import { CronfleetError, type Logger } from '@cronfleet/core';

/** What a handler learns about the run it is executing. */
export interface HandlerContext {
  runId: string;
  scheduleKey: string;
  scheduledFor: Date;
  /** 1-based. */
  attempt: number;
  /** Child logger bound to runId, scheduleKey and handler. */
  logger: Logger;
  /** Aborted on timeout, cancellation or shutdown; pass it to everything that waits. */
  signal: AbortSignal;
}

export interface HandlerDefinition<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Matches HANDLER_NAME_PATTERN; schedules refer to the handler by it. */
  name: string;
  description?: string;
  /** Validates (and may default or transform) the schedule's payload. */
  payload: S;
  /** Default for schedules that do not set timeout_ms. */
  timeoutMs?: number;
  run(payload: z.output<S>, ctx: HandlerContext): Promise<R>;
}

export const HANDLER_NAME_PATTERN = /^[a-z][a-z0-9._-]{0,99}$/;

/** Throws unless `name` is a valid handler name. */
export function assertHandlerName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !HANDLER_NAME_PATTERN.test(name)) {
    throw new TypeError(
      `invalid handler name ${JSON.stringify(name) ?? String(name)}: use 1-100 characters, ` +
        'a lowercase letter first, then lowercase letters, digits, ".", "_" or "-" (e.g. "http.request")',
    );
  }
}

/**
 * Declares a handler. Checks the parts TypeScript cannot (name format,
 * timeout) so a bad definition fails at start-up, not at the first run.
 */
export function defineHandler<S extends z.ZodType, R>(
  def: HandlerDefinition<S, R>,
): HandlerDefinition<S, R> {
  assertHandlerName(def.name);
  if (def.timeoutMs !== undefined && !(Number.isSafeInteger(def.timeoutMs) && def.timeoutMs >= 1)) {
    throw new TypeError(
      `handler "${def.name}": timeoutMs must be a positive integer of milliseconds, got ${String(def.timeoutMs)}`,
    );
  }
  if (typeof def.run !== 'function') {
    throw new TypeError(`handler "${def.name}": run must be a function`);
  }
  return def;
}

/**
 * Throw from a handler when retrying cannot help (bad credentials, a record
 * that no longer exists): the run fails now, whatever attempts are left.
 */
export class NonRetryableError extends CronfleetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('non_retryable', message, options);
  }
}
