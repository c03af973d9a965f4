import { CronfleetError } from '@cronfleet/core';
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

  /** Aborts once; later calls keep the first reason. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.listener?.(reason);
  }

  /** Rejects when the run is aborted (at once if it already was). */
  whenAborted(toError: (reason: unknown) => Error): Promise<never> {
    return new Promise<never>((_, reject) => {
      this.listener = (reason) => reject(toError(reason));
      if (this.aborted) this.listener(this.reason);
    });
  }
}

/**
 * Runs a handler with an AbortSignal that fires on its timeout or when the
 * caller aborts (shutdown, cancellation). The attempt ends at that moment even
 * if the handler ignores its signal; its promise is left to settle on its own.
 */
export async function executeHandler(
  def: HandlerDefinition,
  payload: unknown,
  ctx: Omit<HandlerContext, 'signal'>,
  opts: { timeoutMs?: number | null; abort?: RunAbort },
): Promise<unknown> {
  // One abort per run: the timeout, cancel messages and shutdown all end it.
  const abort = opts.abort ?? new RunAbort();
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutMs) {
    const timeoutMs = opts.timeoutMs;
    timer = setTimeout(() => abort.abort(new HandlerTimeoutError(def.name, timeoutMs)), timeoutMs);
  }
  const aborted = abort.whenAborted((reason) =>
    reason instanceof Error ? reason : new HandlerAbortedError(def.name, String(reason)),
  );
  aborted.catch(() => undefined); // nobody awaits it once the handler has won the race
  const handlerCtx = Object.defineProperty({ ...ctx }, 'signal', {
    get: () => abort.signal,
    enumerable: true,
  }) as HandlerContext;
  try {
    const running = Promise.resolve().then(() => def.run(payload, handlerCtx));
    running.catch(() => undefined); // a late rejection after the race is already settled
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
  }
}
