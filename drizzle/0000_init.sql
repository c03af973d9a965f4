CREATE TABLE "run_attempts" (
	"run_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"worker_id" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" bigint,
	"result" jsonb,
	"error" text,
	CONSTRAINT "run_attempts_run_id_attempt_pk" PRIMARY KEY("run_id","attempt"),
	CONSTRAINT "run_attempts_status_ck" CHECK ("run_attempts"."status" IN ('running', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "schedule_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"schedule_id" uuid NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"trigger" text DEFAULT 'schedule' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_by" text,
	"claimed_at" timestamp with time zone,
	"enqueued_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"reason" text,
	"result" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedule_runs_status_ck" CHECK ("schedule_runs"."status" IN ('pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'skipped')),
	CONSTRAINT "schedule_runs_trigger_ck" CHECK ("schedule_runs"."trigger" IN ('schedule', 'manual', 'backfill'))
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text,
	"description" text,
	"group" text,
	"handler" text NOT NULL,
	"cron_expression" text,
	"interval_seconds" integer,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"next_run_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"last_status" text,
	"last_result" jsonb,
	"last_error" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"backoff_ms" integer DEFAULT 1000 NOT NULL,
	"timeout_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_one_cadence_ck" CHECK (("schedules"."cron_expression" IS NULL) <> ("schedules"."interval_seconds" IS NULL)),
	CONSTRAINT "schedules_interval_ck" CHECK ("schedules"."interval_seconds" IS NULL OR "schedules"."interval_seconds" >= 1),
	CONSTRAINT "schedules_max_attempts_ck" CHECK ("schedules"."max_attempts" BETWEEN 1 AND 100),
	CONSTRAINT "schedules_backoff_ck" CHECK ("schedules"."backoff_ms" >= 0),
	CONSTRAINT "schedules_timeout_ck" CHECK ("schedules"."timeout_ms" IS NULL OR "schedules"."timeout_ms" >= 1),
	CONSTRAINT "schedules_key_ck" CHECK ("schedules"."key" ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$')
);
--> statement-breakpoint
ALTER TABLE "run_attempts" ADD CONSTRAINT "run_attempts_run_id_schedule_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."schedule_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "schedule_runs_slot_uq" ON "schedule_runs" USING btree ("schedule_id","scheduled_for") WHERE "schedule_runs"."trigger" <> 'manual';--> statement-breakpoint
CREATE INDEX "schedule_runs_history_idx" ON "schedule_runs" USING btree ("schedule_id","scheduled_for" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "schedule_runs_stranded_idx" ON "schedule_runs" USING btree ("claimed_at") WHERE "schedule_runs"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "schedule_runs_finished_idx" ON "schedule_runs" USING btree ("finished_at");--> statement-breakpoint
CREATE UNIQUE INDEX "schedules_key_uq" ON "schedules" USING btree ("key");--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_run_at") WHERE "schedules"."enabled";