import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, type Logger } from '@cronfleet/core';
import {
  finishRunsSeparately,
  gateRuns,
  refusedData,
  startRuns,
  type Db,
  type FinishRequest,
  type StartRequest,
  type StartVerdict,
} from '@cronfleet/db';
import { createBatcher } from './batcher.js';

export interface Ledger {
  /**
   * The start gate: whether this attempt may run now. Throws if Postgres
   * cannot answer. A serial run that may start is marked `running` with it,
   * in one transaction; any other run is marked by running() when its
   * handler starts.
   */
  start(request: StartRequest): Promise<StartVerdict>;
  /**
   * Shows a started (not serial) run `running`, with the next write flush.
   * False when this worker has meanwhile recorded the run's final outcome:
   * the job must not run the handler.
   */
  running(request: StartRequest): boolean;
  /** Records an outcome. Never throws: a bookkeeping failure must not fail a handler run. */
  finish(request: FinishRequest): Promise<void>;
  /** Outcomes handed to finish() and not yet written (or given up on). */
  backlog(): number;
  /** Resolves when every outcome handed over so far is written or given up on. */
  drain(): Promise<void>;
}

type Entry = { start: StartRequest } | { mark: StartRequest } | { finish: FinishRequest };
type Result = StartVerdict | undefined;

const FINISH_RETRIES = [250, 1_000, 4_000];

/**
 * The run ledger on Postgres. Marks and outcomes from every job in flight
 * share one group-commit batcher, so a busy worker writes all of them for
 * many jobs in one round trip; start gates go through a second batcher of
 * plain reads, which never wait behind a write. A run whose handler starts
 * is marked `running` in the next write flush, unless its outcome arrives first, in
 * which case the mark is dropped and the outcome alone records the attempt:
 * a quick job costs one write, a longer one shows as running within a flush.
 */
