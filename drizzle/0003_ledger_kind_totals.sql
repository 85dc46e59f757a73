CREATE TABLE "ledger_kind_totals" (
	"account_id" text NOT NULL,
	"kind" "ledger_entry_kind" NOT NULL,
	"amount_nano" bigint NOT NULL,
	CONSTRAINT "ledger_kind_totals_account_id_kind_pk" PRIMARY KEY("account_id","kind")
);
