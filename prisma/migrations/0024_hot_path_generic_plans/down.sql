-- Each function as it was before, with 0023's setting (CREATE OR REPLACE drops
-- this migration's).
-- The lock function as 0018 made it.
CREATE OR REPLACE FUNCTION "rg_usage_batch_lock"(
  targeted_orgs uuid[], targeted_ids uuid[], counter_orgs uuid[], counter_ids uuid[], key_orgs uuid[], key_ids uuid[],
  user_ids uuid[], realm_ids uuid[], org_ids uuid[], as_of timestamptz,
  usage_orgs uuid[], usage_keys text[], hold_orgs uuid[], hold_keys text[]
) RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  locked json;
  reclaimed json;
  reclaimed_counters uuid[];
  counters json;
  rates json;
  reads json;
BEGIN
  SELECT coalesce(json_agg(rg_usage_reservation_json(x.t) ORDER BY x.o, x.i), '[]'::json) INTO locked FROM (
    SELECT t, t.organization_id AS o, t.id AS i FROM usage_reservations t
     WHERE t.organization_id = ANY(targeted_orgs) AND t.id = ANY(targeted_ids)
     ORDER BY t.organization_id, t.id FOR UPDATE) x;

  WITH expired AS (
    SELECT organization_id, id FROM usage_reservations
     WHERE organization_id = ANY(org_ids) AND status = 'HELD' AND expires_at <= as_of
     ORDER BY organization_id, id FOR UPDATE SKIP LOCKED
  ), done AS (
    UPDATE usage_reservations r SET status = 'EXPIRED', updated_at = now()
      FROM expired e WHERE r.organization_id = e.organization_id AND r.id = e.id
    RETURNING r AS t
  )
  SELECT (SELECT coalesce(json_agg(rg_usage_reservation_json(d.t)), '[]'::json) FROM done d),
         (SELECT coalesce(array_agg(c), '{}') FROM done d, unnest((d.t).token_counter_ids || (d.t).call_counter_ids) AS c)
    INTO reclaimed, reclaimed_counters;

  SELECT json_build_object(
    'keys', (SELECT coalesce(json_agg(json_build_object(
        'id', k.id, 'organizationId', k.organization_id, 'userId', k.user_id, 'realmId', k.realm_id, 'revokedAt', k.revoked_at,
        'expiresAt', k.expires_at, 'maxTokens', k.max_tokens, 'ratePerMinute', k.rate_limit_per_minute, 'allowedModelIds', k.allowed_model_ids,
        'orgActive', o.is_active, 'orgTokenQuota', o.monthly_token_quota, 'orgApiCallQuota', o.monthly_api_call_quota,
        'ownerUsable', CASE WHEN k.user_id IS NULL THEN NULL ELSE coalesce(rg_account_usable(u.status, u.locked_until), false) END)), '[]'::json)
       FROM api_keys k JOIN organizations o ON o.id = k.organization_id LEFT JOIN users u ON u.id = k.user_id
      WHERE k.id = ANY(key_ids)),
    'users', (SELECT coalesce(json_agg(json_build_object('id', u.id, 'organizationId', u.organization_id, 'usable', rg_account_usable(u.status, u.locked_until))), '[]'::json)
       FROM users u WHERE u.id = ANY(user_ids)),
    'realms', (SELECT coalesce(json_agg(json_build_object('id', x.id, 'organizationId', x.organization_id, 'isActive', x.is_active)), '[]'::json)
       FROM realms x WHERE x.id = ANY(realm_ids)),
    'answers', (SELECT coalesce(json_agg(json_build_object('o', i.organization_id, 'k', i.idempotency_key, 'a', i.answer)), '[]'::json)
       FROM usage_idempotency_keys i
      WHERE (i.organization_id, i.idempotency_key) IN (SELECT * FROM unnest(usage_orgs, usage_keys))),
    'holds', (SELECT coalesce(json_agg(rg_usage_reservation_json(h)), '[]'::json) FROM usage_reservations h
      WHERE (h.organization_id, h.idempotency_key) IN (SELECT * FROM unnest(hold_orgs, hold_keys))))
    INTO reads;

  -- Counters by primary key, gathered first and compared as two arrays (an
  -- index scan; counter ids are unique, so crossed pairs match nothing).
  WITH ids (org, id) AS MATERIALIZED (
    SELECT * FROM unnest(counter_orgs, counter_ids)
    UNION
    SELECT r.organization_id, unnest(r.token_counter_ids || r.call_counter_ids) FROM usage_reservations r
     WHERE r.organization_id = ANY(targeted_orgs) AND r.id = ANY(targeted_ids)
    UNION
    SELECT q.organization_id, q.id FROM quota_counters q
     WHERE q.organization_id = ANY(org_ids) AND q.id = ANY(reclaimed_counters)
  ), picked AS (
    SELECT id, organization_id, subject_type, subject_id, metric, model_id, period, period_start, used, reserved, limit_value
      FROM quota_counters
     WHERE organization_id = ANY(ARRAY(SELECT org FROM ids)) AND id = ANY(ARRAY(SELECT id FROM ids))
     ORDER BY subject_type, subject_id, metric, model_id NULLS LAST, period_start FOR UPDATE
  )
  SELECT coalesce(json_agg(json_build_object(
      'id', id, 'organization_id', organization_id, 'subject_type', subject_type::text, 'subject_id', subject_id, 'metric', metric::text,
      'model_id', model_id, 'period', period::text, 'period_start', period_start, 'used', used::float8, 'reserved', reserved::float8,
      'limit_value', limit_value::float8)), '[]'::json)
    INTO counters FROM picked;

  WITH windows AS (
    SELECT rw.organization_id, rw.api_key_id, rw.window_start, rw.requests FROM api_key_rate_windows rw
     WHERE rw.organization_id = ANY(key_orgs) AND rw.api_key_id = ANY(key_ids)
       AND EXISTS (SELECT 1 FROM api_keys k WHERE k.id = rw.api_key_id AND k.rate_limit_per_minute IS NOT NULL)
     ORDER BY rw.organization_id, rw.api_key_id FOR UPDATE OF rw
  )
  SELECT coalesce(json_agg(json_build_object('organization_id', organization_id, 'api_key_id', api_key_id, 'window_start', window_start, 'requests', requests)), '[]'::json)
    INTO rates FROM windows;

  RETURN json_build_object('locked', locked, 'reclaimed', reclaimed, 'reads', reads, 'counters', counters, 'rates', rates);
