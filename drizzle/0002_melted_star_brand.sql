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
ALTER TABLE "generations" ADD COLUMN "is_byok" boolean DEFAULT false NOT NULL;