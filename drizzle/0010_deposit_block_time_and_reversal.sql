ALTER TYPE "public"."deposit_status" ADD VALUE 'reversed';--> statement-breakpoint
ALTER TABLE "deposits" ADD COLUMN "block_time" timestamp with time zone;