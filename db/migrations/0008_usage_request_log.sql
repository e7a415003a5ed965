CREATE TABLE `notification_reads` (
	`user_id` text PRIMARY KEY NOT NULL,
	`last_read_event_id` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `usage` ADD `queue_ms` integer;--> statement-breakpoint
ALTER TABLE `usage` ADD `first_byte_ms` integer;--> statement-breakpoint
CREATE INDEX `usage_log_idx` ON `usage` (`created_at`,`id`,`team_id`,`key_id`,`user_id`,`served_model`,`route_id`,`status`,`endpoint`);--> statement-breakpoint
CREATE INDEX `usage_user_log_idx` ON `usage` (`user_id`,`created_at`,`id`);