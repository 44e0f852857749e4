-- A soft-deleted realm no longer holds on to its name: names are unique per
-- owner among active realms only (seed 003's RealmService checks isActive).
DROP INDEX "realms_owner_id_name_key";
CREATE UNIQUE INDEX "realms_owner_active_name_key" ON "realms"("owner_id", "name") WHERE "is_active";
CREATE INDEX "realms_owner_id_idx" ON "realms"("owner_id");
