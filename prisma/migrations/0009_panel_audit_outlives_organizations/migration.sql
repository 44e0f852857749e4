-- The audit log outlives what it records: an organization's own "created" row
-- pointed at it with ON DELETE RESTRICT, and the log is append-only (SET NULL
-- would be an UPDATE), so no organization could ever be deleted. The column
-- and its index stay; only the foreign key goes.
ALTER TABLE "audit_logs" DROP CONSTRAINT "audit_logs_organization_id_fkey";
