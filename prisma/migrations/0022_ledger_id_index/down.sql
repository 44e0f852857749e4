CREATE INDEX "usage_events_organization_id_idempotency_key_idx" ON "usage_events"("organization_id", "idempotency_key");
DROP INDEX "usage_events_id_idx";
