CREATE TABLE `response_cache` (
	`key` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`model` text NOT NULL,
	`answer` text NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`cost_micros` integer NOT NULL,
	`size_bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_hit_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `response_cache_expires_idx` ON `response_cache` (`expires_at`);--> statement-breakpoint
CREATE INDEX `response_cache_last_hit_idx` ON `response_cache` (`last_hit_at`);--> statement-breakpoint
DROP INDEX `usage_created_idx`;--> statement-breakpoint
DROP INDEX `usage_team_created_idx`;--> statement-breakpoint
DROP INDEX `usage_model_created_idx`;--> statement-breakpoint
DROP INDEX `usage_key_created_idx`;--> statement-breakpoint
DROP INDEX `usage_route_created_idx`;--> statement-breakpoint
ALTER TABLE `usage` ADD `cache` text;--> statement-breakpoint
ALTER TABLE `usage` ADD `saved_micros` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `usage_cache_hits_idx` ON `usage` (`created_at`,`team_id`,`served_model`,`route_id`,`saved_micros`) WHERE "usage"."cache" = 'hit';--> statement-breakpoint
CREATE INDEX `usage_created_idx` ON `usage` (`created_at`,`team_id`,`served_model`,`route_id`,`variant`,`status`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`latency_ms`,`ttft_ms`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_team_created_idx` ON `usage` (`team_id`,`created_at`,`served_model`,`route_id`,`variant`,`status`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`latency_ms`,`ttft_ms`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_model_created_idx` ON `usage` (`served_model`,`created_at`,`team_id`,`route_id`,`variant`,`status`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`latency_ms`,`ttft_ms`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_key_created_idx` ON `usage` (`key_id`,`created_at`,`team_id`,`served_model`,`route_id`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_route_created_idx` ON `usage` (`route_id`,`created_at`,`variant`,`team_id`,`served_model`,`status`,`http_status`,`error_type`,`fallback_used`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`latency_ms`,`ttft_ms`,`endpoint`);--> statement-breakpoint
ALTER TABLE `models` ADD `endpoints` text DEFAULT '["chat"]' NOT NULL;--> statement-breakpoint
ALTER TABLE `teams` ADD `response_cache` text;