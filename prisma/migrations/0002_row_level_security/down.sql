-- Reverts 0002_row_level_security.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'organizations', 'users', 'session', 'login_throttle', 'realms', 'api_keys',
    'vector_servers', 'knowledge_bases', 'documents', 'ingestion_jobs', 'chat_sessions',
    'chat_messages', 'ai_models', 'organization_model_access', 'user_model_limits',
    'quota_counters', 'usage_events', 'usage_daily_rollups', 'agents', 'tools',
    'audit_logs', 'realm_migration_runs', 'realm_migration_items'
  ] LOOP
    EXECUTE format('DROP POLICY IF EXISTS rg_select ON %I', t);
    EXECUTE format('DROP POLICY IF EXISTS rg_insert ON %I', t);
    EXECUTE format('DROP POLICY IF EXISTS rg_update ON %I', t);
    EXECUTE format('DROP POLICY IF EXISTS rg_delete ON %I', t);
    EXECUTE format('DROP POLICY IF EXISTS rg_all ON %I', t);
    EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

DROP FUNCTION IF EXISTS "rg_can_write"(uuid);
DROP FUNCTION IF EXISTS "rg_can_read"(uuid);
DROP FUNCTION IF EXISTS "rg_ctx_privileged"();
DROP FUNCTION IF EXISTS "rg_ctx_role"();
DROP FUNCTION IF EXISTS "rg_ctx_user_id"();
DROP FUNCTION IF EXISTS "rg_ctx_org_id"();

-- Roles are cluster-wide: other databases on this server (another Realmgate,
-- the test databases of a parallel run) may still grant to realmgate_app. Revoke
-- everything here, then drop the roles only when no database depends on them
-- (pg_shdepend is shared, so it sees grants made in every database). The login
-- role created by src/db/app-role.ts goes with the group role; a login role
-- with another name (DATABASE_APP_URL) belongs to its DBA and is left alone.
DO $$
DECLARE
  app_oid oid;
  login name;
BEGIN
  SELECT oid INTO app_oid FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app';
  IF app_oid IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM realmgate_app', current_schema());
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM realmgate_app', current_schema());
  EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM realmgate_app', current_schema());
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM realmgate_app', current_schema());

  IF EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend WHERE refclassid = 'pg_catalog.pg_authid'::regclass AND refobjid = app_oid) THEN
    RAISE NOTICE 'realmgate: role realmgate_app is still used by another database; keeping it';
    RETURN;
  END IF;
  BEGIN
    -- The per-database logins (src/db/app-role.ts appLoginName) that nothing depends on.
    FOR login IN
      SELECT r.rolname FROM pg_catalog.pg_roles r
      WHERE r.rolname LIKE 'realmgate\_app\_login%'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend d WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid)
    LOOP
      EXECUTE format('DROP ROLE %I', login);
    END LOOP;
    DROP ROLE realmgate_app;
  EXCEPTION
    WHEN insufficient_privilege OR dependent_objects_still_exist THEN
      RAISE WARNING 'realmgate: could not drop role realmgate_app (%); it has no privileges left in this database', SQLERRM;
  END;
END
$$;
