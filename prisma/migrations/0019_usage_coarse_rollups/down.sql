-- Back to 0018's batch write (no coarse rollups).
-- Every write of one batch in one statement (data-modifying CTEs). No ON
-- CONFLICT on first answers and holds: a taken idempotency key fails the
-- batch (unique_violation), which is rolled back and retried.
CREATE OR REPLACE FUNCTION "rg_usage_batch_write"(
  c_org uuid[], c_id uuid[], c_used bigint[], c_reserved bigint[], c_limit bigint[], c_set_limit boolean[],
  w_org uuid[], w_key uuid[], w_start timestamptz[], w_requests int[],
  a_org uuid[], a_key text[], a_event uuid[], a_answer jsonb[],
  e_at timestamptz, e_id uuid[], e_org uuid[], e_user uuid[], e_key uuid[], e_realm uuid[], e_model uuid[], e_ik text[], e_in int[], e_out int[], e_meta jsonb[],
  h_org uuid[], h_id uuid[], h_key uuid[], h_user uuid[], h_realm uuid[], h_model uuid[], h_ik text[], h_held bigint[], h_tc jsonb[], h_cc jsonb[], h_exp timestamptz[],
  r_org uuid[], r_id uuid[], r_status text[], r_held bigint[], r_exp timestamptz[], r_in int[], r_out int[], r_event uuid[],
  d_org uuid[], d_day date[], d_model uuid[], d_user uuid[], d_key uuid[], d_in bigint[], d_out bigint[], d_n bigint[],
  f_org uuid[], f_day date[], f_code text[], f_n bigint[]
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  written integer;
BEGIN
  WITH c AS (
    UPDATE quota_counters q
       SET used = q.used + v.du, reserved = q.reserved + v.dr,
           limit_value = CASE WHEN v.setl THEN v.lim ELSE q.limit_value END, updated_at = now()
      FROM unnest(c_org, c_id, c_used, c_reserved, c_limit, c_set_limit) AS v(org, id, du, dr, lim, setl)
     WHERE q.organization_id = v.org AND q.id = v.id RETURNING 1
  ), w AS (
    UPDATE api_key_rate_windows t SET window_start = v.ws, requests = v.n
      FROM unnest(w_org, w_key, w_start, w_requests) AS v(org, key, ws, n)
     WHERE t.organization_id = v.org AND t.api_key_id = v.key RETURNING 1
  ), a AS (
    INSERT INTO usage_idempotency_keys (organization_id, idempotency_key, usage_event_id, answer)
    SELECT * FROM unnest(a_org, a_key, a_event, a_answer)
    RETURNING 1
  ), e AS (
    INSERT INTO usage_events (id, occurred_at, organization_id, user_id, api_key_id, realm_id, model_id, idempotency_key,
                              input_tokens, output_tokens, total_tokens, requests, metadata)
    SELECT v.id, e_at, v.org, v.usr, v.key, v.realm, v.model, v.ik, v.it, v.ot, v.it + v.ot, 1, v.md
      FROM unnest(e_id, e_org, e_user, e_key, e_realm, e_model, e_ik, e_in, e_out, e_meta) AS v(id, org, usr, key, realm, model, ik, it, ot, md)
    RETURNING 1
  ), h AS (
    INSERT INTO usage_reservations (organization_id, id, api_key_id, user_id, realm_id, model_id, idempotency_key, status, held_tokens,
                                    token_counter_ids, call_counter_ids, expires_at)
    SELECT v.org, v.id, v.key, v.usr, v.realm, v.model, v.ik, 'HELD', v.held,
           ARRAY(SELECT jsonb_array_elements_text(v.tc))::uuid[], ARRAY(SELECT jsonb_array_elements_text(v.cc))::uuid[], v.exp
      FROM unnest(h_org, h_id, h_key, h_user, h_realm, h_model, h_ik, h_held, h_tc, h_cc, h_exp) AS v(org, id, key, usr, realm, model, ik, held, tc, cc, exp)
    RETURNING 1
  ), r AS (
    UPDATE usage_reservations t
       SET status = v.st::"ReservationStatus", held_tokens = v.held, expires_at = v.exp, input_tokens = v.it, output_tokens = v.ot,
           usage_event_id = v.ev, updated_at = now()
      FROM unnest(r_org, r_id, r_status, r_held, r_exp, r_in, r_out, r_event) AS v(org, id, st, held, exp, it, ot, ev)
     WHERE t.organization_id = v.org AND t.id = v.id RETURNING 1
  ), d AS (
    INSERT INTO usage_daily_rollups AS u (organization_id, day, model_id, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
    SELECT v.org, v.day, v.model, v.usr, v.key, v.it, v.ot, v.it + v.ot, v.n, v.n
      FROM unnest(d_org, d_day, d_model, d_user, d_key, d_in, d_out, d_n) AS v(org, day, model, usr, key, it, ot, n)
    ON CONFLICT (organization_id, day, model_id, user_id, api_key_id) DO UPDATE
       SET input_tokens = u.input_tokens + EXCLUDED.input_tokens, output_tokens = u.output_tokens + EXCLUDED.output_tokens,
           total_tokens = u.total_tokens + EXCLUDED.total_tokens, requests = u.requests + EXCLUDED.requests,
           events = u.events + EXCLUDED.events, updated_at = now()
    RETURNING 1
  ), f AS (
    INSERT INTO usage_refusals AS x (organization_id, day, code, count, updated_at)
    SELECT v.org, v.day, v.code, v.n, now() FROM unnest(f_org, f_day, f_code, f_n) AS v(org, day, code, n)
    ON CONFLICT (organization_id, day, code) DO UPDATE SET count = x.count + EXCLUDED.count, updated_at = now()
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM c) + (SELECT count(*) FROM w) + (SELECT count(*) FROM a) + (SELECT count(*) FROM e)
       + (SELECT count(*) FROM h) + (SELECT count(*) FROM r) + (SELECT count(*) FROM d) + (SELECT count(*) FROM f)
    INTO written;
  RETURN written;
END
$$;

DROP FUNCTION "rg_refresh_usage_coarse_rollups"(date, date);
DROP TABLE "usage_daily_key_rollups";
DROP TABLE "usage_daily_model_rollups";
