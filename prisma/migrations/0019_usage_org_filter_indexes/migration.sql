-- 0019_usage_org_filter_indexes: the ledger's filter indexes lead with the
-- organization. An org admin's list by user, key, realm or model always
-- carries organization_id (the scope and the row-level security policy), and
-- with (user_id, occurred_at, id) PostgreSQL met it only by a bitmap AND of two
-- indexes and a sort of every match (1.2 s for one user's page at 10M rows,
-- and the capped count read all of them too). With (organization_id, user_id,
-- occurred_at, id) a page is a backward index scan of 51 entries. A
-- superadmin's filter gets the owner's organization added by the app (a user,
-- key or realm belongs to one), so these serve it as well; models are shared
-- by organizations and keep their own (model_id, occurred_at, id) beside the
-- organization's. One index more than before on the ledger's write path.
CREATE INDEX "usage_events_organization_id_user_id_occurred_at_id_idx" ON "usage_events"("organization_id", "user_id", "occurred_at", "id");
CREATE INDEX "usage_events_organization_id_api_key_id_occurred_at_id_idx" ON "usage_events"("organization_id", "api_key_id", "occurred_at", "id");
CREATE INDEX "usage_events_organization_id_realm_id_occurred_at_id_idx" ON "usage_events"("organization_id", "realm_id", "occurred_at", "id");
CREATE INDEX "usage_events_organization_id_model_id_occurred_at_id_idx" ON "usage_events"("organization_id", "model_id", "occurred_at", "id");
DROP INDEX "usage_events_user_id_occurred_at_id_idx";
DROP INDEX "usage_events_api_key_id_occurred_at_id_idx";
DROP INDEX "usage_events_realm_id_occurred_at_id_idx";
