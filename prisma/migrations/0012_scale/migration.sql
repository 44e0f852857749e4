-- 0012_scale: the usage ledger partitioned by month, indexes for every list
-- filter, Citus-ready keys on the tables that grow with traffic, a refusal
-- counter for the dashboard, and partition maintenance functions.
--
-- Citus contract (TEAM.md): usage_events, usage_daily_rollups, quota_counters,
-- chat_messages and usage_refusals are the distributed tables (distribution
-- column organization_id): each primary key and unique constraint includes
-- organization_id and no table has a foreign key pointing at them
-- (test/citus-catalog.test.ts checks this from one declared list).
--
-- Idempotency of usage replays cannot be a unique index on usage_events: on a
-- partitioned table a unique index must include occurred_at, which a replay
-- does not know. The hot path decides replays in a small non-partitioned table
-- keyed by (organization_id, idempotency_key) instead.

-- ── usage_events: recreate as a table partitioned by range of occurred_at ──
-- Everything earlier migrations hung on the table (columns, foreign keys,
-- policies, grants, triggers, plain indexes) is carried over generically, so a
-- column or trigger an earlier migration added survives; unique indexes that
-- do not include occurred_at cannot exist on a partitioned table and are
-- dropped with a NOTICE.
-- The append-only trigger fires on a partition: name the table people know.
CREATE OR REPLACE FUNCTION "reject_mutation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed',
    coalesce((SELECT c.relname::text FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.pg_partition_root(TG_RELID)), TG_TABLE_NAME), TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;

ALTER TABLE "usage_events" RENAME TO "usage_events_unpartitioned";

CREATE TABLE "usage_events" (LIKE "usage_events_unpartitioned" INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING COMMENTS)
  PARTITION BY RANGE ("occurred_at");

DO $$
DECLARE
  r record;
  old_oid oid := '"usage_events_unpartitioned"'::regclass;
  first_month date;
  m date;
