-- Reverts 0006_hardening_values.
DROP TRIGGER IF EXISTS "users_end_sessions_on_password" ON "users";
DROP INDEX "quota_counters_slot_key";
CREATE UNIQUE INDEX "quota_counters_slot_key" ON "quota_counters"("subject_type", "subject_id", "metric", "model_id", "period_start") NULLS NOT DISTINCT;
ALTER TABLE "realm_migration_runs" DROP CONSTRAINT "realm_migration_runs_counts_check", DROP CONSTRAINT "realm_migration_runs_batch_size_check";
ALTER TABLE "usage_daily_rollups" DROP CONSTRAINT "usage_daily_rollups_counts_check";
ALTER TABLE "usage_events" DROP CONSTRAINT "usage_events_counts_check";
ALTER TABLE "quota_counters" DROP CONSTRAINT "quota_counters_generation_check", DROP CONSTRAINT "quota_counters_reserved_check",
  DROP CONSTRAINT "quota_counters_used_check", DROP CONSTRAINT "quota_counters_limit_value_check";
ALTER TABLE "user_model_limits" DROP CONSTRAINT "user_model_limits_token_limit_check";
ALTER TABLE "organization_model_access" DROP CONSTRAINT "organization_model_access_token_limit_per_user_check";
ALTER TABLE "ai_models" DROP CONSTRAINT "ai_models_trial_days_check", DROP CONSTRAINT "ai_models_token_limit_amount_check", DROP CONSTRAINT "ai_models_max_tokens_check";
ALTER TABLE "chat_messages" DROP CONSTRAINT "chat_messages_tokens_check";
ALTER TABLE "ingestion_jobs" DROP CONSTRAINT "ingestion_jobs_percentage_check";
ALTER TABLE "documents" DROP CONSTRAINT "documents_size_bytes_check", DROP CONSTRAINT "documents_chunks_check";
ALTER TABLE "knowledge_bases" DROP CONSTRAINT "knowledge_bases_document_count_check";
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_rate_limit_per_minute_check", DROP CONSTRAINT "api_keys_max_tokens_check";
ALTER TABLE "login_throttle" DROP CONSTRAINT "login_throttle_attempts_check";
ALTER TABLE "users" DROP CONSTRAINT "users_failed_login_attempts_check";
ALTER TABLE "organizations" DROP CONSTRAINT "organizations_monthly_api_call_quota_check", DROP CONSTRAINT "organizations_storage_quota_bytes_check",
  DROP CONSTRAINT "organizations_document_quota_check", DROP CONSTRAINT "organizations_monthly_token_quota_check";
