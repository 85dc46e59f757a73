-- A charge a shared hold refuses takes nothing from it.
--
-- farebox_end_holds (0005_hold_endings.sql) judged each charge against a running sum of every
-- earlier charge on the same hold, refused ones included: one charge too big for the hold made
-- every later charge on it come back exceeds_hold too (5000 then 100 against an open 3000 were
-- both refused). Charges are now judged one after the other, in the order given, each against
-- what the hold has left after the charges accepted before it. Everything else is unchanged: the
-- same locks in the same order, and the accepted charges written set-wise by one statement.
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
