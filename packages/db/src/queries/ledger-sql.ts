/**
 * The worker's hot path as fixed SQL text, sent as named prepared statements
 * straight through node-postgres: no query building per batch, and Postgres
 * parses and plans each once per connection. One statement answers the start
 * gate for new jobs, marks runs that are still going `running`, and records
 * finished attempts, so a busy worker pays one round trip for all of it.
 *
 * Every update names its rows by primary key (`= ANY($n)`), and attempt rows
 * are written with upserts, whose conflict check always probes the primary
 * key: a cached generic plan made while a table was small would otherwise
 * scan the whole table on every flush as it grows.
 */

/** The gate reads: a run may start while its status is startable ($1 run ids, $2 startable statuses). */
export const GATE_SQL =
  'SELECT id FROM schedule_runs WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])';
/** The gate on its own, for runs that need no write with their start. */
export const GATE_NAME = 'cronfleet_gate_v1';

const GATE_PART = `gate AS (${GATE_SQL})`;

/**
 * Marks: runs admitted by the gate whose outcome is not known yet are shown
 * `running` with an open attempt row. A mark never moves a run backwards: it
 * applies only while the run waits (pending, queued, retrying) and its
 * attempt counter has not reached this attempt, which an outcome sets.
 */
const MARK_PART = `
  m_input AS (
    SELECT DISTINCT ON (run_id) run_id, attempt, worker_id, to_timestamp(started_ms / 1000.0) AS started_at
    FROM unnest($3::uuid[], $4::int[], $5::text[], $6::float8[]) AS i(run_id, attempt, worker_id, started_ms)
    ORDER BY run_id, attempt DESC
  ), marked AS (
    UPDATE schedule_runs r SET status = 'running', attempts = i.attempt,
      started_at = COALESCE(r.started_at, i.started_at)
    FROM m_input i
    WHERE r.id = ANY($3::uuid[]) AND r.id = i.run_id AND r.status = ANY($7::text[])
      AND r.attempts < i.attempt
    RETURNING r.id
  ), mark_rows AS (
    INSERT INTO run_attempts (run_id, attempt, worker_id, status, started_at)
    SELECT i.run_id, i.attempt, i.worker_id, 'running', i.started_at
    FROM m_input i JOIN marked ON marked.id = i.run_id
    ON CONFLICT (run_id, attempt) DO UPDATE
      SET worker_id = EXCLUDED.worker_id, started_at = EXCLUDED.started_at,
          status = 'running', finished_at = NULL, error = NULL, result = NULL
  )`;

const AUTO_PAUSE = `(s.max_consecutive_failures IS NOT NULL AND s.paused_at IS NULL
  AND o.failures >= s.max_consecutive_failures)`;

/**
 * Outcomes: the attempt row is written whole (most attempts end before a mark
 * was ever written), the run takes the outcome unless it is already final or
 * a later attempt has begun, and each schedule folds in the final outcomes
 * that moved its runs: a success resets the failure streak, and failures
 * after the last success extend it (and may auto-pause). A schedule with no
 * streak to reset and no new failure is not written at all.
 */
