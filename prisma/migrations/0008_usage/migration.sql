-- 0008_usage: the gateway hot path (src/domain/usage).
--
-- Three tables that grow with traffic, Citus-ready (TEAM.md): each carries
-- organization_id, its primary key and every unique constraint include it, and
-- no table has a foreign key pointing at them (nor do they point at tenant
-- tables: a deleted key or user must not be blocked by its holds).
--
-- * usage_idempotency_keys: the first answer to each POST /usage, keyed by
--   (organization_id, idempotency_key). Its primary key decides replays. It is
--   not a unique index on usage_events because the ledger is partitioned by
--   month (issue 11), and a partitioned table's unique keys must include the
--   partition column: a key replayed next month would then count twice.
-- * usage_reservations: holds for streamed calls. The counters hold the
--   reserved amounts (quota_counters.reserved); a hold past expires_at is given
--   back by the next batch of its organization (no scheduled job to race).
-- * api_key_rate_windows: one row per key, the current minute's admissions.

CREATE TYPE "ReservationStatus" AS ENUM ('HELD', 'SETTLED', 'RELEASED', 'EXPIRED');

CREATE TABLE "usage_idempotency_keys" (
    "organization_id" UUID NOT NULL,
    "idempotency_key" VARCHAR(200) NOT NULL,
    "usage_event_id" UUID NOT NULL,
    "answer" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_idempotency_keys_pkey" PRIMARY KEY ("organization_id", "idempotency_key")
);

CREATE TABLE "usage_reservations" (
    "organization_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "api_key_id" UUID NOT NULL,
    "user_id" UUID,
    "realm_id" UUID,
    "model_id" UUID NOT NULL,
    "idempotency_key" VARCHAR(200),
    "status" "ReservationStatus" NOT NULL DEFAULT 'HELD',
    "held_tokens" BIGINT NOT NULL,
    "token_counter_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[],
    "call_counter_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[],
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "input_tokens" INTEGER,
    "output_tokens" INTEGER,
    "usage_event_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_reservations_pkey" PRIMARY KEY ("organization_id", "id")
);
-- NULLS DISTINCT (the default): holds without a key never collide.
CREATE UNIQUE INDEX "usage_reservations_organization_id_idempotency_key_key" ON "usage_reservations"("organization_id", "idempotency_key");
-- The lazy reclaim: expired holds of one organization.
CREATE INDEX "usage_reservations_organization_id_status_expires_at_idx" ON "usage_reservations"("organization_id", "status", "expires_at");

CREATE TABLE "api_key_rate_windows" (
    "organization_id" UUID NOT NULL,
    "api_key_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "api_key_rate_windows_pkey" PRIMARY KEY ("organization_id", "api_key_id")
);

-- Row-level security: inline comparisons with the tenant settings (no function
-- call per row), so the planner uses the same indexes as without RLS.
DO $$
DECLARE
  t text;
  role_is text := $r$NULLIF(pg_catalog.current_setting('app.role', true), '')$r$;
  own_org text := $r$organization_id = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid$r$;
BEGIN
  FOREACH t IN ARRAY ARRAY['usage_idempotency_keys', 'usage_reservations', 'api_key_rate_windows'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY rg_select ON %I FOR SELECT USING (COALESCE(%s IN (''system'', ''SUPERADMIN'') OR (%s IN (''ADMIN'', ''USER'', ''VIEWER'') AND %s), false))', t, role_is, role_is, own_org);
    EXECUTE format('CREATE POLICY rg_insert ON %I FOR INSERT WITH CHECK (COALESCE(%s IN (''system'', ''SUPERADMIN'') OR (%s IN (''ADMIN'', ''USER'') AND %s), false))', t, role_is, role_is, own_org);
    EXECUTE format('CREATE POLICY rg_update ON %I FOR UPDATE USING (COALESCE(%s IN (''system'', ''SUPERADMIN'') OR (%s IN (''ADMIN'', ''USER'') AND %s), false)) WITH CHECK (COALESCE(%s IN (''system'', ''SUPERADMIN'') OR (%s IN (''ADMIN'', ''USER'') AND %s), false))', t, role_is, role_is, own_org, role_is, role_is, own_org);
    EXECUTE format('CREATE POLICY rg_delete ON %I FOR DELETE USING (COALESCE(%s IN (''system'', ''SUPERADMIN''), false))', t, role_is);
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON "usage_idempotency_keys", "usage_reservations", "api_key_rate_windows" TO realmgate_app;
  END IF;
END
$$;
