-- Reverts 0006_hardening: back to 0002/0004's policies on one login.
DO $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT policyname, tablename FROM pg_catalog.pg_policies WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
  END LOOP;
END
$$;

CREATE FUNCTION "rg_ctx_org_id"() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid
$$;
CREATE FUNCTION "rg_ctx_user_id"() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT NULLIF(pg_catalog.current_setting('app.user_id', true), '')::uuid
$$;
CREATE FUNCTION "rg_ctx_role"() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT NULLIF(pg_catalog.current_setting('app.role', true), '')
$$;
CREATE FUNCTION "rg_ctx_privileged"() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('system', 'SUPERADMIN'), false)
$$;
CREATE FUNCTION "rg_can_read"(org uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(
    NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('system', 'SUPERADMIN')
    OR (NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER', 'VIEWER')
        AND org = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid),
    false)
$$;
CREATE FUNCTION "rg_can_write"(org uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(
    NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('system', 'SUPERADMIN')
    OR (NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER')
        AND org = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid),
    false)
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'users', 'realms', 'api_keys', 'vector_servers', 'knowledge_bases', 'documents',
    'ingestion_jobs', 'chat_sessions', 'chat_messages', 'organization_model_access',
    'user_model_limits', 'quota_counters', 'usage_events', 'usage_daily_rollups'
  ] LOOP
    EXECUTE format('CREATE POLICY rg_select ON %I FOR SELECT USING (rg_can_read(organization_id))', t);
    EXECUTE format('CREATE POLICY rg_insert ON %I FOR INSERT WITH CHECK (rg_can_write(organization_id))', t);
    EXECUTE format('CREATE POLICY rg_update ON %I FOR UPDATE USING (rg_can_write(organization_id)) WITH CHECK (rg_can_write(organization_id))', t);
    EXECUTE format('CREATE POLICY rg_delete ON %I FOR DELETE USING (rg_can_write(organization_id))', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['ai_models', 'agents'] LOOP
    EXECUTE format($f$CREATE POLICY rg_select ON %I FOR SELECT USING (
      rg_can_read(organization_id)
      OR (organization_id IS NULL AND rg_ctx_role() IN ('ADMIN', 'USER', 'VIEWER')))$f$, t);
    EXECUTE format('CREATE POLICY rg_insert ON %I FOR INSERT WITH CHECK (rg_can_write(organization_id))', t);
    EXECUTE format('CREATE POLICY rg_update ON %I FOR UPDATE USING (rg_can_write(organization_id)) WITH CHECK (rg_can_write(organization_id))', t);
    EXECUTE format('CREATE POLICY rg_delete ON %I FOR DELETE USING (rg_can_write(organization_id))', t);
  END LOOP;
END
$$;

CREATE POLICY rg_select ON "organizations" FOR SELECT USING (rg_can_read(id));
CREATE POLICY rg_insert ON "organizations" FOR INSERT WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_update ON "organizations" FOR UPDATE
  USING (rg_ctx_privileged() OR (rg_ctx_role() = 'ADMIN' AND id = rg_ctx_org_id()))
  WITH CHECK (rg_ctx_privileged() OR (rg_ctx_role() = 'ADMIN' AND id = rg_ctx_org_id()));
CREATE POLICY rg_delete ON "organizations" FOR DELETE USING (rg_ctx_privileged());
CREATE POLICY rg_select ON "audit_logs" FOR SELECT USING (rg_can_read(organization_id));
CREATE POLICY rg_insert ON "audit_logs" FOR INSERT WITH CHECK (rg_can_read(organization_id));
CREATE POLICY rg_select ON "session" FOR SELECT USING (
  rg_ctx_privileged()
  OR (rg_ctx_role() = 'ADMIN' AND organization_id = rg_ctx_org_id()::text)
  OR (rg_ctx_role() IN ('ADMIN', 'USER', 'VIEWER') AND user_id = rg_ctx_user_id()::text));
CREATE POLICY rg_insert ON "session" FOR INSERT WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_update ON "session" FOR UPDATE USING (rg_ctx_privileged()) WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_delete ON "session" FOR DELETE USING (
  rg_ctx_privileged()
  OR (rg_ctx_role() = 'ADMIN' AND organization_id = rg_ctx_org_id()::text)
  OR (rg_ctx_role() IN ('ADMIN', 'USER', 'VIEWER') AND user_id = rg_ctx_user_id()::text));
CREATE POLICY rg_all ON "login_throttle" FOR ALL
  USING (rg_ctx_role() = 'system') WITH CHECK (rg_ctx_role() = 'system');
CREATE POLICY rg_all ON "realm_migration_runs" FOR ALL USING (rg_ctx_privileged()) WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_all ON "realm_migration_items" FOR ALL USING (rg_ctx_privileged()) WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_select ON "tools" FOR SELECT USING (true);
CREATE POLICY rg_insert ON "tools" FOR INSERT WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_update ON "tools" FOR UPDATE USING (rg_ctx_privileged()) WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_delete ON "tools" FOR DELETE USING (rg_ctx_privileged());
CREATE POLICY rg_superadmin_read ON "login_throttle" FOR SELECT USING (rg_ctx_role() = 'SUPERADMIN');
CREATE POLICY rg_superadmin_delete ON "login_throttle" FOR DELETE USING (rg_ctx_role() = 'SUPERADMIN');

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO realmgate_app', current_schema());
  END IF;
END
$$;

-- 0003's trigger function, owned by the owner again.
DROP FUNCTION "rg_end_user_sessions"() CASCADE;
CREATE FUNCTION "rg_end_user_sessions"() RETURNS trigger
  LANGUAGE plpgsql
AS $$
DECLARE
  caller_role text := pg_catalog.current_setting('app.role', true);
BEGIN
  PERFORM pg_catalog.set_config('app.role', 'system', true);
  DELETE FROM "session" WHERE "user_id" = OLD."id"::text;
  PERFORM pg_catalog.set_config('app.role', COALESCE(caller_role, ''), true);
  RETURN NULL;
END
$$;
CREATE TRIGGER "users_end_sessions_on_status"
  AFTER UPDATE OF "status" ON "users"
  FOR EACH ROW
  WHEN (NEW."status" IS DISTINCT FROM OLD."status" AND NEW."status" <> 'ACTIVE')
  EXECUTE FUNCTION "rg_end_user_sessions"();
CREATE TRIGGER "users_end_sessions_on_delete"
  AFTER DELETE ON "users"
  FOR EACH ROW
  EXECUTE FUNCTION "rg_end_user_sessions"();

-- The system role is cluster-wide: revoke everything here, drop it (and the
-- per-database logins src/db/app-role.ts made) only when no database uses it.
DO $$
DECLARE
  sys_oid oid;
  login name;
BEGIN
  SELECT oid INTO sys_oid FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system';
  IF sys_oid IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM realmgate_system', current_schema());
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM realmgate_system', current_schema());
  EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM realmgate_system', current_schema());
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM realmgate_system', current_schema());
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend WHERE refclassid = 'pg_catalog.pg_authid'::regclass AND refobjid = sys_oid) THEN
    RAISE NOTICE 'realmgate: role realmgate_system is still used by another database; keeping it';
    RETURN;
  END IF;
  BEGIN
    FOR login IN
      SELECT r.rolname FROM pg_catalog.pg_roles r
      WHERE r.rolname LIKE 'realmgate\_system\_login%'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend d WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid)
    LOOP
      EXECUTE format('DROP ROLE %I', login);
    END LOOP;
    DROP ROLE realmgate_system;
  EXCEPTION
    WHEN insufficient_privilege OR dependent_objects_still_exist THEN
      RAISE WARNING 'realmgate: could not drop role realmgate_system (%); it has no privileges left in this database', SQLERRM;
  END;
END
$$;
