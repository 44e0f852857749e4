-- 0019_usage_coarse_rollups: the dashboard's rollups. usage_daily_rollups has
-- one row per organization, day, model, user and key (1.4M rows for 10M ledger
-- rows here), and every dashboard panel summed a window of it: the superadmin's
-- 30 days are 360k rows, read six times. Two coarser rollups answer the same
-- questions for an organization or for all of them from far fewer rows:
--   usage_daily_model_rollups  organization x day x model  (tokens per day by model, top models)
--   usage_daily_key_rollups    organization x day x user x key  (top organizations, users, keys; month totals)
-- They are kept by the same batch write as the daily rollups (one UPSERT per
-- coarse row per batch, rg_usage_batch_write below) and derived from the daily
-- rollups by rg_refresh_usage_coarse_rollups (the rebuild, seeds, this backfill).
-- Citus: both are distributed by organization_id (src/db/distributed-tables.ts):
-- it leads their keys, and nothing points at them. Model, user and key ids
-- carry no foreign key: a rollup outlives what it names (the ledger keeps those
-- rows from being deleted while it holds usage for them; retention drops the
-- ledger, never the rollups), and a SET NULL could merge two slots into one.

CREATE TABLE "usage_daily_model_rollups" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "model_id" UUID,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "events" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_daily_model_rollups_pkey" PRIMARY KEY ("organization_id", "id")
);
CREATE UNIQUE INDEX "usage_daily_model_rollups_slot_key" ON "usage_daily_model_rollups"("organization_id", "day", "model_id") NULLS NOT DISTINCT;
-- All organizations' window (the superadmin's dashboard) by an index-only scan
-- in day order: every column those reads group by or sum is in the index.
CREATE INDEX "usage_daily_model_rollups_day_covering_idx" ON "usage_daily_model_rollups"("day", "model_id", "organization_id") INCLUDE ("total_tokens", "requests");
ALTER TABLE "usage_daily_model_rollups" ADD CONSTRAINT "usage_daily_model_rollups_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "usage_daily_key_rollups" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "user_id" UUID,
    "api_key_id" UUID,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "events" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_daily_key_rollups_pkey" PRIMARY KEY ("organization_id", "id")
);
CREATE UNIQUE INDEX "usage_daily_key_rollups_slot_key" ON "usage_daily_key_rollups"("organization_id", "day", "user_id", "api_key_id") NULLS NOT DISTINCT;
CREATE INDEX "usage_daily_key_rollups_day_covering_idx" ON "usage_daily_key_rollups"("day", "organization_id", "user_id", "api_key_id") INCLUDE ("total_tokens", "requests");
ALTER TABLE "usage_daily_key_rollups" ADD CONSTRAINT "usage_daily_key_rollups_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security as on usage_daily_rollups (0006_hardening): members read
-- their organization's rows, the system login (the hot path, the rebuild) all.
DO $$
DECLARE
  t text;
  org constant text := $s$organization_id = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid$s$;
  reader constant text := $s$NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER', 'VIEWER')$s$;
  writer constant text := $s$NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER')$s$;
BEGIN
  FOREACH t IN ARRAY ARRAY['usage_daily_model_rollups', 'usage_daily_key_rollups'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (input_tokens >= 0 AND output_tokens >= 0 AND total_tokens >= 0 AND requests >= 0 AND events >= 0)', t, t || '_counts_check');
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
      EXECUTE format('CREATE POLICY rg_app_select ON %I FOR SELECT TO realmgate_app USING (%s AND %s)', t, org, reader);
      EXECUTE format('CREATE POLICY rg_app_insert ON %I FOR INSERT TO realmgate_app WITH CHECK (%s AND %s)', t, org, writer);
      EXECUTE format('CREATE POLICY rg_app_update ON %I FOR UPDATE TO realmgate_app USING (%s AND %s) WITH CHECK (%s AND %s)', t, org, writer, org, writer);
      EXECUTE format('CREATE POLICY rg_app_delete ON %I FOR DELETE TO realmgate_app USING (%s AND %s)', t, org, writer);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO realmgate_app', t);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system') THEN
      EXECUTE format('CREATE POLICY rg_system ON %I FOR ALL TO realmgate_system USING (true) WITH CHECK (true)', t);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO realmgate_system', t);
    END IF;
  END LOOP;
END
$$;

-- The coarse rollups of the UTC days [from_day, to_day], recomputed from the
-- daily rollups of those days (which the rebuild recomputes from the ledger
-- first), written in day order as the hot path writes them (a window's rows
-- then sit together). Runs with the caller's rights: the rebuild and seeds
-- call it on the system login.
CREATE FUNCTION "rg_refresh_usage_coarse_rollups"(from_day date, to_day date) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  models integer;
  keys integer;
BEGIN
  DELETE FROM usage_daily_model_rollups WHERE day BETWEEN from_day AND to_day;
  INSERT INTO usage_daily_model_rollups (organization_id, day, model_id, input_tokens, output_tokens, total_tokens, requests, events)
  SELECT organization_id, day, model_id, sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(requests), sum(events)
    FROM usage_daily_rollups WHERE day BETWEEN from_day AND to_day
   GROUP BY organization_id, day, model_id ORDER BY day;
  GET DIAGNOSTICS models = ROW_COUNT;
  DELETE FROM usage_daily_key_rollups WHERE day BETWEEN from_day AND to_day;
  INSERT INTO usage_daily_key_rollups (organization_id, day, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
  SELECT organization_id, day, user_id, api_key_id, sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(requests), sum(events)
    FROM usage_daily_rollups WHERE day BETWEEN from_day AND to_day
   GROUP BY organization_id, day, user_id, api_key_id ORDER BY day;
  GET DIAGNOSTICS keys = ROW_COUNT;
  RETURN models + keys;
END
$$;

-- Backfill from the daily rollups already there.
SELECT "rg_refresh_usage_coarse_rollups"(min(day), max(day)) FROM usage_daily_rollups;

-- The batch write of 0018 with the two coarse UPSERTs added (same signature).
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
