ALTER TABLE `api_keys` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `replaced_by_id` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `system_prompt` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `temperature` real;