BEGIN
  -- Plain (non-unique) indexes other than the ones this migration replaces.
  FOR r IN SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisunique AS uniq, i.indisprimary AS pk
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = old_oid LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', r.name, left('old_' || r.name, 63));
    IF r.pk OR r.name IN ('usage_events_organization_id_occurred_at_idx', 'usage_events_api_key_id_occurred_at_idx') THEN
      CONTINUE;
    ELSIF r.uniq THEN
      RAISE NOTICE 'realmgate: unique index % on usage_events dropped (a partitioned table cannot hold it): %', r.name, r.def;
    ELSE
      EXECUTE regexp_replace(r.def, '^CREATE INDEX \S+ ON \S+ ', 'CREATE INDEX ' || quote_ident(r.name) || ' ON "usage_events" ');
    END IF;
  END LOOP;
  -- Foreign keys to other tables (none may point at the ledger).
  FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = old_oid AND contype = 'f' LOOP
    EXECUTE format('ALTER TABLE "usage_events" ADD CONSTRAINT %I %s', r.conname, r.def);
  END LOOP;
  -- Check constraints.
  FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = old_oid AND contype = 'c' LOOP
    EXECUTE format('ALTER TABLE "usage_events" ADD CONSTRAINT %I %s', r.conname, r.def);
  END LOOP;
  -- Row-level security policies, as they are.
  FOR r IN SELECT policyname, permissive, cmd, roles, qual, with_check FROM pg_policies WHERE schemaname = current_schema() AND tablename = 'usage_events_unpartitioned' LOOP
    EXECUTE format('CREATE POLICY %I ON "usage_events" AS %s FOR %s TO %s%s%s', r.policyname, r.permissive, r.cmd,
      (SELECT string_agg(CASE WHEN x = 'public' THEN 'PUBLIC' ELSE quote_ident(x) END, ', ') FROM unnest(r.roles::text[]) x),
      coalesce(' USING (' || r.qual || ')', ''), coalesce(' WITH CHECK (' || r.with_check || ')', ''));
  END LOOP;
  -- Grants.
  FOR r IN SELECT g.grantee, g.privilege_type FROM information_schema.role_table_grants g
            WHERE g.table_schema = current_schema() AND g.table_name = 'usage_events_unpartitioned'
              AND g.grantee <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = old_oid) LOOP
    EXECUTE format('GRANT %s ON "usage_events" TO %s', r.privilege_type, CASE WHEN r.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(r.grantee) END);
  END LOOP;
  -- User triggers (the append-only ones from 0001, and any later one).
  FOR r IN SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = old_oid AND NOT tgisinternal LOOP
    EXECUTE regexp_replace(r.def, ' ON (\S+\.)?usage_events_unpartitioned ', ' ON "usage_events" ');
  END LOOP;

  -- Monthly partitions covering every existing row, the last 12 months and 3 ahead.
  SELECT least(date_trunc('month', min(occurred_at) AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date
    INTO first_month FROM "usage_events_unpartitioned";
  m := first_month;
  WHILE m <= (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months')::date LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "usage_events" FOR VALUES FROM (%L) TO (%L)',
      'usage_events_p' || to_char(m, 'YYYYMM'), (m::timestamp AT TIME ZONE 'UTC'), ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', 'usage_events_p' || to_char(m, 'YYYYMM'));
    m := (m + interval '1 month')::date;
  END LOOP;
END
$$;

ALTER TABLE "usage_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "usage_events" FORCE ROW LEVEL SECURITY;

-- The key leads with the distribution column and serves an organization's
-- newest-first pages by keyset (occurred_at, id).
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_pkey" PRIMARY KEY ("organization_id", "occurred_at", "id");
-- One index per list filter, each ending in (occurred_at, id) so a filtered
-- page is an index range read in the list's order, never a sort of all matches.
CREATE INDEX "usage_events_occurred_at_id_idx" ON "usage_events"("occurred_at", "id");
CREATE INDEX "usage_events_user_id_occurred_at_id_idx" ON "usage_events"("user_id", "occurred_at", "id");
CREATE INDEX "usage_events_api_key_id_occurred_at_id_idx" ON "usage_events"("api_key_id", "occurred_at", "id");
CREATE INDEX "usage_events_model_id_occurred_at_id_idx" ON "usage_events"("model_id", "occurred_at", "id");
CREATE INDEX "usage_events_realm_id_occurred_at_id_idx" ON "usage_events"("realm_id", "occurred_at", "id");

INSERT INTO "usage_events" SELECT * FROM "usage_events_unpartitioned";
DROP TABLE "usage_events_unpartitioned";

-- ── Citus keys on the other distributed tables ──
-- The database key leads with organization_id; Prisma (and AdminJS) keep
-- addressing rows by their uuid id, unique by construction.
ALTER TABLE "usage_daily_rollups" DROP CONSTRAINT "usage_daily_rollups_pkey";
ALTER TABLE "usage_daily_rollups" ADD CONSTRAINT "usage_daily_rollups_pkey" PRIMARY KEY ("organization_id", "id");
ALTER TABLE "quota_counters" DROP CONSTRAINT "quota_counters_pkey";
ALTER TABLE "quota_counters" ADD CONSTRAINT "quota_counters_pkey" PRIMARY KEY ("organization_id", "id");
DROP INDEX "quota_counters_slot_key";
CREATE UNIQUE INDEX "quota_counters_slot_key" ON "quota_counters"("organization_id", "subject_type", "subject_id", "metric", "model_id", "period_start") NULLS NOT DISTINCT;
DROP INDEX "quota_counters_organization_id_idx";
ALTER TABLE "chat_messages" DROP CONSTRAINT "chat_messages_pkey";
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_pkey" PRIMARY KEY ("organization_id", "id");
DROP INDEX "chat_messages_organization_id_idx";
-- Content retention walks messages by age.
CREATE INDEX "chat_messages_created_at_idx" ON "chat_messages"("created_at");
-- Rollup reads: an organization's days (the slot key), all organizations' days
-- (dashboard, superadmin), and one user's or key's days (entity pages).
DROP INDEX "usage_daily_rollups_day_idx";
CREATE INDEX "usage_daily_rollups_day_organization_id_idx" ON "usage_daily_rollups"("day", "organization_id");
CREATE INDEX "usage_daily_rollups_user_id_day_idx" ON "usage_daily_rollups"("user_id", "day");
CREATE INDEX "usage_daily_rollups_api_key_id_day_idx" ON "usage_daily_rollups"("api_key_id", "day");
CREATE INDEX "usage_daily_rollups_model_id_day_idx" ON "usage_daily_rollups"("model_id", "day");

-- ── audit log: newest-first pages for every filter, by keyset ──
DROP INDEX "audit_logs_actor_id_occurred_at_idx";
DROP INDEX "audit_logs_organization_id_occurred_at_idx";
CREATE INDEX "audit_logs_occurred_at_id_idx" ON "audit_logs"("occurred_at", "id");
CREATE INDEX "audit_logs_organization_id_occurred_at_id_idx" ON "audit_logs"("organization_id", "occurred_at", "id");
CREATE INDEX "audit_logs_actor_id_occurred_at_id_idx" ON "audit_logs"("actor_id", "occurred_at", "id");
CREATE INDEX "audit_logs_action_occurred_at_id_idx" ON "audit_logs"("action", "occurred_at", "id");

-- ── refusals (429) per organization, day and limit, for the dashboard ──
CREATE TABLE "usage_refusals" (
    "organization_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "code" VARCHAR(60) NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_refusals_pkey" PRIMARY KEY ("organization_id", "day", "code")
);
CREATE INDEX "usage_refusals_day_idx" ON "usage_refusals"("day");
ALTER TABLE "usage_refusals" ADD CONSTRAINT "usage_refusals_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "usage_refusals" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "usage_refusals" FORCE ROW LEVEL SECURITY;
-- Per-role policies with inline comparisons (as 0006_hardening): members read
-- their organization's counts, gateways (USER) and admins add to them, the
-- system login sees all.
DO $$
DECLARE
  org constant text := $s$organization_id = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid$s$;
  reader constant text := $s$NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER', 'VIEWER')$s$;
  writer constant text := $s$NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER')$s$;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    EXECUTE format('CREATE POLICY rg_app_select ON usage_refusals FOR SELECT TO realmgate_app USING (%s AND %s)', org, reader);
    EXECUTE format('CREATE POLICY rg_app_insert ON usage_refusals FOR INSERT TO realmgate_app WITH CHECK (%s AND %s)', org, writer);
    EXECUTE format('CREATE POLICY rg_app_update ON usage_refusals FOR UPDATE TO realmgate_app USING (%s AND %s) WITH CHECK (%s AND %s)', org, writer, org, writer);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system') THEN
    CREATE POLICY rg_system ON usage_refusals FOR ALL TO realmgate_system USING (true) WITH CHECK (true);
  END IF;
END
$$;

-- ── partition maintenance ──
-- Owned by the migration owner (only a table's owner may add or drop its
-- partitions) and run with its rights, so an app instance can create the
-- partitions it is about to write into. Transaction-scoped advisory lock:
-- safe under PgBouncer transaction pooling and between racing instances.
CREATE FUNCTION "rg_ensure_usage_partitions"(from_month date, months integer) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET "TimeZone" TO 'UTC' AS $$
DECLARE
  m date;
  part text;
  created integer := 0;
BEGIN
  IF from_month IS NULL OR months IS NULL OR months < 1 OR months > 24 THEN
    RAISE EXCEPTION 'rg_ensure_usage_partitions: months must be 1 to 24' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(727274012);
  FOR i IN 0 .. months - 1 LOOP
    m := (date_trunc('month', from_month) + make_interval(months => i))::date;
    part := 'usage_events_p' || to_char(m, 'YYYYMM');
    IF to_regclass(quote_ident(part)) IS NULL THEN
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF "usage_events" FOR VALUES FROM (%L) TO (%L)',
        part, m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
      EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', part);
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$$;

-- Drops whole monthly partitions that end on or before `before_month`
-- (never the current month). Rollups are separate and stay.
CREATE FUNCTION "rg_drop_usage_partitions"(before_month date) RETURNS SETOF text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET "TimeZone" TO 'UTC' AS $$
DECLARE
  r record;
BEGIN
  IF before_month IS NULL OR before_month > date_trunc('month', now())::date THEN
    RAISE EXCEPTION 'rg_drop_usage_partitions: never drops the current month' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(727274012);
  FOR r IN
    SELECT c.relname, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz AS upper_bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '"usage_events"'::regclass
  LOOP
    IF r.upper_bound IS NOT NULL AND r.upper_bound <= (before_month::timestamp AT TIME ZONE 'UTC') THEN
      EXECUTE format('ALTER TABLE "usage_events" DETACH PARTITION %I', r.relname);
      EXECUTE format('DROP TABLE %I', r.relname);
      RETURN NEXT r.relname;
    END IF;
  END LOOP;
END
$$;

REVOKE ALL ON FUNCTION "rg_ensure_usage_partitions"(date, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION "rg_drop_usage_partitions"(date) FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    GRANT SELECT, INSERT, UPDATE ON "usage_refusals" TO realmgate_app;
    GRANT EXECUTE ON FUNCTION "rg_ensure_usage_partitions"(date, integer) TO realmgate_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system') THEN
    GRANT SELECT, INSERT, UPDATE ON "usage_refusals" TO realmgate_system;
    GRANT EXECUTE ON FUNCTION "rg_ensure_usage_partitions"(date, integer) TO realmgate_system;
    GRANT EXECUTE ON FUNCTION "rg_drop_usage_partitions"(date) TO realmgate_system;
  END IF;
END
$$;
