import type pg from 'pg';
import { errorMessage } from '@cronfleet/core';
import type { Db } from '../client.js';
import { FINAL_STATUSES, STARTABLE_STATUSES } from '../schema.js';
import { GATE_NAME, GATE_SQL, LEDGER_FLUSH_NAME, LEDGER_FLUSH_SQL } from './ledger-sql.js';
import { refusedData } from '../pg-errors.js';
import { jsonText, numberArrayParam, pgText, uuidArrayParam } from './util.js';

export interface StartRequest {
  runId: string;
  scheduleId: string;
  attempt: number;
  workerId: string;
  startedAt: Date;
  /** The run must wait while another run of its schedule is running (overlap buffer_one). */
  serial?: boolean;
}

/** started: run it; busy: a serial run whose schedule has another running, try later; refused: finished, cancelled or unknown. */
export type StartVerdict = 'started' | 'busy' | 'refused';

export type AttemptOutcome = 'succeeded' | 'failed' | 'retrying' | 'cancelled';

export interface FinishRequest {
  runId: string;
  scheduleId: string;
  attempt: number;
  workerId: string;
  outcome: AttemptOutcome;
  finishedAt: Date;
  durationMs: number;
  result?: unknown;
  error?: string | null;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Statuses a mark may move to `running`: the run waits for this attempt. */
const MARKABLE_STATUSES = ['pending', 'queued', 'retrying'] as const;

export interface LedgerBatch {
  /** Start gate: which of these runs may start (read only). */
  gates?: readonly StartRequest[];
  /** Runs admitted earlier whose attempt is still going: shown `running` with an open attempt row. */
  marks?: readonly StartRequest[];
  finishes?: readonly FinishRequest[];
}

/**
 * Writes one batch in one round trip and returns the gated runs that may
 * start. The gate only reads; a run becomes `running` by a mark in a later
 * flush, or goes straight to its outcome when the attempt ended first, so a
 * short job costs one write. Finishes close attempts and runs (a retrying run
 * stays open) and fold final outcomes into their schedules' failure streaks
 * and auto-pause. A run may not be both marked and finished
 * in one batch, and a gate for a run finished in the same batch would read
 * the run as it was before.
 */
export async function flushLedger(db: Db | Queryable, batch: LedgerBatch): Promise<Set<string>> {
  const query = ledgerFlushQuery(batch);
  if (!query) return new Set();
  const client: Queryable = '$client' in db ? db.$client : db;
  const result = await client.query<{ id: string }>(query);
  return new Set(result.rows.map((r) => r.id));
}

/** The flush statement for one batch (undefined when there is nothing to send). */
export function ledgerFlushQuery(
  batch: LedgerBatch,
): { name: string; text: string; values: unknown[] } | undefined {
  const gates = batch.gates ?? [];
  const marks = batch.marks ?? [];
  const finishes = batch.finishes ?? [];
  if (gates.length === 0 && marks.length === 0 && finishes.length === 0) return undefined;
  return {
    name: LEDGER_FLUSH_NAME,
    text: LEDGER_FLUSH_SQL,
    values: [
      uuidArrayParam(gates.map((r) => r.runId)),
      STARTABLE_STATUSES,
      uuidArrayParam(marks.map((r) => r.runId)),
      numberArrayParam(marks.map((r) => r.attempt)),
      marks.map((r) => r.workerId),
      numberArrayParam(marks.map((r) => r.startedAt.getTime())),
      MARKABLE_STATUSES,
      uuidArrayParam(finishes.map((r) => r.runId)),
      numberArrayParam(finishes.map((r) => r.attempt)),
      finishes.map((r) => r.workerId),
      finishes.map((r) => r.outcome),
      numberArrayParam(finishes.map((r) => r.finishedAt.getTime())),
      numberArrayParam(finishes.map((r) => Math.round(r.durationMs))),
      finishes.map((r) => jsonText(r.result)),
      finishes.map((r) => (r.error == null ? null : pgText(r.error))),
      FINAL_STATUSES,
    ],
  };
}

/**
 * The start gate alone: which of these runs may start (not finished,
 * cancelled or unknown). Only reads, so it never waits behind a write or a
 * commit; the worker asks it for every run that is not serial.
 */
export async function gateRuns(db: Db, runIds: readonly string[]): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const result = await db.$client.query<{ id: string }>({
    name: GATE_NAME,
    text: GATE_SQL,
    values: [uuidArrayParam(runIds), STARTABLE_STATUSES],
  });
  return new Set(result.rows.map((r) => r.id));
}

