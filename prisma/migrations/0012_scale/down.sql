-- Back to one plain usage_events table (rows kept), the keys of 0001, no refusal counter.
CREATE OR REPLACE FUNCTION "reject_mutation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
DROP FUNCTION "rg_drop_usage_partitions"(date);
DROP FUNCTION "rg_ensure_usage_partitions"(date, integer);
DROP TABLE "usage_refusals";

DROP INDEX "audit_logs_action_occurred_at_id_idx";
DROP INDEX "audit_logs_actor_id_occurred_at_id_idx";
DROP INDEX "audit_logs_organization_id_occurred_at_id_idx";
DROP INDEX "audit_logs_occurred_at_id_idx";
CREATE INDEX "audit_logs_organization_id_occurred_at_idx" ON "audit_logs"("organization_id", "occurred_at");
CREATE INDEX "audit_logs_actor_id_occurred_at_idx" ON "audit_logs"("actor_id", "occurred_at");

DROP INDEX "usage_daily_rollups_model_id_day_idx";
DROP INDEX "usage_daily_rollups_api_key_id_day_idx";
DROP INDEX "usage_daily_rollups_user_id_day_idx";
DROP INDEX "usage_daily_rollups_day_organization_id_idx";
CREATE INDEX "usage_daily_rollups_day_idx" ON "usage_daily_rollups"("day");

DROP INDEX "chat_messages_created_at_idx";
CREATE INDEX "chat_messages_organization_id_idx" ON "chat_messages"("organization_id");
ALTER TABLE "chat_messages" DROP CONSTRAINT "chat_messages_pkey";
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_pkey" PRIMARY KEY ("id");
CREATE INDEX "quota_counters_organization_id_idx" ON "quota_counters"("organization_id");
DROP INDEX "quota_counters_slot_key";
CREATE UNIQUE INDEX "quota_counters_slot_key" ON "quota_counters"("subject_type", "subject_id", "metric", "model_id", "period_start") NULLS NOT DISTINCT;
ALTER TABLE "quota_counters" DROP CONSTRAINT "quota_counters_pkey";
ALTER TABLE "quota_counters" ADD CONSTRAINT "quota_counters_pkey" PRIMARY KEY ("id");
ALTER TABLE "usage_daily_rollups" DROP CONSTRAINT "usage_daily_rollups_pkey";
ALTER TABLE "usage_daily_rollups" ADD CONSTRAINT "usage_daily_rollups_pkey" PRIMARY KEY ("id");

ALTER TABLE "usage_events" RENAME TO "usage_events_partitioned";
CREATE TABLE "usage_events" (LIKE "usage_events_partitioned" INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING COMMENTS);

DO $$
DECLARE
  r record;
  old_oid oid := '"usage_events_partitioned"'::regclass;
BEGIN
  FOR r IN SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisprimary AS pk
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = old_oid LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', r.name, left('old_' || r.name, 63));
    IF NOT r.pk AND r.name NOT IN ('usage_events_occurred_at_id_idx', 'usage_events_user_id_occurred_at_id_idx', 'usage_events_api_key_id_occurred_at_id_idx',
                                   'usage_events_model_id_occurred_at_id_idx', 'usage_events_realm_id_occurred_at_id_idx') THEN
      EXECUTE regexp_replace(r.def, '^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ ', 'CREATE \1INDEX ' || quote_ident(r.name) || ' ON "usage_events" ');
    END IF;
  END LOOP;
  FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = old_oid AND contype IN ('f', 'c') LOOP
    EXECUTE format('ALTER TABLE "usage_events" ADD CONSTRAINT %I %s', r.conname, r.def);
  END LOOP;
  FOR r IN SELECT policyname, permissive, cmd, roles, qual, with_check FROM pg_policies WHERE schemaname = current_schema() AND tablename = 'usage_events_partitioned' LOOP
    EXECUTE format('CREATE POLICY %I ON "usage_events" AS %s FOR %s TO %s%s%s', r.policyname, r.permissive, r.cmd,
      (SELECT string_agg(CASE WHEN x = 'public' THEN 'PUBLIC' ELSE quote_ident(x) END, ', ') FROM unnest(r.roles::text[]) x),
      coalesce(' USING (' || r.qual || ')', ''), coalesce(' WITH CHECK (' || r.with_check || ')', ''));
  END LOOP;
  FOR r IN SELECT g.grantee, g.privilege_type FROM information_schema.role_table_grants g
            WHERE g.table_schema = current_schema() AND g.table_name = 'usage_events_partitioned'
              AND g.grantee <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = old_oid) LOOP
    EXECUTE format('GRANT %s ON "usage_events" TO %s', r.privilege_type, CASE WHEN r.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(r.grantee) END);
  END LOOP;
  FOR r IN SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = old_oid AND NOT tgisinternal AND tgparentid = 0 LOOP
    EXECUTE regexp_replace(r.def, ' ON (\S+\.)?usage_events_partitioned ', ' ON "usage_events" ');
  END LOOP;
END
$$;

ALTER TABLE "usage_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "usage_events" FORCE ROW LEVEL SECURITY;
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_pkey" PRIMARY KEY ("id", "occurred_at");
CREATE INDEX "usage_events_organization_id_occurred_at_idx" ON "usage_events"("organization_id", "occurred_at");
CREATE INDEX "usage_events_api_key_id_occurred_at_idx" ON "usage_events"("api_key_id", "occurred_at");

INSERT INTO "usage_events" SELECT * FROM "usage_events_partitioned";
DROP TABLE "usage_events_partitioned";
