-- One lock order for every ledger write: account rows first (several in id order), then hold rows
-- (in account, id order), then key_spend and ledger_kind_totals rows. The current definitions of
-- every ledger function, and the rule in full, are in src/ledger/sql/ledger-functions.sql.
--
-- farebox_settle_hold and farebox_release_hold locked the hold row before its account row, while
-- farebox_end_holds (0005) locks accounts first: hold expiry (release) racing a settlement batch
-- on the same account could deadlock. Both now lock the account row first. Inside
-- farebox_end_holds, which already holds both, nothing changes.
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
