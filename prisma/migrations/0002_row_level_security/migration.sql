-- 0002_row_level_security: the second wall between tenants.
--
-- The app connects as a LOGIN role that is a member of `realmgate_app` (see
-- src/db/app-role.ts): it owns no table and has no BYPASSRLS, so every row it
-- reads or writes passes the policies below. Each request sets its context
-- transaction-locally (src/db/tenant-context.ts):
--   app.role     'system' | 'SUPERADMIN' | 'ADMIN' | 'USER' | 'VIEWER'
--   app.org_id   the actor's organization (uuid) or ''
--   app.user_id  the actor's user (uuid) or ''
-- 'system' and 'SUPERADMIN' see and write everything; ADMIN/USER/VIEWER see
-- their organization's rows; only ADMIN and USER write, and only into their
-- organization; no context at all sees no tenant row. Finer rules (a USER sees
-- only their own rows, which fields a role may write) live in the application.
--
-- FORCE ROW LEVEL SECURITY also subjects the table owner to the policies,
-- unless it is a superuser or has BYPASSRLS: code that connects as the owner
-- (seeds, maintenance) must set app.role = 'system' like everyone else.
--
-- These settings are a guard against application bugs (a forgotten where
-- clause, a wrong id from a crafted request), not against an attacker who can
-- run arbitrary SQL on the app connection: such an attacker could SET them.
--
-- Migrations after this one that add a table must GRANT it to realmgate_app
-- and ENABLE + FORCE row level security with policies: test/rls.test.ts fails
-- for any table the app may touch without both.

-- The group role is cluster-wide while this migration runs once per database,
-- possibly in several databases at the same time (tests create one per worker).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    BEGIN
      CREATE ROLE realmgate_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL; -- created meanwhile by the same migration in another database
      WHEN insufficient_privilege THEN
        -- A managed database whose owner may not create roles: the policies
        -- below still bind the owner (FORCE), and the app falls back to the
        -- owner's connection. Grants are skipped; see the warning.
        RAISE WARNING 'realmgate: cannot create role realmgate_app (%). Row-level security is enabled and forced, but the app will connect as the table owner. Ask your DBA to run CREATE ROLE realmgate_app NOLOGIN; then roll back and re-apply 0002_row_level_security, or set DATABASE_APP_URL.', SQLERRM;
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app' AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'realmgate: role realmgate_app is a superuser or has BYPASSRLS; row-level security would not apply to it. Run ALTER ROLE realmgate_app NOSUPERUSER NOBYPASSRLS and retry.';
  END IF;
END
$$;

-- Request context. Plain SQL, STABLE and self-contained (no calls to other
-- functions of ours, no search_path dependency) so the planner can inline them
-- into the policies. After a transaction the settings read '' rather than
-- NULL, hence NULLIF. A malformed uuid raises an error: fail closed.
CREATE FUNCTION "rg_ctx_org_id"() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid
$$;

CREATE FUNCTION "rg_ctx_user_id"() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT NULLIF(pg_catalog.current_setting('app.user_id', true), '')::uuid
$$;

CREATE FUNCTION "rg_ctx_role"() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT NULLIF(pg_catalog.current_setting('app.role', true), '')
$$;

-- 'system' (seeds, sign-in, session store, background jobs) or a superadmin.
CREATE FUNCTION "rg_ctx_privileged"() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('system', 'SUPERADMIN'), false)
$$;

