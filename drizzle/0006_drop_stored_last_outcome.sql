ALTER TABLE "schedules" DROP COLUMN "last_run_at";--> statement-breakpoint
ALTER TABLE "schedules" DROP COLUMN "last_status";--> statement-breakpoint
ALTER TABLE "schedules" DROP COLUMN "last_result";--> statement-breakpoint
ALTER TABLE "schedules" DROP COLUMN "last_error";