export function createLedger(opts: { db: Db; logger: Logger }): Ledger {
  // One write flush at a time: outcomes are written behind and nothing but a
  // serial start waits for a flush, so fewer, larger flushes cost Postgres
  // less per job (worker bench, 10 runs per setting: 18% less Postgres CPU than two).
  const batcher = createBatcher<Entry, Result>({
    run: (entries) => flush(opts.db, entries),
    maxInFlight: 1,
  });
  const gates = createBatcher<string, boolean>({
    // A job holds its BullMQ slot while it waits at the gate, so gates trade
    // batch size for latency: up to four reads at once (worker bench,
    // alternating runs: 2% more jobs/s than two).
    maxInFlight: 4,
    run: async (runIds) => {
      const startable = await gateRuns(opts.db, runIds);
      // A job delivered twice into one batch starts once.
      const seen = new Set<string>();
      return runIds.map((id) => {
        const first = !seen.has(id);
        seen.add(id);
        return first && startable.has(id);
      });
    },
  });
  /** Outcomes handed over and not yet written, by run: the gate must not read around them. */
  const unwritten = new Map<string, FinishRequest>();
  const finishedHere = (runId: string) => {
    const outcome = unwritten.get(runId)?.outcome;
    return outcome !== undefined && outcome !== 'retrying';
  };

  const mark = (request: StartRequest) => {
    batcher.enqueue({ mark: request }, (ok, err) => {
      // Only the display suffers: the outcome records the attempt whole.
      if (!ok)
        opts.logger.warn(
          { runId: request.runId, error: errorMessage(err) },
          'could not mark the run running',
        );
    });
  };

  /** Outcomes handed to finish() and not yet written or given up on; drain() waits for none. */
  let recording = 0;
  let whenNoneRecording: (() => void)[] = [];
  const recorded = (request: FinishRequest) => {
    recording -= 1;
    if (unwritten.get(request.runId) === request) unwritten.delete(request.runId);
    if (recording === 0) {
      const waiters = whenNoneRecording;
      whenNoneRecording = [];
      waiters.forEach((fn) => fn());
    }
  };

  /** Outcomes whose batch Postgres refused, written one statement at a time. */
  let separately: Promise<unknown> = Promise.resolve();
  async function recordAlone(request: FinishRequest) {
    const written = separately.then(() => finishRunsSeparately(opts.db, [request]));
    separately = written.catch(() => undefined);
    try {
      for (const { error } of await written) {
        opts.logger.error(
          { runId: request.runId, outcome: request.outcome, error: errorMessage(error) },
          'Postgres refused the run outcome even without its result; it is not recorded',
        );
      }
    } catch (err) {
      opts.logger.error(
        { err, runId: request.runId, outcome: request.outcome },
        "could not record the run outcome; the relay will copy it from Redis's record of the job",
      );
    }
  }

  /** After a flush with this outcome failed: retries, or writes it alone if Postgres refused its data. */
  async function recover(request: FinishRequest, failure: unknown) {
    let err = failure;
    for (let attempt = 0; ; attempt++) {
      // One bad outcome fails its whole batch, and so would every retry of it.
      if (refusedData(err)) return recordAlone(request);
      const delay = FINISH_RETRIES[attempt];
      if (delay === undefined) {
        opts.logger.error(
          { err, runId: request.runId, outcome: request.outcome },
          "could not record the run outcome; the relay will copy it from Redis's record of the job",
        );
        return;
      }
      opts.logger.warn(
        { runId: request.runId, error: errorMessage(err), retryInMs: delay },
        'recording outcome failed; retrying',
      );
      await sleep(delay);
      try {
        await batcher.push({ finish: request });
        return;
      } catch (next) {
        err = next;
      }
    }
  }

  return {
    async start(request) {
      // Serial runs are gated and marked in one transaction with the writes.
      if (request.serial) return (await batcher.push({ start: request })) ?? 'refused';
      // A run this worker finished moments ago, its outcome still on the way.
      if (finishedHere(request.runId)) return 'refused';
      const startable = await gates.push(request.runId);
      if (!startable || finishedHere(request.runId)) return 'refused';
      return 'started';
    },
    running(request) {
      if (finishedHere(request.runId)) return false;
      if (!request.serial) mark(request);
      return true;
    },
    finish(request) {
      unwritten.set(request.runId, request);
      recording += 1;
      // One promise per outcome, settled from the flush's callback: this
      // runs for every job, and the failure path alone is async.
      return new Promise<void>((resolve) => {
        batcher.enqueue({ finish: request }, (ok, err) => {
          const settle = () => {
            recorded(request);
            resolve();
          };
          if (ok) settle();
          else void recover(request, err).then(settle, settle);
        });
      });
    },
    backlog: () => recording,
    async drain() {
      // An outcome whose write failed sleeps before its retry, outside both
      // batchers: idle batchers alone do not mean everything is written.
      do {
        if (recording > 0) await new Promise<void>((resolve) => whenNoneRecording.push(resolve));
        await gates.drain();
        await batcher.drain();
      } while (recording > 0);
    },
  };
}

/**
 * One write flush. A serial run is gated at most once per flush (a duplicate
 * delivery is refused). A gate for a run whose outcome is in the same flush
 * waits for a second statement, which reads the outcome; a mark for such a
 * run is dropped, since the outcome says more.
 */
async function flush(db: Db, entries: Entry[]): Promise<Result[]> {
  const finishes: FinishRequest[] = [];
  for (const e of entries) if ('finish' in e) finishes.push(e.finish);
  const finishing = new Set(finishes.map((f) => f.runId));
  const marks: StartRequest[] = [];
  for (const e of entries) if ('mark' in e && !finishing.has(e.mark.runId)) marks.push(e.mark);
  const first = new Map<string, number>();
  const now: StartRequest[] = [];
  const later: StartRequest[] = [];
  entries.forEach((e, i) => {
    if (!('start' in e) || first.has(e.start.runId)) return;
    first.set(e.start.runId, i);
    (finishing.has(e.start.runId) ? later : now).push(e.start);
  });
  const verdicts = await startRuns(db, now, { marks, finishes });
  if (later.length > 0) for (const [id, v] of await startRuns(db, later)) verdicts.set(id, v);
  return entries.map((e, i) =>
    'start' in e
      ? first.get(e.start.runId) === i
        ? (verdicts.get(e.start.runId) ?? 'refused')
        : 'refused'
      : undefined,
  );
}
