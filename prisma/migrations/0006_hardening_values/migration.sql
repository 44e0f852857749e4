-- 0006_hardening_values: password changes end sessions; value rules in the
-- database itself.

-- A new password ends every session of its user, whichever path set it (the
-- change-password form, an admin's temporary password, the CLI, a DBA at the
-- psql prompt). The session that changed its own password is issued a fresh
-- one by the app right after. Sign-in's transparent rehash (same password,
-- stronger parameters) says so with app.rehash and ends nothing.
CREATE TRIGGER "users_end_sessions_on_password"
  AFTER UPDATE OF "password_hash" ON "users"
  FOR EACH ROW
  WHEN (NEW."password_hash" IS DISTINCT FROM OLD."password_hash"
        AND COALESCE(NULLIF(pg_catalog.current_setting('app.rehash', true), ''), 'off') <> 'on')
  EXECUTE FUNCTION "rg_end_user_sessions"();
