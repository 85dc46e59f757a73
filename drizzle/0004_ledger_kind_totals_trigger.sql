-- ledger_kind_totals caches the sum of each account's entries per kind, so /metrics reads one
-- row per account and kind instead of scanning the whole ledger on every scrape. A statement
-- trigger adds the entries an INSERT wrote (its transition table), in the same statement and
-- transaction, whichever path posted them (postEntry, farebox_settle_hold, anything later).
-- A duplicate idempotency key inserts no row, so it adds nothing.
--
-- Lock order: AFTER triggers run at the end of the statement, so both postEntry (whose CTE
-- updates the account) and farebox_settle_hold (which updates the account before inserting)
-- lock the account row first and the totals row second, like every other ledger write.
--
-- The backfill runs in the migration's transaction after the trigger exists: CREATE TRIGGER
-- holds a lock that blocks inserts until commit, so no entry is counted twice or missed.

CREATE FUNCTION farebox_ledger_kind_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_kind_totals AS t (account_id, kind, amount_nano)
    SELECT n.account_id, n.kind, sum(n.amount_nano) FROM new_entries n GROUP BY n.account_id, n.kind ORDER BY n.account_id, n.kind
    ON CONFLICT (account_id, kind) DO UPDATE SET amount_nano = t.amount_nano + excluded.amount_nano;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_kind_totals AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION farebox_ledger_kind_totals_add();
--> statement-breakpoint
INSERT INTO ledger_kind_totals (account_id, kind, amount_nano)
  SELECT account_id, kind, sum(amount_nano) FROM ledger_entries GROUP BY account_id, kind;
