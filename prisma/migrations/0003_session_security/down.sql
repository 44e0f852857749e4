-- Reverts 0003_session_security.
DROP TRIGGER IF EXISTS "users_end_sessions_on_delete" ON "users";
DROP TRIGGER IF EXISTS "users_end_sessions_on_status" ON "users";
DROP FUNCTION IF EXISTS "rg_end_user_sessions"();
DROP TRIGGER IF EXISTS "users_normalize_lock" ON "users";
DROP FUNCTION IF EXISTS "rg_normalize_user_lock"();
