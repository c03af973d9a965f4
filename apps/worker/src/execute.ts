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
 * Runs a handler with an AbortSignal that fires on its timeout or when the
 * caller aborts (shutdown, cancellation). The attempt ends at that moment even
 * if the handler ignores its signal; its promise is left to settle on its own.
 */
export async function executeHandler(
  def: HandlerDefinition,
  payload: unknown,
  ctx: Omit<HandlerContext, 'signal'>,
  opts: { timeoutMs?: number | null; controller?: AbortController },
): Promise<unknown> {
  // One controller per run: the timeout, cancel messages and shutdown all abort it.
  const controller = opts.controller ?? new AbortController();
  const signal = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutMs) {
    const timeoutMs = opts.timeoutMs;
    timer = setTimeout(
      () => controller.abort(new HandlerTimeoutError(def.name, timeoutMs)),
      timeoutMs,
    );
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      const reason: unknown = signal.reason;
      reject(reason instanceof Error ? reason : new HandlerAbortedError(def.name, String(reason)));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const running = Promise.resolve().then(() => def.run(payload, { ...ctx, signal }));
    running.catch(() => undefined); // a late rejection after the race is already settled
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
