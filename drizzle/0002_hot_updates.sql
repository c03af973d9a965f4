DROP INDEX "schedule_runs_finished_idx";--> statement-breakpoint
DROP INDEX "schedule_runs_stranded_idx";--> statement-breakpoint
DROP INDEX "schedule_runs_active_idx";--> statement-breakpoint
CREATE INDEX "schedule_runs_created_idx" ON "schedule_runs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "schedule_runs_stranded_idx" ON "schedule_runs" USING btree ("claimed_at") WHERE "schedule_runs"."enqueued_at" IS NULL AND "schedule_runs"."finished_at" IS NULL;--> statement-breakpoint
CREATE INDEX "schedule_runs_active_idx" ON "schedule_runs" USING btree ("schedule_id") WHERE "schedule_runs"."finished_at" IS NULL;