/**
 * Handler slots: at most `size` handlers run at once, however many jobs the
 * worker holds. A job takes a slot after its start gate and gives it back
 * when its attempt ends, so the gate of the next jobs overlaps the handlers
 * still running.
 */
export interface HandlerSlots {
  /**
   * Resolves true with a slot, at once when one is free; false once the
   * slots are closed (the worker is stopping), without a slot.
   */
  take(): Promise<boolean> | true;
  /** Gives back a slot taken with take(). */
  give(): void;
  /** From now on take() answers false; jobs waiting for a slot get false at once. */
  close(): void;
  /** Handlers running now. */
  readonly busy: number;
  /** Whether close() was called. */
  readonly closed: boolean;
  /** Jobs waiting for a slot now. */
  readonly waiting: number;
}

export function createHandlerSlots(size: number): HandlerSlots {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`handler slots must be a whole number of at least 1, got ${size}`);
  let busy = 0;
  let closed = false;
  const waiting: ((granted: boolean) => void)[] = [];
  return {
    take() {
      if (closed) return Promise.resolve(false);
      if (busy < size) {
        busy += 1;
        return true;
      }
      return new Promise<boolean>((resolve) => waiting.push(resolve));
    },
    give() {
      const next = closed ? undefined : waiting.shift();
      // The slot passes straight to the next job waiting, so busy stays the same.
      if (next) next(true);
      else busy = Math.max(0, busy - 1);
    },
    close() {
      closed = true;
      for (const resolve of waiting.splice(0)) resolve(false);
    },
    get busy() {
      return busy;
    },
    get closed() {
      return closed;
    },
    get waiting() {
      return waiting.length;
    },
  };
}
