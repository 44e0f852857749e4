CREATE INDEX "usage_events_user_id_occurred_at_id_idx" ON "usage_events"("user_id", "occurred_at", "id");
CREATE INDEX "usage_events_api_key_id_occurred_at_id_idx" ON "usage_events"("api_key_id", "occurred_at", "id");
CREATE INDEX "usage_events_realm_id_occurred_at_id_idx" ON "usage_events"("realm_id", "occurred_at", "id");
DROP INDEX "usage_events_organization_id_model_id_occurred_at_id_idx";
DROP INDEX "usage_events_organization_id_realm_id_occurred_at_id_idx";
DROP INDEX "usage_events_organization_id_api_key_id_occurred_at_id_idx";
DROP INDEX "usage_events_organization_id_user_id_occurred_at_id_idx";