/**
 * The start gate, batched, with the batch's marks and outcomes. A run that is
 * finished, cancelled or unknown is refused, and its job must not run the
 * handler again. Serial runs (overlap buffer_one) are gated and marked
 * `running` at once, in a transaction under a per-schedule advisory lock, so
 * two workers cannot both decide the schedule is idle.
 */
export async function startRuns(
  db: Db,
  requests: readonly StartRequest[],
  rest: Omit<LedgerBatch, 'gates'> = {},
): Promise<Map<string, StartVerdict>> {
  const verdicts = new Map<string, StartVerdict>();
  if (!requests.some((r) => r.serial)) {
    const started = await flushLedger(db, { ...rest, gates: requests });
    for (const r of requests) verdicts.set(r.runId, started.has(r.runId) ? 'started' : 'refused');
    return verdicts;
  }
  const client = await db.$client.connect();
  try {
    await client.query('BEGIN');
    const serialSchedules = [
      ...new Set(requests.filter((r) => r.serial).map((r) => r.scheduleId)),
    ].sort();
    await client.query(
      'SELECT pg_advisory_xact_lock(hashtextextended(id::text, 0)) FROM unnest($1::uuid[]) AS s(id) ORDER BY id',
      [serialSchedules],
    );
    const running = await client.query<{ schedule_id: string; id: string }>(
      "SELECT schedule_id, id FROM schedule_runs WHERE schedule_id = ANY($1::uuid[]) AND status = 'running'",
      [serialSchedules],
    );
    const holders = new Map(running.rows.map((r) => [r.schedule_id, r.id]));
    const go: StartRequest[] = [];
    for (const r of requests) {
      const holder = holders.get(r.scheduleId);
      if (r.serial && holder !== undefined && holder !== r.runId) verdicts.set(r.runId, 'busy');
      else {
        go.push(r);
        if (r.serial) holders.set(r.scheduleId, r.runId); // the next one in this batch waits
      }
    }
    const serial = go.filter((r) => r.serial);
    const started = await flushLedger(client, {
      ...rest,
      gates: go,
      marks: [...(rest.marks ?? []), ...serial],
    });
    await client.query('COMMIT');
    for (const r of go) verdicts.set(r.runId, started.has(r.runId) ? 'started' : 'refused');
    return verdicts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Records a batch of attempt outcomes (see flushLedger). */
export async function finishRuns(db: Db, requests: readonly FinishRequest[]): Promise<void> {
  await flushLedger(db, { finishes: requests });
}

/**
 * Records outcomes one statement each, after Postgres refused a batch of
 * them, so one bad outcome keeps no other out of the ledger. An outcome
 * refused on its own is recorded once more without its result, with the
 * refusal in its error, so its run still ends. Returns what Postgres refused
 * even then; other errors (a lost connection) are thrown.
 */
export async function finishRunsSeparately(
  db: Db,
  requests: readonly FinishRequest[],
): Promise<{ request: FinishRequest; error: unknown }[]> {
  const refused: { request: FinishRequest; error: unknown }[] = [];
  for (const request of requests) {
    try {
      await finishRuns(db, [request]);
    } catch (err) {
      if (!refusedData(err)) throw err;
      try {
        await finishRuns(db, [
          {
            ...request,
            result: null,
            error: `Postgres refused this outcome (${errorMessage(err)}); its error was: ${request.error ?? 'none'}`,
          },
        ]);
      } catch (again) {
        if (!refusedData(again)) throw again;
        refused.push({ request, error: again });
      }
    }
  }
  return refused;
}
