import { CronfleetError, type Logger } from '@cronfleet/core';
import type { HandlerContext, HandlerDefinition } from '@cronfleet/handlers';

export class HandlerTimeoutError extends CronfleetError {
  constructor(handler: string, timeoutMs: number) {
    super('handler_timeout', `handler "${handler}" timed out after ${timeoutMs} ms`);
  }
}

/** The run was cancelled (overlap cancel_previous, or an operator); it must not be retried. */
export class RunCancelledError extends CronfleetError {
  constructor(reason = 'superseded by a newer run') {
    super('run_cancelled', `run cancelled: ${reason}`);
  }
}

export class HandlerAbortedError extends CronfleetError {
  constructor(handler: string, reason: string) {
    super('handler_aborted', `handler "${handler}" was aborted: ${reason}`);
  }
}

/**
 * How a run is stopped early: its timeout, a cancel message, or the shutdown
 * bound. The handler's AbortSignal is made the first time the handler reads
 * it: creating one costs Node several microseconds, and most handlers never
 * look at it.
 */
export class RunAbort {
  private controller: AbortController | undefined;
  private reason: unknown;
  private aborted = false;
  private listener: ((reason: unknown) => void) | undefined;

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.aborted && !this.controller.signal.aborted) this.controller.abort(this.reason);
    return this.controller.signal;
  }

  /** Whether the run has been aborted. */
  get isAborted(): boolean {
    return this.aborted;
  }

  /** Aborts once; later calls keep the first reason. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.listener?.(reason);
  }

  /** Calls `listener` when the run is aborted (at once if it already was). */
  onAbort(listener: (reason: unknown) => void): void {
    this.listener = listener;
    if (this.aborted) listener(this.reason);
  }
}

/** The handler's context, less its signal; the logger may come as a function, called on first use. */
export type RunContextInit = Omit<HandlerContext, 'signal' | 'logger'> & {
  logger: Logger | (() => Logger);
};

/**
 * What a handler gets as `ctx`. Its logger (a child logger, which pino
 * builds by serializing the bindings) and its signal are made when the
 * handler first reads them. Both are the object's own enumerable getters,
 * so a handler that copies `{ ...ctx }` keeps them.
 */
function runContext(init: RunContextInit, abort: RunAbort): HandlerContext {
  let log = init.logger;
  return {
    runId: init.runId,
    scheduleKey: init.scheduleKey,
    scheduledFor: init.scheduledFor,
    attempt: init.attempt,
    get logger(): Logger {
      if (typeof log === 'function') log = log();
      return log;
    },
    get signal(): AbortSignal {
      return abort.signal;
    },
  };
}

/**
 * Runs a handler with an AbortSignal that fires on its timeout or when the
 * caller aborts (shutdown, cancellation). The attempt ends at that moment even
 * if the handler ignores its signal; its promise is left to settle on its own.
 * A run aborted before it starts never calls the handler.
 */
export function executeHandler(
  def: HandlerDefinition,
  payload: unknown,
  ctx: RunContextInit,
  opts: { timeoutMs?: number | null; abort?: RunAbort },
): Promise<unknown> {
  // One abort per run: the timeout, cancel messages and shutdown all end it.
  const abort = opts.abort ?? new RunAbort();
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // The first of the handler's end and the abort settles the attempt.
    const end = (ok: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ok) resolve(value);
      else reject(value);
    };
    abort.onAbort((reason) =>
      end(
        false,
        reason instanceof Error ? reason : new HandlerAbortedError(def.name, String(reason)),
      ),
    );
    if (settled) return;
    if (opts.timeoutMs) {
      const timeoutMs = opts.timeoutMs;
      timer = setTimeout(
        () => abort.abort(new HandlerTimeoutError(def.name, timeoutMs)),
        timeoutMs,
      );
    }
    let running: unknown;
    try {
      running = def.run(payload, runContext(ctx, abort));
    } catch (err) {
      end(false, err);
      return;
    }
    // A late end, after an abort settled the attempt, is ignored.
    Promise.resolve(running).then(
      (value) => end(true, value),
      (err: unknown) => end(false, err),
    );
  });
}
