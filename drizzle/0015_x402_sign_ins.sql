CREATE TABLE "x402_sign_ins" (
	"nonce" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"used_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "x402_sign_ins_used_idx" ON "x402_sign_ins" USING btree ("used_at");