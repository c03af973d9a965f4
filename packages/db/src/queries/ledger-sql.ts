/**
 * Every update below also names its rows by primary key (`= ANY($n)`), so an
 * index lookup is the plan whatever the statistics say: a generic plan that
 * joined the input against a whole table would grow with the run history.
 *
 * The worker's hot path as fixed SQL text, sent as named prepared statements
 * straight through node-postgres: no query building per batch, and Postgres
 * parses and plans each once per connection. One statement both starts
 * attempts and records finished ones, so a busy worker pays one round trip
 * for both halves of its ledger.
 */

const START_PART = `
  s_input AS (
    SELECT run_id, attempt, worker_id, to_timestamp(started_ms / 1000.0) AS started_at
    FROM unnest($1::uuid[], $2::int[], $3::text[], $4::float8[]) AS i(run_id, attempt, worker_id, started_ms)
  ), started AS (
    UPDATE schedule_runs r SET status = 'running', attempts = i.attempt,
      started_at = COALESCE(r.started_at, i.started_at)
    FROM s_input i
    WHERE r.id = ANY($1::uuid[]) AND r.id = i.run_id AND r.status = ANY($5::text[])
    RETURNING r.id
  ), attempt_rows AS (
    INSERT INTO run_attempts (run_id, attempt, worker_id, status, started_at)
    SELECT i.run_id, i.attempt, i.worker_id, 'running', i.started_at
    FROM s_input i JOIN started ON started.id = i.run_id
    ON CONFLICT (run_id, attempt) DO UPDATE
      SET worker_id = EXCLUDED.worker_id, started_at = EXCLUDED.started_at,
          status = 'running', finished_at = NULL, error = NULL, result = NULL
  )`;

const AUTO_PAUSE = `(s.max_consecutive_failures IS NOT NULL AND s.paused_at IS NULL
  AND CASE WHEN o.reset THEN 0 ELSE s.consecutive_failures END + o.trailing_failures >= s.max_consecutive_failures)`;

const FINISH_PART = `
  f_input AS (
    SELECT run_id, attempt, outcome, to_timestamp(finished_ms / 1000.0) AS finished_at, duration_ms, result, error, worker_id
    FROM unnest($6::uuid[], $7::int[], $8::text[], $9::float8[], $10::bigint[], $11::jsonb[], $12::text[], $21::text[])
      AS i(run_id, attempt, outcome, finished_ms, duration_ms, result, error, worker_id)
  ), f_attempts AS (
    -- An upsert, not an UPDATE … FROM: its conflict check always probes the
    -- primary key, where a cached generic plan made while run_attempts was
    -- small would scan the whole table on every flush as it grows. A missing
    -- attempt row (never expected) is written whole.
    INSERT INTO run_attempts (run_id, attempt, worker_id, status, started_at, finished_at, duration_ms, result, error)
    SELECT DISTINCT ON (run_id, attempt) run_id, attempt, worker_id,
      CASE WHEN outcome = 'succeeded' THEN 'succeeded' ELSE 'failed' END,
      finished_at - make_interval(secs => duration_ms / 1000.0), finished_at, duration_ms, result, error
    FROM f_input ORDER BY run_id, attempt
    ON CONFLICT (run_id, attempt) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at,
      duration_ms = EXCLUDED.duration_ms, result = EXCLUDED.result, error = EXCLUDED.error
  ), f_runs AS (
    UPDATE schedule_runs r SET status = i.outcome,
      finished_at = CASE WHEN i.outcome = 'retrying' THEN NULL ELSE i.finished_at END,
      result = i.result, error = i.error
    FROM (SELECT DISTINCT ON (run_id) * FROM f_input ORDER BY run_id, attempt DESC) i
    WHERE r.id = ANY($6::uuid[]) AND r.id = i.run_id AND r.status <> ALL($13::text[])
  ), f_locks AS (
    -- Concurrent flushes from many workers touch the same schedules; taking
    -- their row locks in id order first means they queue instead of deadlocking.
    SELECT id FROM schedules WHERE id = ANY($14::uuid[]) ORDER BY id FOR NO KEY UPDATE
  ), f_schedules AS (
    UPDATE schedules s SET last_run_at = o.last_run_at, last_status = o.last_status,
      last_result = o.last_result, last_error = o.last_error,
      consecutive_failures = CASE WHEN o.reset THEN 0 ELSE s.consecutive_failures END + o.trailing_failures,
      -- Auto-pause: the N-th consecutive failure pauses the schedule and says why.
      paused_at = CASE WHEN ${AUTO_PAUSE} THEN o.last_run_at ELSE s.paused_at END,
      pause_note = CASE WHEN ${AUTO_PAUSE}
        THEN 'auto-paused after ' || s.max_consecutive_failures || ' consecutive failures; last error: '
             || COALESCE(o.last_error, 'unknown')
        ELSE s.pause_note END,
      updated_at = o.last_run_at
    FROM (SELECT schedule_id, to_timestamp(last_run_ms / 1000.0) AS last_run_at, last_status, last_result,
                 last_error, reset, trailing_failures
          FROM unnest($14::uuid[], $15::float8[], $16::text[], $17::jsonb[], $18::text[], $19::boolean[], $20::int[])
            AS u(schedule_id, last_run_ms, last_status, last_result, last_error, reset, trailing_failures)) AS o
    -- The locked ids as one array: an index lookup per row, where a semi join
    -- against the CTE compared every row with every other.
    WHERE s.id = ANY(ARRAY(SELECT id FROM f_locks)) AND s.id = o.schedule_id
  )`;

/** $1–$5 starts, $6–$13 and $21 finishes, $14–$20 per-schedule summaries; returns the ids that started. */
export const LEDGER_FLUSH_SQL = `WITH ${START_PART}, ${FINISH_PART} SELECT id FROM started`;
/** Timestamps travel as epoch milliseconds: cheaper to send than formatted dates. */
export const LEDGER_FLUSH_NAME = 'cronfleet_ledger_flush_v5';
