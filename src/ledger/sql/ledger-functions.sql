-- The ledger's SQL: the current definition of every ledger function and trigger, in one place.
--
-- Migrations in drizzle/ carry each change; this file is what they add up to. To change a
-- function, edit it here and copy the new statement into a new custom migration
-- (`npx drizzle-kit generate --custom --name <why>`). test/ledger/ledger-functions.test.ts
-- migrates a database and fails when any definition there (pg_get_functiondef,
-- pg_get_triggerdef) differs from this file, or when either has a function the other lacks.
--
-- LOCK ORDER, for every write to the ledger (these functions, postEntry, renewHolds, expireHolds):
--   1. account rows, several in id order, FOR NO KEY UPDATE (what an UPDATE takes);
--   2. hold rows, several in (account_id, id) order;
--   3. the key's key_spend row, then ledger_kind_totals rows (both belong to one account).
-- A hold, a key and a kind total each belong to one account, so any two writers that meet on a
-- row of steps 2-3 have already met on its account row in step 1 and run one after the other;
-- writers that take several accounts take them in id order: no cycle, no deadlock. A writer that
-- takes only holds (renewHolds) takes them in the same (account_id, id) order and nothing after.
-- Account rows are never taken FOR UPDATE by these functions, and are taken before any insert
-- whose foreign key share-locks the same row: a share lock later upgraded to an update lock
-- deadlocks against a waiter queued between the two.
--
-- Placing, settling and ending holds commit asynchronously (synchronous_commit off for their own
-- transaction only): the row lock is released without waiting for the WAL flush, so one account
-- is not limited to one request per disk flush. A database crash can lose at most the last
-- fraction of a second of holds and settlements, never partially and never a deposit (deposits
-- commit synchronously): a lost hold frees its reservation, a lost settlement leaves that request
-- unbilled.
--
-- Holds shared by many requests ("leases"): a gateway process reserves a slice of an account's
-- balance as one hold and serves many requests from it; each request's charge is written to the
-- lease by farebox_end_holds from a background writer, many per statement. A hold's amount_nano
-- is everything it reserved, settled_nano what has been charged to it so far; the open
-- reservation is the difference. Two processes never spend more than the balance together: each
-- spends only what its own holds reserved.

