CREATE TYPE "public"."x402_payment_status" AS ENUM('settling', 'settled', 'failed');--> statement-breakpoint
CREATE TABLE "x402_payments" (
	"id" text PRIMARY KEY NOT NULL,
	"network" text NOT NULL,
	"payer" text NOT NULL,
	"nonce" text NOT NULL,
	"amount_base_units" numeric(78, 0) NOT NULL,
	"status" "x402_payment_status" NOT NULL,
	"transaction" text,
	"failure_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "x402_payments_authorization_uq" ON "x402_payments" USING btree ("network","payer","nonce");--> statement-breakpoint
CREATE INDEX "x402_payments_created_idx" ON "x402_payments" USING btree ("created_at");