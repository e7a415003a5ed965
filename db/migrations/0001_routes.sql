CREATE TABLE `routes` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`seed` text NOT NULL,
	`status` text NOT NULL,
	`control_model` text NOT NULL,
	`candidate_model` text,
	`candidate_weight` real DEFAULT 0 NOT NULL,
	`stages` text NOT NULL,
	`stage_index` integer DEFAULT 0 NOT NULL,
	`stage_started_at` integer NOT NULL,
	`sticky_by` text DEFAULT 'auto' NOT NULL,
	`guardrails` text NOT NULL,
	`eval_interval_seconds` integer DEFAULT 30 NOT NULL,
	`min_stage_seconds` integer DEFAULT 600 NOT NULL,
	`auto_advance` integer DEFAULT true NOT NULL,
	`last_evaluated_at` integer,
	`last_decision` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `routes_name_unique` ON `routes` (`name`);--> statement-breakpoint
CREATE INDEX `usage_route_created_idx` ON `usage` (`route_id`,`created_at`);