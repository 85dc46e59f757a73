CREATE TYPE "public"."wallet_family" AS ENUM('evm', 'solana');--> statement-breakpoint
CREATE TYPE "public"."deposit_attribution" AS ENUM('wallet', 'intent', 'reference', 'admin');--> statement-breakpoint
CREATE TYPE "public"."deposit_status" AS ENUM('seen', 'credited', 'unattributed', 'orphaned');--> statement-breakpoint
CREATE TYPE "public"."deposit_intent_status" AS ENUM('open', 'matched', 'expired');--> statement-breakpoint
CREATE TABLE "sign_in_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"family" "wallet_family" NOT NULL,
	"address" text NOT NULL,
	"chain_ref" text NOT NULL,
	"message" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wallet_identities" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"family" "wallet_family" NOT NULL,
	"address" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chain_cursors" (
	"chain" text PRIMARY KEY NOT NULL,
	"block_or_slot" bigint NOT NULL,
	"hash_or_signature" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deposit_intents" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"chain" text NOT NULL,
	"asset" text NOT NULL,
	"amount_base_units" numeric(78, 0) NOT NULL,
	"amount_usd_nano" bigint NOT NULL,
	"status" "deposit_intent_status" DEFAULT 'open' NOT NULL,
	"deposit_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deposits" (
	"id" text PRIMARY KEY NOT NULL,
	"chain" text NOT NULL,
	"tx_id" text NOT NULL,
	"log_index" integer NOT NULL,
	"asset" text NOT NULL,
	"from_address" text NOT NULL,
	"to_address" text NOT NULL,
	"amount_base_units" numeric(78, 0) NOT NULL,
	"block_or_slot" bigint NOT NULL,
	"block_hash" text,
	"memo_or_reference" text,
	"status" "deposit_status" NOT NULL,
	"confirmations" integer DEFAULT 0 NOT NULL,
	"account_id" text,
	"attribution" "deposit_attribution",
	"intent_id" text,
	"value_nano" bigint,
	"rate_answer" numeric(78, 0),
	"rate_decimals" integer,
	"rate_round" text,
	"ledger_idempotency_key" text,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"credited_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "wallet_identities" ADD CONSTRAINT "wallet_identities_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deposit_intents" ADD CONSTRAINT "deposit_intents_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sign_in_nonces_expiry_idx" ON "sign_in_nonces" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_identities_family_address_uq" ON "wallet_identities" USING btree ("family","address");--> statement-breakpoint
CREATE INDEX "wallet_identities_account_idx" ON "wallet_identities" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deposit_intents_open_amount_uq" ON "deposit_intents" USING btree ("chain","asset","amount_base_units") WHERE "deposit_intents"."status" = 'open';--> statement-breakpoint
CREATE INDEX "deposit_intents_account_idx" ON "deposit_intents" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deposits_observation_uq" ON "deposits" USING btree ("chain","tx_id","log_index","asset");--> statement-breakpoint
CREATE INDEX "deposits_account_idx" ON "deposits" USING btree ("account_id","seen_at");--> statement-breakpoint
CREATE INDEX "deposits_status_idx" ON "deposits" USING btree ("chain","status");