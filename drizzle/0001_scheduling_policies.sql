ALTER TABLE "schedule_runs" DROP CONSTRAINT "schedule_runs_status_ck";--> statement-breakpoint
DROP INDEX "schedules_due_idx";--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "catchup_policy" text DEFAULT 'latest' NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "max_catchup" integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "overlap_policy" text DEFAULT 'skip' NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "starts_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "ends_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "max_runs" integer;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "run_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "paused_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "pause_note" text;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "max_consecutive_failures" integer;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "jitter_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "disabled_reason" text;--> statement-breakpoint
CREATE INDEX "schedule_runs_active_idx" ON "schedule_runs" USING btree ("schedule_id") WHERE "schedule_runs"."status" IN ('pending', 'queued', 'running', 'retrying');--> statement-breakpoint
CREATE INDEX "schedules_paused_until_idx" ON "schedules" USING btree ("paused_until") WHERE "schedules"."paused_until" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_run_at") WHERE "schedules"."enabled" AND "schedules"."paused_at" IS NULL;--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_status_ck" CHECK ("schedule_runs"."status" IN ('pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'cancelled'));--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_catchup_ck" CHECK ("schedules"."catchup_policy" IN ('skip', 'latest', 'all'));--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_max_catchup_ck" CHECK ("schedules"."max_catchup" BETWEEN 1 AND 10000);--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_overlap_ck" CHECK ("schedules"."overlap_policy" IN ('skip', 'allow', 'buffer_one', 'cancel_previous'));--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_window_ck" CHECK ("schedules"."ends_at" IS NULL OR "schedules"."starts_at" IS NULL OR "schedules"."ends_at" > "schedules"."starts_at");--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_max_runs_ck" CHECK ("schedules"."max_runs" IS NULL OR "schedules"."max_runs" >= 1);--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_max_failures_ck" CHECK ("schedules"."max_consecutive_failures" IS NULL OR "schedules"."max_consecutive_failures" >= 1);--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_jitter_ck" CHECK ("schedules"."jitter_seconds" BETWEEN 0 AND 86400);