-- 0006_hardening: row-level security that SQL run on the tenant-facing login
-- cannot widen.
--
-- Until now one login served tenants and system work, told apart by the
-- transaction setting app.role: any SQL on that connection (an injection
-- anywhere) could set_config('app.role', 'system') and read every tenant.
-- From here on the two are separate logins in separate group roles, and the
-- policies are per role:
--   realmgate_app     the tenant-facing login (panel requests of org members,
--                     API requests). Its policies compare organization_id with
--                     app.org_id inline; app.role only narrows (VIEWER does not
--                     write) and no value of it widens: 'system' and
--                     'SUPERADMIN' mean nothing to these policies.
--   realmgate_system  system-wide work: sign-in lookup, API key lookup, the
--                     session store, seeds, realm migration, cross-tenant
--                     batches, and platform superadmins' panel requests. Its
--                     policies let it through (USING true); it is a separate
--                     login whose credentials tenant code never holds a
--                     connection of.
-- Policies are plain inline comparisons: no per-row calls to functions of ours
-- (the planner can use the organization_id indexes; Citus can route).
--
-- A table added by a later migration needs: GRANT to both roles, ENABLE +
-- FORCE row level security, a `TO realmgate_app` policy comparing
-- organization_id with app.org_id, and a `TO realmgate_system` policy.
-- test/rls.test.ts fails for a table either role may touch without RLS.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system') THEN
    BEGIN
      CREATE ROLE realmgate_system NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL; -- created meanwhile by the same migration in another database
      WHEN insufficient_privilege THEN
        RAISE WARNING 'realmgate: cannot create role realmgate_system (%). System work (sign-in, seeds) will find no rows unless the owner is a superuser or has BYPASSRLS. Ask your DBA to run CREATE ROLE realmgate_system NOLOGIN; GRANT realmgate_system TO <owner>; then roll back and re-apply 0006_hardening.', SQLERRM;
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system' AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'realmgate: role realmgate_system is a superuser or has BYPASSRLS. Run ALTER ROLE realmgate_system NOSUPERUSER NOBYPASSRLS and retry.';
  END IF;
  -- The owner (who runs migrations and the CLI) does system work too, and must
  -- be able to hand the session-ending trigger function to realmgate_system.
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system')
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = current_user AND rolsuper)
     AND NOT pg_catalog.pg_has_role(current_user, 'realmgate_system', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT realmgate_system TO %I', current_user);
    EXCEPTION
      WHEN insufficient_privilege THEN
        RAISE WARNING 'realmgate: cannot grant realmgate_system to %: %', current_user, SQLERRM;
    END;
  END IF;
END
$$;

-- Every policy of 0002 and 0004 goes; the ones below replace them.
DO $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT policyname, tablename FROM pg_catalog.pg_policies WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
  END LOOP;
END
$$;

DO $$
DECLARE
  t text;
  org constant text := $s$organization_id = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid$s$;
  reader constant text := $s$NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER', 'VIEWER')$s$;
  writer constant text := $s$NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER')$s$;
  all_tables constant text[] := ARRAY[
    'organizations', 'users', 'session', 'login_throttle', 'realms', 'api_keys',
    'vector_servers', 'knowledge_bases', 'documents', 'ingestion_jobs', 'chat_sessions',
    'chat_messages', 'ai_models', 'organization_model_access', 'user_model_limits',
    'quota_counters', 'usage_events', 'usage_daily_rollups', 'agents', 'tools',
    'audit_logs', 'realm_migration_runs', 'realm_migration_items'];
  has_app constant boolean := EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app');
  has_system constant boolean := EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system');
BEGIN
  IF has_app THEN
    -- Rows of exactly one organization.
    FOREACH t IN ARRAY ARRAY[
      'users', 'realms', 'api_keys', 'vector_servers', 'knowledge_bases', 'documents',
      'ingestion_jobs', 'chat_sessions', 'chat_messages', 'organization_model_access',
      'user_model_limits', 'quota_counters', 'usage_events', 'usage_daily_rollups'
    ] LOOP
      EXECUTE format('CREATE POLICY rg_app_select ON %I FOR SELECT TO realmgate_app USING (%s AND %s)', t, org, reader);
      EXECUTE format('CREATE POLICY rg_app_insert ON %I FOR INSERT TO realmgate_app WITH CHECK (%s AND %s)', t, org, writer);
      EXECUTE format('CREATE POLICY rg_app_update ON %I FOR UPDATE TO realmgate_app USING (%s AND %s) WITH CHECK (%s AND %s)', t, org, writer, org, writer);
      EXECUTE format('CREATE POLICY rg_app_delete ON %I FOR DELETE TO realmgate_app USING (%s AND %s)', t, org, writer);
    END LOOP;

    -- Catalogs that also hold global rows (organization_id NULL), read by every member.
    FOREACH t IN ARRAY ARRAY['ai_models', 'agents'] LOOP
      EXECUTE format('CREATE POLICY rg_app_select ON %I FOR SELECT TO realmgate_app USING ((%s OR organization_id IS NULL) AND %s)', t, org, reader);
      EXECUTE format('CREATE POLICY rg_app_insert ON %I FOR INSERT TO realmgate_app WITH CHECK (%s AND %s)', t, org, writer);
      EXECUTE format('CREATE POLICY rg_app_update ON %I FOR UPDATE TO realmgate_app USING (%s AND %s) WITH CHECK (%s AND %s)', t, org, writer, org, writer);
      EXECUTE format('CREATE POLICY rg_app_delete ON %I FOR DELETE TO realmgate_app USING (%s AND %s)', t, org, writer);
    END LOOP;

    -- An organization is its own tenant: members read it, its ADMIN edits it;
    -- creating and deleting organizations is platform work.
    EXECUTE format('CREATE POLICY rg_app_select ON organizations FOR SELECT TO realmgate_app USING (%s AND %s)', replace(org, 'organization_id', 'id'), reader);
    EXECUTE format($f$CREATE POLICY rg_app_update ON organizations FOR UPDATE TO realmgate_app
      USING (%1$s AND NULLIF(pg_catalog.current_setting('app.role', true), '') = 'ADMIN')
      WITH CHECK (%1$s AND NULLIF(pg_catalog.current_setting('app.role', true), '') = 'ADMIN')$f$, replace(org, 'organization_id', 'id'));

    -- Append-only (grants and a trigger refuse UPDATE/DELETE).
    EXECUTE format('CREATE POLICY rg_app_select ON audit_logs FOR SELECT TO realmgate_app USING (%s AND %s)', org, reader);
    EXECUTE format('CREATE POLICY rg_app_insert ON audit_logs FOR INSERT TO realmgate_app WITH CHECK (%s AND %s)', org, reader);

    -- Sessions (the store itself runs on the system login): an ADMIN sees and
    -- ends those of their organization, anyone their own.
    EXECUTE format($f$CREATE POLICY rg_app_select ON session FOR SELECT TO realmgate_app USING (
        (NULLIF(pg_catalog.current_setting('app.role', true), '') = 'ADMIN' AND organization_id = NULLIF(pg_catalog.current_setting('app.org_id', true), ''))
        OR (%1$s AND user_id = NULLIF(pg_catalog.current_setting('app.user_id', true), '')))$f$, reader);
    EXECUTE format($f$CREATE POLICY rg_app_delete ON session FOR DELETE TO realmgate_app USING (
        (NULLIF(pg_catalog.current_setting('app.role', true), '') = 'ADMIN' AND organization_id = NULLIF(pg_catalog.current_setting('app.org_id', true), ''))
        OR (%1$s AND user_id = NULLIF(pg_catalog.current_setting('app.user_id', true), '')))$f$, reader);

    -- The global tool catalog: members read it.
    EXECUTE format('CREATE POLICY rg_app_select ON tools FOR SELECT TO realmgate_app USING (%s)', reader);
    -- login_throttle, realm_migration_runs/items: no policy for the tenant
    -- login at all, so it sees and writes none of their rows.
  END IF;

  IF has_system THEN
    FOREACH t IN ARRAY all_tables LOOP
      EXECUTE format('CREATE POLICY rg_system ON %I FOR ALL TO realmgate_system USING (true) WITH CHECK (true)', t);
    END LOOP;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO realmgate_system', current_schema());
    FOREACH t IN ARRAY all_tables LOOP
      IF t NOT IN ('usage_events', 'audit_logs') THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO realmgate_system', t);
      END IF;
    END LOOP;
    GRANT SELECT, INSERT ON "usage_events", "audit_logs" TO realmgate_system;
    GRANT SELECT ON "_realmgate_migrations" TO realmgate_system;
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO realmgate_system', current_schema());
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO realmgate_system', current_schema());
  END IF;
END
$$;

-- Ending a user's sessions must reach every session row whoever changed the
-- user (an org ADMIN's tenant context cannot see, say, a session whose
-- organization_id is stale). 0003's version switched app.role to 'system',
-- which the tenant login may no longer claim; this one runs as
-- realmgate_system (SECURITY DEFINER, owned by that role) and does nothing but
-- this one DELETE.
DO $do$
BEGIN
  EXECUTE format($f$CREATE OR REPLACE FUNCTION "rg_end_user_sessions"() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, %1$I
  AS $body$
  BEGIN
    DELETE FROM %1$I."session" WHERE "user_id" = OLD."id"::text;
    RETURN NULL;
  END
  $body$$f$, current_schema());
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system') THEN
    BEGIN
      ALTER FUNCTION "rg_end_user_sessions"() OWNER TO realmgate_system;
    EXCEPTION
      WHEN insufficient_privilege THEN
        RAISE WARNING 'realmgate: cannot hand rg_end_user_sessions to realmgate_system (%): sessions of a disabled user may outlive the change', SQLERRM;
    END;
  END IF;
  REVOKE ALL ON FUNCTION "rg_end_user_sessions"() FROM PUBLIC;
END
$do$;

-- The helpers of 0002 evaluated per row and honoured a claim of 'system'; no
-- policy uses them any more.
DROP FUNCTION "rg_can_write"(uuid);
DROP FUNCTION "rg_can_read"(uuid);
DROP FUNCTION "rg_ctx_privileged"();
DROP FUNCTION "rg_ctx_role"();
DROP FUNCTION "rg_ctx_user_id"();
DROP FUNCTION "rg_ctx_org_id"();
