-- Placing and settling a hold each run as one function call: one round trip, with the account
-- row locked only while the function runs. Inside a plpgsql function every statement takes a
-- fresh snapshot, so the checks read the latest committed state after the row lock is taken.
-- Lock order everywhere: hold row, then account row, then the key's spend row. Account rows are
-- taken FOR NO KEY UPDATE (what an UPDATE takes), never FOR UPDATE, and before any insert whose
-- foreign key share-locks the same row: a share lock later upgraded to an update lock deadlocks
-- against a waiter queued between the two.
--
-- Both commit asynchronously (synchronous_commit off for their own transaction only): the row
-- lock is released without waiting for the WAL flush, so one account is not limited to one
-- request per disk flush. A database crash can lose at most the last fraction of a second of
-- holds and settlements, never partially and never a deposit (deposits commit synchronously):
-- a lost hold frees its reservation, a lost settlement leaves that request unbilled.

CREATE FUNCTION farebox_place_hold(
  p_hold_id text, p_account_id text, p_key_id text, p_amount bigint, p_key_limit bigint,
  p_window_start timestamptz, p_now timestamptz, p_expires_at timestamptz
) RETURNS TABLE (outcome text, figure bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_available bigint;
  v_key_used bigint;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT a.balance_nano - a.held_nano INTO v_available FROM accounts a WHERE a.id = p_account_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_account'::text, 0::bigint;
    RETURN;
  END IF;
  IF v_available < p_amount THEN
    RETURN QUERY SELECT 'insufficient_balance'::text, v_available;
    RETURN;
  END IF;
  IF p_key_id IS NOT NULL THEN
    INSERT INTO key_spend (key_id, window_start) VALUES (p_key_id, p_window_start) ON CONFLICT (key_id) DO NOTHING;
    SELECT (CASE WHEN s.window_start < p_window_start THEN 0 ELSE s.window_spent_nano END) + s.held_nano
      INTO v_key_used FROM key_spend s WHERE s.key_id = p_key_id FOR NO KEY UPDATE;
    IF p_key_limit IS NOT NULL AND v_key_used + p_amount > p_key_limit THEN
      RETURN QUERY SELECT 'key_limit'::text, GREATEST(p_key_limit - v_key_used, 0);
      RETURN;
    END IF;
    UPDATE key_spend s SET
      window_spent_nano = CASE WHEN s.window_start < p_window_start THEN 0 ELSE s.window_spent_nano END,
      window_start = GREATEST(s.window_start, p_window_start),
      held_nano = s.held_nano + p_amount
    WHERE s.key_id = p_key_id;
  END IF;
  UPDATE accounts SET held_nano = held_nano + p_amount WHERE id = p_account_id;
  INSERT INTO holds (id, account_id, key_id, amount_nano, status, created_at, expires_at)
    VALUES (p_hold_id, p_account_id, p_key_id, p_amount, 'open', p_now, p_expires_at);
  RETURN QUERY SELECT 'ok'::text, 0::bigint;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION farebox_settle_hold(
  p_hold_id text, p_usage bigint, p_fee bigint, p_now timestamptz, p_metadata jsonb
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_hold holds%ROWTYPE;
  v_total bigint := p_usage + p_fee;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT * INTO v_hold FROM holds WHERE id = p_hold_id FOR UPDATE;
  IF NOT FOUND OR v_hold.status <> 'open' THEN
    RETURN 'not_open';
  END IF;
  IF v_total > v_hold.amount_nano THEN
    RETURN 'exceeds_hold';
  END IF;
  UPDATE holds SET status = 'settled', ended_at = p_now, settled_nano = v_total WHERE id = p_hold_id;
  UPDATE accounts SET balance_nano = balance_nano - v_total, held_nano = held_nano - v_hold.amount_nano
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
    UPDATE key_spend SET held_nano = held_nano - v_hold.amount_nano, window_spent_nano = window_spent_nano + v_total
      WHERE key_id = v_hold.key_id;
  END IF;
  RETURN 'ok';
END;
$$;
