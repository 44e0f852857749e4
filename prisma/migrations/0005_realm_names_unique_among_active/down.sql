-- Fails if an owner has reused the name of a deleted realm: rename one first.
DROP INDEX "realms_owner_id_idx";
DROP INDEX "realms_owner_active_name_key";
CREATE UNIQUE INDEX "realms_owner_id_name_key" ON "realms"("owner_id", "name");
