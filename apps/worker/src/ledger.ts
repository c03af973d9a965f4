import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, type Logger } from '@cronfleet/core';
import {
  startRuns,
  type Db,
  type FinishRequest,
  type StartRequest,
  type StartVerdict,
} from '@cronfleet/db';
import { createBatcher } from './batcher.js';

export interface Ledger {
  /** The start gate: whether this attempt may run now. Throws if Postgres cannot answer. */
  start(request: StartRequest): Promise<StartVerdict>;
  /** Records an outcome. Never throws: a bookkeeping failure must not fail a handler run. */
  finish(request: FinishRequest): Promise<void>;
  drain(): Promise<void>;
}

type Entry = { start: StartRequest } | { finish: FinishRequest };
type Result = StartVerdict | undefined;

const FINISH_RETRIES = [250, 1_000, 4_000];

/**
 * The run ledger on Postgres. Starts and finishes from every job in flight
 * share one group-commit batcher, so a busy worker writes both halves of many
 * jobs in one round trip.
 */
export function createLedger(opts: { db: Db; logger: Logger }): Ledger {
  const batcher = createBatcher<Entry, Result>({ run: (entries) => flush(opts.db, entries) });

  return {
    start: async (request) => (await batcher.push({ start: request })) ?? 'refused',
    async finish(request) {
      for (let attempt = 0; ; attempt++) {
        try {
          await batcher.push({ finish: request });
          return;
        } catch (err) {
          const delay = FINISH_RETRIES[attempt];
          if (delay === undefined) {
            opts.logger.error(
              { err, runId: request.runId, outcome: request.outcome },
              'could not record the run outcome; the run row stays as it was',
            );
            return;
          }
          opts.logger.warn(
            { runId: request.runId, error: errorMessage(err), retryInMs: delay },
            'recording outcome failed; retrying',
          );
          await sleep(delay);
        }
      }
    },
    drain: () => batcher.drain(),
  };
}

/**
 * One flush. A run is started at most once per flush (a duplicate delivery is
 * refused), and a start for a run whose finish is in the same flush waits for
 * a second statement, since one statement may not update a row twice.
 */
async function flush(db: Db, entries: Entry[]): Promise<Result[]> {
  const finishes = entries.flatMap((e) => ('finish' in e ? [e.finish] : []));
  const finishing = new Set(finishes.map((f) => f.runId));
  const first = new Map<string, number>();
  const now: StartRequest[] = [];
  const later: StartRequest[] = [];
  entries.forEach((e, i) => {
    if (!('start' in e) || first.has(e.start.runId)) return;
    first.set(e.start.runId, i);
    (finishing.has(e.start.runId) ? later : now).push(e.start);
  });
  const verdicts = await startRuns(db, now, finishes);
  if (later.length > 0) for (const [id, v] of await startRuns(db, later)) verdicts.set(id, v);
  return entries.map((e, i) =>
    'start' in e
      ? first.get(e.start.runId) === i
        ? (verdicts.get(e.start.runId) ?? 'refused')
        : 'refused'
      : undefined,
  );
}
