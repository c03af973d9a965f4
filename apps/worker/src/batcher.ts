/**
 * Group commit for bookkeeping writes. Items pushed while a write is in
 * flight wait and go together in the next one, so an idle worker pays one
 * round trip per item and a busy one pays one per batch, with no timer
 * adding latency.
 */
export interface Batcher<I, O> {
  push(item: I): Promise<O>;
  /**
   * As push, with a callback in place of a promise: for the per-job items
   * nobody awaits, where a promise and its handlers are garbage on the hot path.
   */
  enqueue(item: I, done: Done): void;
  /** Resolves when every pushed item has been written (or failed). */
  drain(): Promise<void>;
}

/** Called once per item: `ok` with its output, or not `ok` with the batch's error. Should not throw (see settle). */
export type Done = (ok: boolean, value: unknown) => void;

export function createBatcher<I, O>(opts: {
  run: (items: I[]) => Promise<O[]>;
  maxBatch?: number;
  maxInFlight?: number;
}): Batcher<I, O> {
  const maxBatch = opts.maxBatch ?? 500;
  const maxInFlight = opts.maxInFlight ?? 2;
  type Waiting = { item: I; done: Done };
  let waiting: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;
  let idle: (() => void)[] = [];

  function flush() {
    scheduled = false;
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(maxBatch);
      inFlight += 1;
      opts
        .run(batch.map((w) => w.item))
        .then(
          (out) => settle(batch, (w, i) => w.done(true, out[i])),
          (err: unknown) => settle(batch, (w) => w.done(false, err)),
        )
        .finally(() => {
          inFlight -= 1;
          flush();
          if (inFlight === 0 && waiting.length === 0) {
            const done = idle;
            idle = [];
            done.forEach((fn) => fn());
          }
        });
    }
  }

  /**
   * Calls every item's callback, even when one throws: the rest of the batch
   * must not be stranded. A callback's own error is then thrown on, as the
   * bug it is.
   */
  function settle(batch: Waiting[], call: (w: Waiting, i: number) => void) {
    let failure: { err: unknown } | undefined;
    batch.forEach((w, i) => {
      try {
        call(w, i);
      } catch (err) {
        failure ??= { err };
      }
    });
    if (failure) throw failure.err;
  }

  function enqueue(item: I, done: Done) {
    waiting.push({ item, done });
    if (!scheduled) {
      scheduled = true;
      // Let the other jobs that became ready in this turn join the batch.
      setImmediate(flush);
    }
  }

  return {
    enqueue,
    push(item) {
      return new Promise<O>((resolve, reject) =>
        enqueue(item, (ok, value) => (ok ? resolve(value as O) : reject(value))),
      );
    },
    drain() {
      if (inFlight === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
