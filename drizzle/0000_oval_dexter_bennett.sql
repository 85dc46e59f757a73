CREATE TYPE "public"."ledger_entry_kind" AS ENUM('deposit', 'usage', 'fee', 'refund', 'adjustment');--> statement-breakpoint
CREATE TYPE "public"."hold_status" AS ENUM('open', 'settled', 'voided', 'expired');--> statement-breakpoint
CREATE TYPE "public"."api_key_kind" AS ENUM('inference', 'management');--> statement-breakpoint
CREATE TYPE "public"."api_key_limit_reset" AS ENUM('daily', 'weekly', 'monthly');--> statement-breakpoint
CREATE TYPE "public"."wallet_family" AS ENUM('evm', 'solana');--> statement-breakpoint
CREATE TYPE "public"."deposit_attribution" AS ENUM('wallet', 'intent', 'reference', 'admin');--> statement-breakpoint
CREATE TYPE "public"."deposit_status" AS ENUM('seen', 'credited', 'unattributed', 'orphaned');--> statement-breakpoint
CREATE TYPE "public"."deposit_intent_status" AS ENUM('open', 'matched', 'expired');--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"balance_nano" bigint DEFAULT 0 NOT NULL,
	"held_nano" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "holds" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"key_id" text,
	"amount_nano" bigint NOT NULL,
	"status" "hold_status" DEFAULT 'open' NOT NULL,
	"settled_nano" bigint,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "key_spend" (
	"key_id" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_spent_nano" bigint DEFAULT 0 NOT NULL,
	"held_nano" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"kind" "ledger_entry_kind" NOT NULL,
	"amount_nano" bigint NOT NULL,
	"idempotency_key" text NOT NULL,
	"hold_id" text,
	"key_id" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entries_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"kind" "api_key_kind" NOT NULL,
	"hash" text NOT NULL,
	"label" text NOT NULL,
	"name" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"limit_nano" bigint,
	"limit_reset" "api_key_limit_reset",
	"include_byok_in_limit" boolean DEFAULT false NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "api_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
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
CREATE TABLE "generations" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"key_id" text,
	"requested_model" text NOT NULL,
	"model" text,
	"provider" text,
	"provider_name" text,
	"upstream_id" text,
	"router" text,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"cached_tokens" integer DEFAULT 0 NOT NULL,
	"cache_write_tokens" integer DEFAULT 0 NOT NULL,
	"reasoning_tokens" integer DEFAULT 0 NOT NULL,
	"usage_estimated" boolean DEFAULT false NOT NULL,
	"upstream_cost_nano" bigint DEFAULT 0 NOT NULL,
	"is_byok" boolean DEFAULT false NOT NULL,
	"fee_nano" bigint DEFAULT 0 NOT NULL,
	"total_nano" bigint DEFAULT 0 NOT NULL,
	"hold_nano" bigint DEFAULT 0 NOT NULL,
	"latency_ms" integer NOT NULL,
	"ttft_ms" integer,
	"finish_reason" text,
	"native_finish_reason" text,
	"streamed" boolean NOT NULL,
	"cancelled" boolean DEFAULT false NOT NULL,
	"error_status" integer,
	"error_message" text,
	"http_referer" text,
	"app_title" text,
	"attempts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "byok_keys" (
	"account_id" text NOT NULL,
	"provider" text NOT NULL,
	"master_key_id" text NOT NULL,
	"iv" text NOT NULL,
	"ciphertext" text NOT NULL,
	"auth_tag" text NOT NULL,
	"last_four" text NOT NULL,
	"always_use" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"last_rejected_at" timestamp with time zone,
	CONSTRAINT "byok_keys_account_id_provider_pk" PRIMARY KEY("account_id","provider")
);
--> statement-breakpoint
CREATE TABLE "analytics_rankings_app_daily" (
	"day" date NOT NULL,
	"app" text NOT NULL,
	"title" text NOT NULL,
	"requests" bigint NOT NULL,
	"tokens" bigint NOT NULL,
	CONSTRAINT "analytics_rankings_app_daily_day_app_pk" PRIMARY KEY("day","app")
);
--> statement-breakpoint
CREATE TABLE "analytics_rankings_model_daily" (
	"day" date NOT NULL,
	"model" text NOT NULL,
	"author" text NOT NULL,
	"requests" bigint NOT NULL,
	"prompt_tokens" bigint NOT NULL,
	"completion_tokens" bigint NOT NULL,
	"latency_hist" integer[] NOT NULL,
	"throughput_hist" integer[] NOT NULL,
	CONSTRAINT "analytics_rankings_model_daily_day_model_pk" PRIMARY KEY("day","model")
);
--> statement-breakpoint
CREATE TABLE "analytics_rollup_applied" (
	"generation_id" text PRIMARY KEY NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_usage_daily" (
	"account_id" text NOT NULL,
	"dimension" text NOT NULL,
	"day" date NOT NULL,
	"api_key_id" text NOT NULL,
	"value" text NOT NULL,
	"requests" bigint NOT NULL,
	"errors" bigint NOT NULL,
	"byok_requests" bigint NOT NULL,
	"prompt_tokens" bigint NOT NULL,
	"completion_tokens" bigint NOT NULL,
	"reasoning_tokens" bigint NOT NULL,
	"cached_tokens" bigint NOT NULL,
	"credit_usage_nano" bigint NOT NULL,
	"fee_nano" bigint NOT NULL,
	"byok_upstream_nano" bigint NOT NULL,
	"latency_hist" integer[] NOT NULL,
	"ttft_hist" integer[] NOT NULL,
	CONSTRAINT "analytics_usage_daily_account_id_dimension_day_api_key_id_value_pk" PRIMARY KEY("account_id","dimension","day","api_key_id","value")
);
--> statement-breakpoint
ALTER TABLE "holds" ADD CONSTRAINT "holds_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_identities" ADD CONSTRAINT "wallet_identities_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deposit_intents" ADD CONSTRAINT "deposit_intents_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "holds_open_expiry_idx" ON "holds" USING btree ("expires_at") WHERE "holds"."status" = 'open';--> statement-breakpoint
CREATE INDEX "ledger_entries_account_created_idx" ON "ledger_entries" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_key_created_idx" ON "ledger_entries" USING btree ("key_id","created_at") WHERE "ledger_entries"."key_id" is not null;--> statement-breakpoint
CREATE INDEX "api_keys_account_idx" ON "api_keys" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "sign_in_nonces_expiry_idx" ON "sign_in_nonces" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_identities_family_address_uq" ON "wallet_identities" USING btree ("family","address");--> statement-breakpoint
CREATE INDEX "wallet_identities_account_idx" ON "wallet_identities" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deposit_intents_open_amount_uq" ON "deposit_intents" USING btree ("chain","asset","amount_base_units") WHERE "deposit_intents"."status" = 'open';--> statement-breakpoint
CREATE INDEX "deposit_intents_account_idx" ON "deposit_intents" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deposits_observation_uq" ON "deposits" USING btree ("chain","tx_id","log_index","asset");--> statement-breakpoint
CREATE INDEX "deposits_account_idx" ON "deposits" USING btree ("account_id","seen_at");--> statement-breakpoint
CREATE INDEX "deposits_status_idx" ON "deposits" USING btree ("chain","status");--> statement-breakpoint
CREATE INDEX "generations_account_created_idx" ON "generations" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "generations_model_created_idx" ON "generations" USING btree ("model","created_at");