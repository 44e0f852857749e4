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

-- Tokens are found by their secret before anyone is known: only system work
-- (sign-in, refresh, logout: the system login) touches them. The tenant-facing
-- login gets no grant and no policy, so it sees and writes none of them.
ALTER TABLE "api_refresh_tokens" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "api_refresh_tokens" FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system') THEN
    CREATE POLICY rg_system ON "api_refresh_tokens" FOR ALL TO realmgate_system USING (true) WITH CHECK (true);
    GRANT SELECT, INSERT, UPDATE, DELETE ON "api_refresh_tokens" TO realmgate_system;
  END IF;
  -- Deleting a user (an org admin's panel action) cascades to its tokens: the
  -- app login needs the privilege for that cascade; with no policy of its own
  -- it still sees and changes no token directly.
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN
    GRANT SELECT, DELETE ON "api_refresh_tokens" TO realmgate_app;
  END IF;
END
$$;

-- Every path that changes a password hash, disables or locks a user revokes
-- their refresh tokens here, in the same transaction, so no code path can
-- forget it. (A sign-in that upgrades the hash parameters also revokes the
-- user's older tokens: rare, and on the safe side; the token that sign-in
-- issues is created after the upgrade.) Whoever changes the user (an org
-- ADMIN on the tenant login too), the function runs as realmgate_system
-- (SECURITY DEFINER, owned by that role, like rg_end_user_sessions in 0006)
-- and does nothing but this one UPDATE.
DO $do$
BEGIN
  EXECUTE format($f$CREATE FUNCTION "rg_revoke_user_refresh_tokens"() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, %1$I
  AS $body$
  BEGIN
    UPDATE %1$I."api_refresh_tokens" SET "revoked_at" = now() WHERE "user_id" = NEW."id" AND "revoked_at" IS NULL;
    RETURN NULL;
  END
  $body$$f$, current_schema());
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system') THEN
    BEGIN
      ALTER FUNCTION "rg_revoke_user_refresh_tokens"() OWNER TO realmgate_system;
    EXCEPTION
      WHEN insufficient_privilege THEN
        RAISE WARNING 'realmgate: cannot hand rg_revoke_user_refresh_tokens to realmgate_system (%): refresh tokens of a changed user may survive', SQLERRM;
    END;
  END IF;
  REVOKE ALL ON FUNCTION "rg_revoke_user_refresh_tokens"() FROM PUBLIC;
END
$do$;

CREATE TRIGGER "users_revoke_refresh_tokens"
  AFTER UPDATE OF "password_hash", "status" ON "users"
  FOR EACH ROW
  WHEN (NEW."password_hash" IS DISTINCT FROM OLD."password_hash"
        OR (NEW."status" IS DISTINCT FROM OLD."status" AND NEW."status" <> 'ACTIVE'))
  EXECUTE FUNCTION "rg_revoke_user_refresh_tokens"();
