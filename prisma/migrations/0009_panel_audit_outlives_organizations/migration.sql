-- The audit log outlives what it records: an organization's own "created" row
-- pointed at it with ON DELETE RESTRICT, and the log is append-only (SET NULL
-- would be an UPDATE), so no organization could ever be deleted. The column
-- and its index stay; only the foreign key goes.
ALTER TABLE "audit_logs" DROP CONSTRAINT "audit_logs_organization_id_fkey";

-- Likewise its actors: sign-ins are recorded now, so every user who ever
-- signed in would be pinned by the log and could not be deleted.
ALTER TABLE "audit_logs" DROP CONSTRAINT "audit_logs_actor_id_fkey";
