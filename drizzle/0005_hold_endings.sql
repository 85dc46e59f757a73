-- Holds shared by many requests, and ending holds in batches.
--
-- A gateway process reserves a slice of an account's balance as one hold (a "lease") and serves
-- many requests from it without a database round trip each: each request's worst case is
-- reserved inside the lease in memory, and what it actually cost is charged to the lease
-- (farebox_end_holds) by a background writer that handles many requests per statement. Two
-- processes still never spend more than the balance together: each spends only what its own
-- holds reserved. A hold's amount_nano is everything it reserved; settled_nano what has been
-- charged to it so far; the open reservation is the difference.
--
-- A batch locks its account rows in id order before anything else, so two batches from two
-- processes cannot deadlock; a single hold is still ended hold row first, then account row, then
-- the key's spend row.

DROP FUNCTION farebox_place_hold(text, text, text, bigint, bigint, timestamptz, timestamptz, timestamptz);
--> statement-breakpoint
-- Reserves at least p_amount and at most p_up_to: half of what is free beyond p_amount (free =
-- the account's available balance, and the key's remaining limit), so a lease never takes all of
-- a balance another process may need. figure: the amount reserved, or what is free on refusal.
CREATE FUNCTION farebox_place_hold(
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
-- Ends an open hold, freeing what it still reserves: 'voided' (or 'settled' when requests were
-- charged to it) or 'expired' (its TTL passed).
CREATE FUNCTION farebox_release_hold(p_hold_id text, p_now timestamptz, p_status hold_status)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_hold holds%ROWTYPE;
  v_open bigint;
BEGIN
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
-- hold, idempotent per key. Without: the hold ends — settled at usage + fee when positive
-- (farebox_settle_hold), released otherwise. Commits asynchronously, like placing a hold.
--
-- The charges are applied set-wise: the batch's account rows are locked first, in id order, then
-- its holds (a shared hold belongs to one process, so no other batch waits for it), then all
-- entries are inserted by one statement and each hold, account and key row is updated once for
-- the whole batch, however many requests it carries.
-- A charge is refused (and nothing of it written) when its hold is not open, when its key was
-- charged before ('duplicate'), or when it would take the hold past what it reserved.
CREATE FUNCTION farebox_end_holds(p_items jsonb, p_now timestamptz)
RETURNS TABLE (item_index bigint, outcome text) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_item record;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM 1 FROM accounts a
    WHERE a.id IN (SELECT h.account_id FROM holds h WHERE h.id IN (SELECT e->>'hold_id' FROM jsonb_array_elements(p_items) e))
    ORDER BY a.id FOR NO KEY UPDATE;

  PERFORM 1 FROM holds h
    WHERE h.id IN (SELECT e->>'hold_id' FROM jsonb_array_elements(p_items) e)
    ORDER BY h.account_id, h.id FOR UPDATE;

  RETURN QUERY
  WITH items AS (
    SELECT e.position, e.item->>'hold_id' AS hold_id, (e.item->>'usage_nano')::bigint AS usage_nano,
           (e.item->>'fee_nano')::bigint AS fee_nano, e.item->>'charge_key' AS charge_key,
           coalesce(e.item->'metadata', '{}'::jsonb) AS metadata
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(item, position)
      WHERE e.item ? 'charge_key'
  ), judged AS (
    SELECT i.*, h.account_id, h.key_id, h.amount_nano - coalesce(h.settled_nano, 0) AS open_nano,
      CASE
        WHEN h.id IS NULL OR h.status <> 'open' THEN 'not_open'
        WHEN i.usage_nano + i.fee_nano = 0 THEN 'ok'
        WHEN EXISTS (SELECT 1 FROM ledger_entries x WHERE x.idempotency_key IN (i.charge_key || ':usage', i.charge_key || ':fee')) THEN 'duplicate'
      END AS verdict
      FROM items i LEFT JOIN holds h ON h.id = i.hold_id
  ), charges AS (
    -- what each hold can still take, in the order the charges were given
    SELECT j.*, coalesce(j.verdict, CASE
        WHEN sum(CASE WHEN j.verdict IS NULL THEN j.usage_nano + j.fee_nano ELSE 0 END)
               OVER (PARTITION BY j.hold_id ORDER BY j.position) <= j.open_nano THEN 'ok'
        ELSE 'exceeds_hold' END) AS outcome
      FROM judged j
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
-- Settling now also applies to a hold that requests were already charged to: the final charge
-- comes out of what it still reserves, and the rest is freed.
CREATE OR REPLACE FUNCTION farebox_settle_hold(
  p_hold_id text, p_usage bigint, p_fee bigint, p_now timestamptz, p_metadata jsonb
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_hold holds%ROWTYPE;
  v_total bigint := p_usage + p_fee;
  v_open bigint;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
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
UPDATE holds SET settled_nano = 0 WHERE settled_nano IS NULL;
