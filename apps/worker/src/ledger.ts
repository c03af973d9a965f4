import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, type Logger } from '@cronfleet/core';
import {
  finishRuns,
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

const FINISH_RETRIES = [250, 1_000, 4_000];

/** The run ledger on Postgres, with starts and finishes each written in batches. */
export function createLedger(opts: { db: Db; logger: Logger }): Ledger {
  const starts = createBatcher<StartRequest, StartVerdict>({
    run: async (items) => {
      // A run delivered twice in one batch may start once; the duplicate is refused.
      const firstIndex = new Map<string, number>();
      items.forEach((item, i) => {
        if (!firstIndex.has(item.runId)) firstIndex.set(item.runId, i);
      });
      const unique = [...firstIndex.values()].map((i) => items[i]!);
      const verdicts = await startRuns(opts.db, unique);
      return items.map((item, i) =>
        firstIndex.get(item.runId) === i ? (verdicts.get(item.runId) ?? 'refused') : 'refused',
      );
    },
  });
  const finishes = createBatcher<FinishRequest, void>({
    run: async (items) => {
      await finishRuns(opts.db, items);
      return items.map(() => undefined);
    },
  });

  return {
    start: (request) => starts.push(request),
    async finish(request) {
      for (let attempt = 0; ; attempt++) {
        try {
          await finishes.push(request);
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
    async drain() {
      await Promise.all([starts.drain(), finishes.drain()]);
    },
  };
}
