-- Reverts 0006_hardening_values.
DROP TRIGGER IF EXISTS "users_end_sessions_on_password" ON "users";
