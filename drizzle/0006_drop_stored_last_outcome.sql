ALTER TABLE "schedules" DROP COLUMN "last_run_at";--> statement-breakpoint
ALTER TABLE "schedules" DROP COLUMN "last_status";--> statement-breakpoint
ALTER TABLE "schedules" DROP COLUMN "last_result";--> statement-breakpoint
ALTER TABLE "schedules" DROP COLUMN "last_error";--> statement-breakpoint
-- Each schedule's last outcome as views show it, for the fleet's readers and
-- for anyone querying by hand: the latest succeeded or failed run (one probe
-- of schedule_runs_last_idx), and `invalid` while the cadence does not parse.
CREATE VIEW "schedule_last_outcomes" AS
SELECT s.id, s.key,
  l.finished_at AS last_run_at,
  CASE WHEN s.cadence_error IS NOT NULL THEN 'invalid' ELSE l.status END AS last_status,
  CASE WHEN l.status = 'succeeded' THEN l.result END AS last_result,
  COALESCE(s.cadence_error, CASE WHEN l.status = 'failed' THEN l.error END) AS last_error
FROM schedules s
LEFT JOIN LATERAL (
  SELECT r.finished_at, r.status, r.result, r.error
  FROM schedule_runs r
  WHERE r.schedule_id = s.id AND r.finished_at IS NOT NULL AND r.status IN ('succeeded', 'failed')
  ORDER BY r.finished_at DESC NULLS LAST
  LIMIT 1
) l ON true;
