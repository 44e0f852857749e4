-- 0006_hardening_values: password changes end sessions; value rules in the
-- database itself.

-- A new password ends every session of its user, whichever path set it (the
-- change-password form, an admin's temporary password, the CLI, a DBA at the
-- psql prompt). The session that changed its own password is issued a fresh
-- one by the app right after. Sign-in's transparent rehash (same password,
-- stronger parameters) says so with app.rehash and ends nothing.
CREATE TRIGGER "users_end_sessions_on_password"
  AFTER UPDATE OF "password_hash" ON "users"
  FOR EACH ROW
  WHEN (NEW."password_hash" IS DISTINCT FROM OLD."password_hash"
        AND COALESCE(NULLIF(pg_catalog.current_setting('app.rehash', true), ''), 'off') <> 'on')
  EXECUTE FUNCTION "rg_end_user_sessions"();

-- Every limit, quota and counter column refuses a negative value, and a
-- limit that only makes sense above zero refuses zero too, whatever path
-- writes it (the panel, the API, a script, a future feature). NULL stays
-- "no limit" where the column allows it.
ALTER TABLE "organizations"
  ADD CONSTRAINT "organizations_monthly_token_quota_check" CHECK ("monthly_token_quota" >= 0),
  ADD CONSTRAINT "organizations_document_quota_check" CHECK ("document_quota" >= 0),
  ADD CONSTRAINT "organizations_storage_quota_bytes_check" CHECK ("storage_quota_bytes" >= 0),
  ADD CONSTRAINT "organizations_monthly_api_call_quota_check" CHECK ("monthly_api_call_quota" >= 0);
ALTER TABLE "users" ADD CONSTRAINT "users_failed_login_attempts_check" CHECK ("failed_login_attempts" >= 0);
ALTER TABLE "login_throttle" ADD CONSTRAINT "login_throttle_attempts_check" CHECK ("attempts" >= 0);
ALTER TABLE "api_keys"
  ADD CONSTRAINT "api_keys_max_tokens_check" CHECK ("max_tokens" > 0),
  ADD CONSTRAINT "api_keys_rate_limit_per_minute_check" CHECK ("rate_limit_per_minute" > 0);
ALTER TABLE "knowledge_bases" ADD CONSTRAINT "knowledge_bases_document_count_check" CHECK ("document_count" >= 0);
ALTER TABLE "documents"
  ADD CONSTRAINT "documents_chunks_check" CHECK ("chunks" >= 0),
  ADD CONSTRAINT "documents_size_bytes_check" CHECK ("size_bytes" >= 0);
ALTER TABLE "ingestion_jobs" ADD CONSTRAINT "ingestion_jobs_percentage_check" CHECK ("percentage" BETWEEN 0 AND 100);
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_tokens_check" CHECK ("tokens" >= 0);
ALTER TABLE "ai_models"
  ADD CONSTRAINT "ai_models_max_tokens_check" CHECK ("max_tokens" > 0),
  ADD CONSTRAINT "ai_models_token_limit_amount_check" CHECK ("token_limit_amount" > 0),
  ADD CONSTRAINT "ai_models_trial_days_check" CHECK ("trial_days" > 0);
ALTER TABLE "organization_model_access" ADD CONSTRAINT "organization_model_access_token_limit_per_user_check" CHECK ("token_limit_per_user" > 0);
ALTER TABLE "user_model_limits" ADD CONSTRAINT "user_model_limits_token_limit_check" CHECK ("token_limit" > 0);
ALTER TABLE "quota_counters"
  ADD CONSTRAINT "quota_counters_limit_value_check" CHECK ("limit_value" >= 0),
  ADD CONSTRAINT "quota_counters_used_check" CHECK ("used" >= 0),
  ADD CONSTRAINT "quota_counters_reserved_check" CHECK ("reserved" >= 0),
  ADD CONSTRAINT "quota_counters_generation_check" CHECK ("generation" >= 0);
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_counts_check"
  CHECK ("input_tokens" >= 0 AND "output_tokens" >= 0 AND "total_tokens" >= 0 AND "requests" >= 0);
ALTER TABLE "usage_daily_rollups" ADD CONSTRAINT "usage_daily_rollups_counts_check"
  CHECK ("input_tokens" >= 0 AND "output_tokens" >= 0 AND "total_tokens" >= 0 AND "requests" >= 0 AND "events" >= 0);
ALTER TABLE "realm_migration_runs"
  ADD CONSTRAINT "realm_migration_runs_batch_size_check" CHECK ("batch_size" > 0),
  ADD CONSTRAINT "realm_migration_runs_counts_check" CHECK ("rows_total" >= 0 AND "rows_done" >= 0 AND "realms_created" >= 0);

-- A counter's slot includes its period: when a model's limit period changes in
-- the middle of a period (MONTHLY -> WEEKLY on the 1st, both starting at the
-- same instant), the new period's counter is a row of its own instead of
-- meeting, and being capped by, the old period's row.
DROP INDEX "quota_counters_slot_key";
CREATE UNIQUE INDEX "quota_counters_slot_key" ON "quota_counters"("subject_type", "subject_id", "metric", "model_id", "period", "period_start") NULLS NOT DISTINCT;