-- May the current context read a row of organization `org`?
CREATE FUNCTION "rg_can_read"(org uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(
    NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('system', 'SUPERADMIN')
    OR (NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER', 'VIEWER')
        AND org = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid),
    false)
$$;

-- May the current context write a row of organization `org`? VIEWER never writes.
CREATE FUNCTION "rg_can_write"(org uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(
    NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('system', 'SUPERADMIN')
    OR (NULLIF(pg_catalog.current_setting('app.role', true), '') IN ('ADMIN', 'USER')
        AND org = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid),
    false)
$$;

-- Tables whose rows belong to exactly one organization (users.organization_id
-- is NULL for superadmins: such rows are visible to privileged contexts only).
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
END
$$;

-- Catalogs with global rows (organization_id NULL): every signed-in context
-- reads them; only privileged contexts write them.
DO $$
DECLARE
  t text;
BEGIN
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

-- An organization is its own tenant: members read it, its ADMIN may edit it,
-- only privileged contexts create or delete organizations.
CREATE POLICY rg_select ON "organizations" FOR SELECT USING (rg_can_read(id));
CREATE POLICY rg_insert ON "organizations" FOR INSERT WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_update ON "organizations" FOR UPDATE
  USING (rg_ctx_privileged() OR (rg_ctx_role() = 'ADMIN' AND id = rg_ctx_org_id()))
  WITH CHECK (rg_ctx_privileged() OR (rg_ctx_role() = 'ADMIN' AND id = rg_ctx_org_id()));
CREATE POLICY rg_delete ON "organizations" FOR DELETE USING (rg_ctx_privileged());

-- Append-only (grants give SELECT and INSERT only, and a trigger rejects
-- UPDATE/DELETE). Any member may record an entry for their own organization;
-- platform entries (organization_id NULL) come from privileged contexts.
CREATE POLICY rg_select ON "audit_logs" FOR SELECT USING (rg_can_read(organization_id));
CREATE POLICY rg_insert ON "audit_logs" FOR INSERT WITH CHECK (rg_can_read(organization_id));

-- connect-pg-simple's table: the session store runs as 'system' (it must find
-- any session by its secret id). Superadmins see all sessions, an ADMIN those
-- of their organization, anyone their own; the same may end them.
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

-- The per-IP sign-in throttle belongs to the sign-in code alone.
CREATE POLICY rg_all ON "login_throttle" FOR ALL
  USING (rg_ctx_role() = 'system') WITH CHECK (rg_ctx_role() = 'system');

-- Realm migration bookkeeping spans organizations: platform staff only.
CREATE POLICY rg_all ON "realm_migration_runs" FOR ALL USING (rg_ctx_privileged()) WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_all ON "realm_migration_items" FOR ALL USING (rg_ctx_privileged()) WITH CHECK (rg_ctx_privileged());

-- The tool catalog is global: anyone reads it, platform staff change it.
CREATE POLICY rg_select ON "tools" FOR SELECT USING (true);
CREATE POLICY rg_insert ON "tools" FOR INSERT WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_update ON "tools" FOR UPDATE USING (rg_ctx_privileged()) WITH CHECK (rg_ctx_privileged());
CREATE POLICY rg_delete ON "tools" FOR DELETE USING (rg_ctx_privileged());

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
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

-- Grants, spelled out per table: no ALTER DEFAULT PRIVILEGES, so a table added
-- later (or a future monthly partition of usage_events) is out of the app's
-- reach until its migration grants it along with its policies.
DO $$
DECLARE
  t text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    RETURN; -- warned above
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO realmgate_app', current_schema());
  FOREACH t IN ARRAY ARRAY[
    'organizations', 'users', 'session', 'login_throttle', 'realms', 'api_keys',
    'vector_servers', 'knowledge_bases', 'documents', 'ingestion_jobs', 'chat_sessions',
    'chat_messages', 'ai_models', 'organization_model_access', 'user_model_limits',
    'quota_counters', 'usage_daily_rollups', 'agents', 'tools',
    'realm_migration_runs', 'realm_migration_items'
  ] LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO realmgate_app', t);
  END LOOP;
  -- Append-only ledgers: the trigger from 0001 is the backstop, this the wall.
  GRANT SELECT, INSERT ON "usage_events", "audit_logs" TO realmgate_app;
  -- Readiness compares applied migrations with the files on disk.
  GRANT SELECT ON "_realmgate_migrations" TO realmgate_app;
  EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO realmgate_app', current_schema());
  EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO realmgate_app', current_schema());
END
$$;
