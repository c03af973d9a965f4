-- Leave room on each page so a run's status updates can stay on the same page
-- (HOT updates), which spares index writes on the worker's hot path.
ALTER TABLE "schedule_runs" SET (fillfactor = 80);--> statement-breakpoint
ALTER TABLE "run_attempts" SET (fillfactor = 80);
