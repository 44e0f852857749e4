-- Reverts 0007_api.
DROP TRIGGER IF EXISTS "users_revoke_refresh_tokens" ON "users";
DROP FUNCTION IF EXISTS "rg_revoke_user_refresh_tokens"();
DROP TABLE IF EXISTS "api_refresh_tokens";
ALTER TABLE "audit_logs" DROP COLUMN IF EXISTS "request_id";
