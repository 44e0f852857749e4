-- The API's audit rows name the request that made them (X-Request-Id).
ALTER TABLE "audit_logs" ADD COLUMN "request_id" VARCHAR(128);

-- Refresh tokens of the API's user sign-in (POST /api/v1/auth/token). Only an
-- HMAC of each token is stored. A family is one sign-in: refreshing replaces
-- the token with a new one of the same family, logout revokes the family, and
-- access tokens carry the family id so they die with it.
CREATE TABLE "api_refresh_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "replaced_by_id" UUID,
    "ip" VARCHAR(64),
    "user_agent" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_refresh_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_refresh_tokens_token_hash_key" ON "api_refresh_tokens"("token_hash");
CREATE INDEX "api_refresh_tokens_user_id_idx" ON "api_refresh_tokens"("user_id");
CREATE INDEX "api_refresh_tokens_family_id_idx" ON "api_refresh_tokens"("family_id");
ALTER TABLE "api_refresh_tokens" ADD CONSTRAINT "api_refresh_tokens_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_refresh_tokens" ADD CONSTRAINT "api_refresh_tokens_replaced_by_id_fkey"
  FOREIGN KEY ("replaced_by_id") REFERENCES "api_refresh_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Tokens are found by their secret before anyone is known: only the system
-- context (sign-in, refresh, logout, the trigger below) touches them.
ALTER TABLE "api_refresh_tokens" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "api_refresh_tokens" FORCE ROW LEVEL SECURITY;
CREATE POLICY rg_all ON "api_refresh_tokens" FOR ALL
  USING (NULLIF(pg_catalog.current_setting('app.role', true), '') = 'system')
  WITH CHECK (NULLIF(pg_catalog.current_setting('app.role', true), '') = 'system');
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON "api_refresh_tokens" TO realmgate_app;
  END IF;
END
$$;

-- Every path that changes a password hash, disables or locks a user revokes
-- their refresh tokens here, in the same transaction, so no code path can
-- forget it. (A sign-in that upgrades the hash parameters also revokes the
-- user's older tokens: rare, and on the safe side; the token that sign-in
-- issues is created after the upgrade.) Like rg_end_user_sessions
-- (0003) it switches to the system context for its one UPDATE and restores
-- the caller's.
CREATE FUNCTION "rg_revoke_user_refresh_tokens"() RETURNS trigger
  LANGUAGE plpgsql
AS $$
DECLARE
  caller_role text := pg_catalog.current_setting('app.role', true);
BEGIN
  PERFORM pg_catalog.set_config('app.role', 'system', true);
  UPDATE "api_refresh_tokens" SET "revoked_at" = now() WHERE "user_id" = NEW."id" AND "revoked_at" IS NULL;
  PERFORM pg_catalog.set_config('app.role', COALESCE(caller_role, ''), true);
  RETURN NULL;
END
$$;

CREATE TRIGGER "users_revoke_refresh_tokens"
  AFTER UPDATE OF "password_hash", "status" ON "users"
  FOR EACH ROW
  WHEN (NEW."password_hash" IS DISTINCT FROM OLD."password_hash"
        OR (NEW."status" IS DISTINCT FROM OLD."status" AND NEW."status" <> 'ACTIVE'))
  EXECUTE FUNCTION "rg_revoke_user_refresh_tokens"();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    GRANT EXECUTE ON FUNCTION "rg_revoke_user_refresh_tokens"() TO realmgate_app;
  END IF;
END
$$;
