ALTER TABLE `conversations` ADD `system_prompt` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `temperature` real;