const FINISH_PART = `
  f_input AS (
    SELECT run_id, attempt, worker_id, outcome, to_timestamp(finished_ms / 1000.0) AS finished_at,
           duration_ms, result, error
    FROM unnest($8::uuid[], $9::int[], $10::text[], $11::text[], $12::float8[], $13::bigint[], $14::jsonb[], $15::text[])
      AS i(run_id, attempt, worker_id, outcome, finished_ms, duration_ms, result, error)
  ), f_attempts AS (
    INSERT INTO run_attempts (run_id, attempt, worker_id, status, started_at, finished_at, duration_ms, result, error)
    SELECT DISTINCT ON (i.run_id, i.attempt) i.run_id, i.attempt, i.worker_id,
      CASE WHEN i.outcome = 'succeeded' THEN 'succeeded' ELSE 'failed' END,
      i.finished_at - make_interval(secs => i.duration_ms / 1000.0), i.finished_at, i.duration_ms,
      i.result, i.error
    -- Only runs that still exist: a run deleted with its schedule while it
    -- ran would otherwise fail the foreign key, and with it the whole batch.
    FROM f_input i JOIN schedule_runs r ON r.id = i.run_id
    WHERE r.id = ANY($8::uuid[])
    ORDER BY i.run_id, i.attempt
    ON CONFLICT (run_id, attempt) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at,
      duration_ms = EXCLUDED.duration_ms, result = EXCLUDED.result, error = EXCLUDED.error
  ), f_runs AS (
    UPDATE schedule_runs r SET status = i.outcome, attempts = i.attempt,
      started_at = COALESCE(r.started_at, i.finished_at - make_interval(secs => i.duration_ms / 1000.0)),
      finished_at = CASE WHEN i.outcome = 'retrying' THEN NULL ELSE i.finished_at END,
      result = i.result, error = i.error
    FROM (SELECT DISTINCT ON (run_id) * FROM f_input ORDER BY run_id, attempt DESC) i
    WHERE r.id = ANY($8::uuid[]) AND r.id = i.run_id AND r.status <> ALL($16::text[])
      AND r.attempts <= i.attempt
    RETURNING r.id, r.schedule_id, i.outcome, i.finished_at, i.result, i.error
  ), f_final AS (
    -- Only outcomes that moved a run count for its schedule, so an outcome
    -- recorded twice (a relay and a late worker write) is counted once.
    SELECT * FROM f_runs WHERE outcome IN ('succeeded', 'failed')
  ), f_batch AS (
    -- One row per schedule from here on: the planner guesses one row for
    -- every CTE, so a join between two of them becomes a nested loop that
    -- compares every row with every other.
    SELECT schedule_id, max(finished_at) AS last_run_at,
      (array_agg(error ORDER BY finished_at DESC, id DESC) FILTER (WHERE outcome = 'failed'))[1] AS last_error,
      array_agg(finished_at) FILTER (WHERE outcome = 'failed') AS failed_at_list,
      min(finished_at) FILTER (WHERE outcome = 'failed') AS first_failed,
      max(finished_at) FILTER (WHERE outcome = 'succeeded') AS last_ok
    FROM f_final GROUP BY schedule_id
  ), f_locks AS (
    -- Every schedule with a final outcome here is locked, in id order so that
    -- concurrent flushes queue instead of deadlocking. A flush that waited
    -- gets the row as the other one left it: a success that arrives while
    -- another worker records a failure waits for it and then ends the streak.
    -- The lock is cheap; the write below is what costs, and only a change of
    -- the failure streak makes one. A healthy schedule's last outcome is read
    -- from its runs, never written on its row.
    SELECT s.id, s.consecutive_failures, b.*
    FROM f_batch b JOIN schedules s ON s.id = b.schedule_id
    ORDER BY s.id FOR NO KEY UPDATE OF s
  ), f_history AS MATERIALIZED (
    -- Outcomes may be recorded late (a relay copying from Redis, a retried
    -- write): the streak follows finish times, as the last outcome shown does.
    -- Recorded earlier and newer than this batch: a success (then the failures
    -- here do not extend the streak), a failure (then a success here does not
    -- end it). Looked up only where the streak can change, and only among
    -- runs newer than this batch's, so a long streak is never walked.
    SELECT l.*,
      CASE WHEN l.first_failed IS NOT NULL THEN (
        SELECT r.finished_at FROM schedule_runs r
        WHERE r.schedule_id = l.id AND r.finished_at > l.first_failed AND r.status = 'succeeded'
        ORDER BY r.finished_at DESC NULLS LAST LIMIT 1) END AS ok_at,
      CASE WHEN l.last_ok IS NOT NULL AND l.consecutive_failures > 0 THEN (
        SELECT r.finished_at FROM schedule_runs r
        WHERE r.schedule_id = l.id AND r.finished_at > l.last_ok AND r.status = 'failed'
        ORDER BY r.finished_at DESC NULLS LAST LIMIT 1) END AS failed_at
    FROM f_locks l
  ), f_streak AS (
    -- A success newer than every failure recorded resets the streak; the
    -- failures here after the newest success (in the batch or recorded) add
    -- to it. The old streak is the locked row's, not the statement
    -- snapshot's, which may predate a concurrent failure.
    SELECT h.id, h.last_run_at, h.last_error, h.consecutive_failures AS was,
      CASE WHEN h.last_ok > COALESCE(h.failed_at, '-infinity') THEN 0 ELSE h.consecutive_failures END
      + (SELECT count(*) FROM unnest(h.failed_at_list) AS t(at)
         WHERE t.at > COALESCE(GREATEST(h.last_ok, h.ok_at), '-infinity'))::int AS failures
    FROM f_history h
  ), f_changed AS (
    SELECT * FROM f_streak WHERE failures <> was
  ), f_schedules AS (
    UPDATE schedules s SET
      consecutive_failures = o.failures,
      -- Auto-pause: the N-th consecutive failure pauses the schedule and says why.
      paused_at = CASE WHEN ${AUTO_PAUSE} THEN o.last_run_at ELSE s.paused_at END,
      pause_note = CASE WHEN ${AUTO_PAUSE}
        THEN 'auto-paused after ' || s.max_consecutive_failures || ' consecutive failures; last error: '
             || COALESCE(o.last_error, 'unknown')
        ELSE s.pause_note END,
      updated_at = o.last_run_at
    FROM f_changed o
    -- The ids as one array: an index lookup per changed schedule, where a
    -- semi join against the CTE compared every row with every other.
    WHERE s.id = ANY(ARRAY(SELECT id FROM f_changed)) AND s.id = o.id
  )`;

/** $1–$2 gate, $3–$7 marks, $8–$16 outcomes; returns the gated ids that may start. */
export const LEDGER_FLUSH_SQL = `WITH ${GATE_PART}, ${MARK_PART}, ${FINISH_PART} SELECT id FROM gate`;
/** Timestamps travel as epoch milliseconds: cheaper to send than formatted dates. */
export const LEDGER_FLUSH_NAME = 'cronfleet_ledger_flush_v12';
