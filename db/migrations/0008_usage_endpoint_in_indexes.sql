DROP INDEX `usage_created_idx`;--> statement-breakpoint
DROP INDEX `usage_team_created_idx`;--> statement-breakpoint
DROP INDEX `usage_model_created_idx`;--> statement-breakpoint
DROP INDEX `usage_key_created_idx`;--> statement-breakpoint
DROP INDEX `usage_route_created_idx`;--> statement-breakpoint
CREATE INDEX `usage_created_idx` ON `usage` (`created_at`,`team_id`,`served_model`,`route_id`,`variant`,`status`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`latency_ms`,`ttft_ms`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_team_created_idx` ON `usage` (`team_id`,`created_at`,`served_model`,`route_id`,`variant`,`status`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`latency_ms`,`ttft_ms`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_model_created_idx` ON `usage` (`served_model`,`created_at`,`team_id`,`route_id`,`variant`,`status`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`latency_ms`,`ttft_ms`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_key_created_idx` ON `usage` (`key_id`,`created_at`,`team_id`,`served_model`,`route_id`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_route_created_idx` ON `usage` (`route_id`,`created_at`,`variant`,`team_id`,`served_model`,`status`,`http_status`,`error_type`,`fallback_used`,`prompt_tokens`,`completion_tokens`,`cost_micros`,`latency_ms`,`ttft_ms`,`endpoint`);