-- Reserves at least p_amount and at most p_up_to: half of what is free beyond p_amount (free =
-- the account's available balance, and the key's remaining limit), so a lease never takes all of
-- a balance another process may need. figure: the amount reserved, or what is free on refusal.
-- Locks: the account, then the key's spend row; the new hold row is inserted last.
-- Since drizzle/0005_hold_endings.sql.
CREATE OR REPLACE FUNCTION farebox_place_hold(
  p_hold_id text, p_account_id text, p_key_id text, p_amount bigint, p_up_to bigint, p_key_limit bigint,
  p_window_start timestamptz, p_now timestamptz, p_expires_at timestamptz
) RETURNS TABLE (outcome text, figure bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_free bigint;
  v_key_used bigint;
  v_take bigint;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT a.balance_nano - a.held_nano INTO v_free FROM accounts a WHERE a.id = p_account_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_account'::text, 0::bigint;
    RETURN;
  END IF;
  IF v_free < p_amount THEN
    RETURN QUERY SELECT 'insufficient_balance'::text, v_free;
    RETURN;
  END IF;
  IF p_key_id IS NOT NULL THEN
    UPDATE key_spend s SET
      window_spent_nano = CASE WHEN s.window_start < p_window_start THEN 0 ELSE s.window_spent_nano END,
      window_start = GREATEST(s.window_start, p_window_start)
    WHERE s.key_id = p_key_id
    RETURNING s.window_spent_nano + s.held_nano INTO v_key_used;
    IF NOT FOUND THEN
      INSERT INTO key_spend (key_id, window_start) VALUES (p_key_id, p_window_start) ON CONFLICT (key_id) DO NOTHING;
      SELECT s.window_spent_nano + s.held_nano INTO v_key_used FROM key_spend s WHERE s.key_id = p_key_id FOR NO KEY UPDATE;
    END IF;
    IF p_key_limit IS NOT NULL THEN
      IF v_key_used + p_amount > p_key_limit THEN
        RETURN QUERY SELECT 'key_limit'::text, GREATEST(p_key_limit - v_key_used, 0);
        RETURN;
      END IF;
      v_free := LEAST(v_free, p_key_limit - v_key_used);
    END IF;
  END IF;
  v_take := LEAST(GREATEST(p_up_to, p_amount), p_amount + (v_free - p_amount) / 2);
  IF p_key_id IS NOT NULL THEN
    UPDATE key_spend SET held_nano = held_nano + v_take WHERE key_id = p_key_id;
  END IF;
  UPDATE accounts SET held_nano = held_nano + v_take WHERE id = p_account_id;
  INSERT INTO holds (id, account_id, key_id, amount_nano, settled_nano, status, created_at, expires_at)
    VALUES (p_hold_id, p_account_id, p_key_id, v_take, 0, 'open', p_now, p_expires_at);
  RETURN QUERY SELECT 'ok'::text, v_take;
END;
$$;
--> statement-breakpoint
-- Ends an open hold by charging usage + fee (at most what it still reserves) and freeing the rest:
-- posts the usage and fee entries (idempotent per hold) and adds the charge to the key's spending.
-- Locks: the account, then the hold, then the key's spend row and the account's kind totals.
-- Since drizzle/0012_ledger_lock_order.sql.
CREATE OR REPLACE FUNCTION farebox_settle_hold(
  p_hold_id text, p_usage bigint, p_fee bigint, p_now timestamptz, p_metadata jsonb
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_hold holds%ROWTYPE;
  v_total bigint := p_usage + p_fee;
  v_open bigint;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  -- the account row before the hold row (a hold never changes account)
  PERFORM 1 FROM accounts a WHERE a.id = (SELECT h.account_id FROM holds h WHERE h.id = p_hold_id) FOR NO KEY UPDATE;
  SELECT * INTO v_hold FROM holds WHERE id = p_hold_id FOR UPDATE;
  IF NOT FOUND OR v_hold.status <> 'open' THEN
    RETURN 'not_open';
  END IF;
  v_open := v_hold.amount_nano - coalesce(v_hold.settled_nano, 0);
  IF v_total > v_open THEN
    RETURN 'exceeds_hold';
  END IF;
  UPDATE holds SET status = 'settled', ended_at = p_now, settled_nano = coalesce(settled_nano, 0) + v_total WHERE id = p_hold_id;
  UPDATE accounts SET balance_nano = balance_nano - v_total, held_nano = held_nano - v_open
    WHERE id = v_hold.account_id;
  IF p_usage > 0 THEN
    INSERT INTO ledger_entries (account_id, kind, amount_nano, idempotency_key, hold_id, key_id, metadata)
      VALUES (v_hold.account_id, 'usage', -p_usage, p_hold_id || ':usage', p_hold_id, v_hold.key_id, p_metadata);
  END IF;
  IF p_fee > 0 THEN
    INSERT INTO ledger_entries (account_id, kind, amount_nano, idempotency_key, hold_id, key_id, metadata)
      VALUES (v_hold.account_id, 'fee', -p_fee, p_hold_id || ':fee', p_hold_id, v_hold.key_id, p_metadata);
  END IF;
  IF v_hold.key_id IS NOT NULL THEN
    UPDATE key_spend SET held_nano = held_nano - v_open, window_spent_nano = window_spent_nano + v_total
      WHERE key_id = v_hold.key_id;
  END IF;
  RETURN 'ok';
END;
$$;
--> statement-breakpoint
-- Ends an open hold, freeing what it still reserves: 'voided' (or 'settled' when requests were
-- charged to it) or 'expired' (its TTL passed). Locks: the account, then the hold, then the key's
-- spend row. Since drizzle/0012_ledger_lock_order.sql.
CREATE OR REPLACE FUNCTION farebox_release_hold(p_hold_id text, p_now timestamptz, p_status hold_status)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_hold holds%ROWTYPE;
  v_open bigint;
BEGIN
  -- the account row before the hold row (a hold never changes account)
  PERFORM 1 FROM accounts a WHERE a.id = (SELECT h.account_id FROM holds h WHERE h.id = p_hold_id) FOR NO KEY UPDATE;
  SELECT * INTO v_hold FROM holds WHERE id = p_hold_id FOR UPDATE;
  IF NOT FOUND OR v_hold.status <> 'open' THEN
    RETURN 'not_open';
  END IF;
  v_open := v_hold.amount_nano - coalesce(v_hold.settled_nano, 0);
  UPDATE holds SET
    status = CASE WHEN p_status = 'voided' AND coalesce(settled_nano, 0) > 0 THEN 'settled' ELSE p_status END,
    ended_at = p_now, settled_nano = coalesce(settled_nano, 0)
    WHERE id = p_hold_id;
  UPDATE accounts SET held_nano = held_nano - v_open WHERE id = v_hold.account_id;
  IF v_hold.key_id IS NOT NULL THEN
    UPDATE key_spend SET held_nano = held_nano - v_open WHERE key_id = v_hold.key_id;
  END IF;
  RETURN 'ok';
END;
$$;
--> statement-breakpoint
-- One statement for many requests: p_items = [{hold_id, usage_nano, fee_nano, metadata,
-- charge_key?}] (amounts as decimal strings). With charge_key: the request's charge on a shared
-- hold, idempotent per key, judged one after the other in the order given against what the hold
-- has left; refused charges take nothing. Without: the hold ends, settled at usage + fee when
-- positive (farebox_settle_hold), released otherwise (farebox_release_hold). Locks: every account
-- of the batch in id order, then every hold in (account_id, id) order, then entries, key spend
-- rows and kind totals, set-wise. Since drizzle/0008_hold_charge_refusals.sql.
CREATE OR REPLACE FUNCTION farebox_end_holds(p_items jsonb, p_now timestamptz)
RETURNS TABLE (item_index bigint, outcome text) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_item record;
  v_hold_id text;
  v_taken bigint := 0;
  v_verdict text;
  v_positions bigint[] := '{}';
  v_outcomes text[] := '{}';
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM 1 FROM accounts a
    WHERE a.id IN (SELECT h.account_id FROM holds h WHERE h.id IN (SELECT e->>'hold_id' FROM jsonb_array_elements(p_items) e))
    ORDER BY a.id FOR NO KEY UPDATE;

  PERFORM 1 FROM holds h
    WHERE h.id IN (SELECT e->>'hold_id' FROM jsonb_array_elements(p_items) e)
    ORDER BY h.account_id, h.id FOR UPDATE;

  -- each charge, hold by hold in the order given: accepted only if it fits in what is left
  FOR v_item IN
    SELECT e.position, e.item->>'hold_id' AS hold_id,
           (e.item->>'usage_nano')::bigint + (e.item->>'fee_nano')::bigint AS total,
           h.amount_nano - coalesce(h.settled_nano, 0) AS open_nano,
           CASE
             WHEN h.id IS NULL OR h.status <> 'open' THEN 'not_open'
             WHEN (e.item->>'usage_nano')::bigint + (e.item->>'fee_nano')::bigint = 0 THEN 'ok'
             WHEN EXISTS (SELECT 1 FROM ledger_entries x
                           WHERE x.idempotency_key IN ((e.item->>'charge_key') || ':usage', (e.item->>'charge_key') || ':fee')) THEN 'duplicate'
           END AS verdict
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(item, position)
      LEFT JOIN holds h ON h.id = e.item->>'hold_id'
      WHERE e.item ? 'charge_key'
      ORDER BY e.item->>'hold_id', e.position
  LOOP
    IF v_hold_id IS DISTINCT FROM v_item.hold_id THEN
      v_hold_id := v_item.hold_id;
      v_taken := 0;
    END IF;
    v_verdict := v_item.verdict;
    IF v_verdict IS NULL THEN
      IF v_taken + v_item.total <= v_item.open_nano THEN
        v_verdict := 'ok';
        v_taken := v_taken + v_item.total;
      ELSE
        v_verdict := 'exceeds_hold';
      END IF;
    END IF;
    v_positions := v_positions || v_item.position;
    v_outcomes := v_outcomes || v_verdict;
  END LOOP;

  RETURN QUERY
  WITH charges AS (
    SELECT e.position, e.item->>'hold_id' AS hold_id, (e.item->>'usage_nano')::bigint AS usage_nano,
           (e.item->>'fee_nano')::bigint AS fee_nano, e.item->>'charge_key' AS charge_key,
           coalesce(e.item->'metadata', '{}'::jsonb) AS metadata, h.account_id, h.key_id, judged.outcome
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(item, position)
      JOIN unnest(v_positions, v_outcomes) AS judged(position, outcome) ON judged.position = e.position
      LEFT JOIN holds h ON h.id = e.item->>'hold_id'
  ), entries AS (
    INSERT INTO ledger_entries (account_id, kind, amount_nano, idempotency_key, hold_id, key_id, metadata)
      SELECT c.account_id, part.kind::ledger_entry_kind, -part.amount, c.charge_key || ':' || part.kind, c.hold_id, c.key_id, c.metadata
        FROM charges c CROSS JOIN LATERAL (VALUES ('usage', c.usage_nano), ('fee', c.fee_nano)) AS part(kind, amount)
        WHERE c.outcome = 'ok' AND part.amount > 0
        ORDER BY c.position, part.kind DESC
      RETURNING 1
  ), hold_totals AS (
    UPDATE holds h SET settled_nano = coalesce(h.settled_nano, 0) + t.total
      FROM (SELECT hold_id, sum(usage_nano + fee_nano) AS total FROM charges WHERE outcome = 'ok' GROUP BY hold_id) t
      WHERE h.id = t.hold_id AND t.total > 0
      RETURNING 1
  ), account_totals AS (
    UPDATE accounts a SET balance_nano = a.balance_nano - t.total, held_nano = a.held_nano - t.total
      FROM (SELECT account_id, sum(usage_nano + fee_nano) AS total FROM charges WHERE outcome = 'ok' GROUP BY account_id) t
      WHERE a.id = t.account_id AND t.total > 0
      RETURNING 1
  ), key_totals AS (
    UPDATE key_spend s SET held_nano = s.held_nano - t.total, window_spent_nano = s.window_spent_nano + t.total
      FROM (SELECT key_id, sum(usage_nano + fee_nano) AS total FROM charges WHERE outcome = 'ok' AND key_id IS NOT NULL GROUP BY key_id) t
      WHERE s.key_id = t.key_id AND t.total > 0
      RETURNING 1
  )
  SELECT c.position, c.outcome FROM charges c;

  FOR v_item IN
    SELECT e.position AS item, e.item->>'hold_id' AS hold_id, (e.item->>'usage_nano')::bigint AS usage_nano,
           (e.item->>'fee_nano')::bigint AS fee_nano, coalesce(e.item->'metadata', '{}'::jsonb) AS metadata
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(item, position)
      LEFT JOIN holds h ON h.id = e.item->>'hold_id'
      WHERE NOT e.item ? 'charge_key'
      ORDER BY h.account_id, e.item->>'hold_id', e.position
  LOOP
    item_index := v_item.item;
    IF v_item.usage_nano + v_item.fee_nano > 0 THEN
      outcome := farebox_settle_hold(v_item.hold_id, v_item.usage_nano, v_item.fee_nano, p_now, v_item.metadata);
    ELSE
      outcome := farebox_release_hold(v_item.hold_id, p_now, 'voided');
    END IF;
    RETURN NEXT;
  END LOOP;
END;
$$;
--> statement-breakpoint
-- Keeps ledger_kind_totals (each account's sum of entries per kind, read by /metrics) in step with
-- every INSERT into ledger_entries, whichever path posted it, in the same statement. An AFTER
-- statement trigger runs after the statement has updated (locked) the account row, so the totals
-- rows come after it. Since drizzle/0004_ledger_kind_totals_trigger.sql.
CREATE OR REPLACE FUNCTION farebox_ledger_kind_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_kind_totals AS t (account_id, kind, amount_nano)
    SELECT n.account_id, n.kind, sum(n.amount_nano) FROM new_entries n GROUP BY n.account_id, n.kind ORDER BY n.account_id, n.kind
    ON CONFLICT (account_id, kind) DO UPDATE SET amount_nano = t.amount_nano + excluded.amount_nano;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER ledger_entries_kind_totals AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION farebox_ledger_kind_totals_add();
