-- 0022_ledger_id_index: a usage event found by its id alone.
--
-- The ledger's primary key is (organization_id, occurred_at, id) and every
-- other index leads with a time, an organization or a model, so a lookup by
-- id (a usage event's page in the panel: findFirst by id, to which a
-- superadmin's scope adds nothing) read every partition: about 1 s at ten
-- million rows, and 100 to 270 ms for an org admin (all of the organization's
-- rows). With this index it is one probe per partition. The hot path writes
-- time-ordered ids (UUID version 7, src/domain/shared/time-ordered-id.ts), so
-- new entries go to the right edge of the B-tree, like the time indexes'.
--
-- (organization_id, idempotency_key) goes: nothing reads the ledger by
-- idempotency key (a replay is judged by usage_idempotency_keys' primary key),
-- and it was one more index written for every ledger row.
--
-- Building the index holds writes to the ledger while it runs (partitioned
-- tables cannot be indexed CONCURRENTLY): seconds per ten million rows.
CREATE INDEX "usage_events_id_idx" ON "usage_events"("id");
DROP INDEX "usage_events_organization_id_idempotency_key_idx";