END
$$;
ALTER FUNCTION "rg_usage_batch_lock"(uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], timestamptz, uuid[], text[], uuid[], text[]) SET enable_seqscan = off;
-- The write function as 0019 made it.
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
  ), m AS (
    -- The coarse rollups (0019): the batch's rollup rows summed per model and
    -- per key, one UPSERT per coarse row, inserted in key order (the lock order).
    INSERT INTO usage_daily_model_rollups AS u (organization_id, day, model_id, input_tokens, output_tokens, total_tokens, requests, events)
    SELECT v.org, v.day, v.model, sum(v.it), sum(v.ot), sum(v.it + v.ot), sum(v.n), sum(v.n)
      FROM unnest(d_org, d_day, d_model, d_in, d_out, d_n) AS v(org, day, model, it, ot, n)
     GROUP BY v.org, v.day, v.model ORDER BY v.org, v.day, v.model
    ON CONFLICT (organization_id, day, model_id) DO UPDATE
       SET input_tokens = u.input_tokens + EXCLUDED.input_tokens, output_tokens = u.output_tokens + EXCLUDED.output_tokens,
           total_tokens = u.total_tokens + EXCLUDED.total_tokens, requests = u.requests + EXCLUDED.requests,
           events = u.events + EXCLUDED.events, updated_at = now()
    RETURNING 1
  ), k AS (
    INSERT INTO usage_daily_key_rollups AS u (organization_id, day, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
    SELECT v.org, v.day, v.usr, v.key, sum(v.it), sum(v.ot), sum(v.it + v.ot), sum(v.n), sum(v.n)
      FROM unnest(d_org, d_day, d_user, d_key, d_in, d_out, d_n) AS v(org, day, usr, key, it, ot, n)
     GROUP BY v.org, v.day, v.usr, v.key ORDER BY v.org, v.day, v.usr, v.key
    ON CONFLICT (organization_id, day, user_id, api_key_id) DO UPDATE
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
       + (SELECT count(*) FROM h) + (SELECT count(*) FROM r) + (SELECT count(*) FROM d) + (SELECT count(*) FROM m) + (SELECT count(*) FROM k) + (SELECT count(*) FROM f)
    INTO written;
  RETURN written;
END
$$;
ALTER FUNCTION "rg_usage_batch_write"(uuid[], uuid[], bigint[], bigint[], bigint[], boolean[], uuid[], uuid[], timestamptz[], int[], uuid[], text[], uuid[], jsonb[], timestamptz, uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], text[], int[], int[], jsonb[], uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], text[], bigint[], jsonb[], jsonb[], timestamptz[], uuid[], uuid[], text[], bigint[], timestamptz[], int[], int[], uuid[], uuid[], date[], uuid[], uuid[], uuid[], bigint[], bigint[], bigint[], uuid[], date[], text[], bigint[]) SET enable_seqscan = off;
-- rg_caller_counters as 0020 made it.
CREATE OR REPLACE FUNCTION "rg_caller_counters"(org uuid, subject_types "QuotaSubject"[], subject_ids uuid[], metrics "QuotaMetric"[], period_starts timestamptz[])
  RETURNS TABLE (subject_type text, subject_id uuid, metric text, model_id uuid, period_start timestamptz, used float8, reserved float8)
  LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT q.subject_type::text, q.subject_id, q.metric::text, q.model_id, q.period_start, q.used::float8, q.reserved::float8
    FROM quota_counters q
    JOIN unnest(subject_types, subject_ids, metrics, period_starts) AS v(st, sid, m, ps)
      ON q.organization_id = org AND q.subject_type = v.st AND q.subject_id = v.sid AND q.metric = v.m AND q.period_start = v.ps;
END $$;
