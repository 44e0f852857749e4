-- 0003_session_security: a user who is disabled, locked or deleted loses every
-- open session at once, whoever or whatever made the change (the admin panel, a
-- domain function, the sign-in lockout, a cascade from a deleted organization,
-- a DBA at the psql prompt). The app also re-reads the user on every request
-- (src/admin/auth/admin-session.ts); this trigger makes the rows themselves go,
-- so the Active sessions screen and the session store agree immediately.
--
-- Status is the one switch people use for locks: keep locked_until and the
-- failure count in line with it whoever flips it (an admin editing the status
-- in the panel, a script), so that sign-in's rule (src/domain/auth/account-state.ts)
-- reads what the admin meant.
--   -> ACTIVE (an unlock): the lock's end goes; the failure count restarts
--      unless the same statement set it (the sign-in code does).
--   -> LOCKED with a locked_until already in the past (a leftover of an old
--      lock): a lock without end, until someone unlocks.
CREATE FUNCTION "rg_normalize_user_lock"() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW."status" = 'ACTIVE' AND OLD."status" <> 'ACTIVE' THEN
    NEW."locked_until" := NULL;
    IF NEW."failed_login_attempts" = OLD."failed_login_attempts" THEN
      NEW."failed_login_attempts" := 0;
    END IF;
  ELSIF NEW."status" = 'LOCKED' AND OLD."status" <> 'LOCKED'
        AND NEW."locked_until" IS NOT DISTINCT FROM OLD."locked_until" AND NEW."locked_until" <= now() THEN
    NEW."locked_until" := NULL;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "users_normalize_lock"
  BEFORE UPDATE OF "status" ON "users"
  FOR EACH ROW
  WHEN (NEW."status" IS DISTINCT FROM OLD."status")
  EXECUTE FUNCTION "rg_normalize_user_lock"();

-- The function switches app.role to 'system' for its one DELETE and then puts
-- the caller's value back: the caller may be an org ADMIN whose row-level
-- security context could not see, say, a session row whose organization_id is
-- stale, and ending sessions must never be partial. (A function-level
-- SET app.role clause would say the same, but a non-superuser owner may not
-- set a placeholder parameter there: managed databases.) If the DELETE fails
-- the transaction or savepoint aborts, which restores the setting as well.
-- It is not SECURITY DEFINER: it runs as the caller (the app role, which may
-- DELETE from "session") and cannot be called except as a trigger.
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

-- Any status but ACTIVE ends sessions: INACTIVE (disabled) and LOCKED (by an
-- admin or by the sign-in lockout).
CREATE TRIGGER "users_end_sessions_on_status"
  AFTER UPDATE OF "status" ON "users"
  FOR EACH ROW
  WHEN (NEW."status" IS DISTINCT FROM OLD."status" AND NEW."status" <> 'ACTIVE')
  EXECUTE FUNCTION "rg_end_user_sessions"();

CREATE TRIGGER "users_end_sessions_on_delete"
  AFTER DELETE ON "users"
  FOR EACH ROW
  EXECUTE FUNCTION "rg_end_user_sessions"();

