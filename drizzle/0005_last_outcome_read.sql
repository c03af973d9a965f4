-- A schedule's last outcome is read from its runs instead of being rewritten on
-- the schedule row by every run (see schedule_runs_last_idx). The scheduler's
-- own complaint about a cadence that no longer parses moves to cadence_error.
-- On a large schedule_runs, build the index by hand first without blocking
-- writes (CREATE INDEX CONCURRENTLY with the definition below); this
-- migration then leaves it as it is.
ALTER TABLE "schedules" ADD COLUMN "cadence_error" text;--> statement-breakpoint
UPDATE "schedules" SET "cadence_error" = COALESCE("last_error", 'invalid cadence') WHERE "last_status" = 'invalid';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "schedule_runs_last_idx" ON "schedule_runs" USING btree ("schedule_id","finished_at" DESC NULLS LAST) WHERE "schedule_runs"."finished_at" IS NOT NULL;
