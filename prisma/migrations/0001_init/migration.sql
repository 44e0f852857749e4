-- 0001_init: the whole Realmgate data model.
-- Started from `node scripts/sql-from-schema.mjs`, then edited by hand where
-- Prisma's schema language cannot say what we need (marked with comments).

CREATE TYPE "OrganizationType" AS ENUM ('GENERAL', 'MARKETING', 'SOFTWARE', 'RETAIL', 'CONSULTING', 'SOLICITOR', 'FINANCE', 'IMMIGRATION', 'DOCTOR', 'HEALTHCARE', 'BEAUTY', 'REAL_ESTATE', 'EDUCATION');
CREATE TYPE "PricingPlan" AS ENUM ('FREE', 'STARTER', 'PRO', 'ENTERPRISE');
CREATE TYPE "UserRole" AS ENUM ('SUPERADMIN', 'ADMIN', 'USER', 'VIEWER');
CREATE TYPE "UserStatus" AS ENUM ('ACTIVE', 'INACTIVE', 'LOCKED');
CREATE TYPE "TokenLimitPeriod" AS ENUM ('DAILY', 'WEEKLY', 'MONTHLY');
CREATE TYPE "ApiKeyType" AS ENUM ('USER', 'SERVICE', 'GATEWAY');
CREATE TYPE "VectorServerType" AS ENUM ('QDRANT', 'PGVECTOR', 'PINECONE', 'WEAVIATE', 'CHROMA', 'MILVUS');
CREATE TYPE "DocumentState" AS ENUM ('PENDING', 'INGESTING', 'INGESTED', 'FAILED', 'DEPRECATED');
CREATE TYPE "JobStatus" AS ENUM ('PENDING', 'PROCESSING', 'FINISHED', 'FAILED', 'CANCELLED');
CREATE TYPE "HealthStatus" AS ENUM ('HEALTHY', 'DEGRADED', 'DOWN', 'UNKNOWN');
CREATE TYPE "ToolCategory" AS ENUM ('CORE', 'COMMUNICATION', 'KNOWLEDGE', 'INTEGRATION', 'UTILITY');
CREATE TYPE "ChatRole" AS ENUM ('SYSTEM', 'USER', 'ASSISTANT', 'TOOL');
CREATE TYPE "QuotaSubject" AS ENUM ('ORGANIZATION', 'USER', 'API_KEY');
CREATE TYPE "QuotaMetric" AS ENUM ('TOKENS', 'REQUESTS', 'API_CALLS', 'DOCUMENTS', 'STORAGE_BYTES');
CREATE TYPE "QuotaPeriod" AS ENUM ('DAILY', 'WEEKLY', 'MONTHLY', 'LIFETIME');
CREATE TYPE "MigrationRunStatus" AS ENUM ('RUNNING', 'COMPLETED', 'FAILED', 'ROLLED_BACK');
CREATE TYPE "RealmScopedKind" AS ENUM ('API_KEY', 'VECTOR_SERVER', 'KNOWLEDGE_BASE', 'DOCUMENT', 'INGESTION_JOB', 'CHAT_SESSION');

CREATE TABLE "organizations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(120) NOT NULL,
    "description" TEXT,
    "type" "OrganizationType" NOT NULL DEFAULT 'GENERAL',
    "pricing_plan" "PricingPlan" NOT NULL DEFAULT 'FREE',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "monthly_token_quota" BIGINT,
    "document_quota" INTEGER,
    "storage_quota_bytes" BIGINT,
    "monthly_api_call_quota" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID,
    "username" VARCHAR(50) NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "display_name" VARCHAR(120),
    "password_hash" TEXT NOT NULL,
    "role" "UserRole" NOT NULL DEFAULT 'USER',
    "status" "UserStatus" NOT NULL DEFAULT 'ACTIVE',
    "failed_login_attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "last_login_at" TIMESTAMPTZ(3),
    "must_change_password" BOOLEAN NOT NULL DEFAULT false,
    "password_changed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- connect-pg-simple's table. The derived columns let the app list and end a
-- user's sessions with an index instead of parsing every row.
CREATE TABLE "session" (
    "sid" VARCHAR NOT NULL,
    "sess" JSON NOT NULL,
    "expire" TIMESTAMP(6) NOT NULL,
    "user_id" TEXT GENERATED ALWAYS AS (("sess" #>> '{adminUser,id}')) STORED,
    "organization_id" TEXT GENERATED ALWAYS AS (("sess" #>> '{adminUser,organizationId}')) STORED,
    "ip" TEXT GENERATED ALWAYS AS (("sess" #>> '{client,ip}')) STORED,
    "user_agent" TEXT GENERATED ALWAYS AS (("sess" #>> '{client,userAgent}')) STORED,
    CONSTRAINT "session_pkey" PRIMARY KEY ("sid")
);

CREATE TABLE "login_throttle" (
    "ip" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "window_start" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "blocked_until" TIMESTAMPTZ(3),
    CONSTRAINT "login_throttle_pkey" PRIMARY KEY ("ip")
);

CREATE TABLE "realms" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "description" TEXT,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_by_migration_run_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "realms_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "user_id" UUID,
    "realm_id" UUID,
    "name" VARCHAR(100) NOT NULL,
    "description" TEXT,
    "prefix" VARCHAR(32) NOT NULL,
    "key_hash" VARCHAR(64) NOT NULL,
    "type" "ApiKeyType" NOT NULL DEFAULT 'USER',
    "scopes" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "max_tokens" INTEGER,
    "rate_limit_per_minute" INTEGER,
    "allowed_model_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[],
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "replaced_by_id" UUID,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "vector_servers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "user_id" UUID,
    "realm_id" UUID,
    "name" VARCHAR(100) NOT NULL,
    "type" "VectorServerType" NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "username" TEXT,
    "password_encrypted" TEXT,
    "api_key_encrypted" TEXT,
    "database" TEXT,
    "collection" TEXT,
    "is_active" BOOLEAN NOT NULL DEFAULT false,
    "last_connected_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "vector_servers_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "knowledge_bases" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "user_id" UUID,
    "realm_id" UUID,
    "server_id" UUID,
    "name" VARCHAR(100) NOT NULL,
    "description" TEXT,
    "document_count" INTEGER NOT NULL DEFAULT 0,
    "last_updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "knowledge_bases_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "documents" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "user_id" UUID,
    "realm_id" UUID,
    "knowledge_base_id" UUID,
    "name" VARCHAR(255) NOT NULL,
    "mime_type" VARCHAR(100) NOT NULL,
    "state" "DocumentState" NOT NULL DEFAULT 'PENDING',
    "version" INTEGER NOT NULL DEFAULT 1,
    "chunks" INTEGER NOT NULL DEFAULT 0,
    "quality" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "size_bytes" BIGINT NOT NULL DEFAULT '0',
    "uploaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "documents_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ingestion_jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "user_id" UUID,
    "realm_id" UUID,
    "document_id" UUID NOT NULL,
    "document_name" VARCHAR(255) NOT NULL,
    "document_type" VARCHAR(100) NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'PENDING',
    "percentage" INTEGER NOT NULL DEFAULT 0,
    "summary" TEXT NOT NULL DEFAULT '',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ingestion_jobs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "chat_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "user_id" UUID,
    "realm_id" UUID,
    "agent_id" UUID,
    "title" VARCHAR(200) NOT NULL,
    "last_message_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chat_sessions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "chat_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "user_id" UUID,
    "role" "ChatRole" NOT NULL,
    "content" TEXT NOT NULL,
    "tokens" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chat_messages_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ai_models" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID,
    "name" VARCHAR(120) NOT NULL,
    "description" TEXT,
    "provider" VARCHAR(50) NOT NULL,
    "provider_model_id" VARCHAR(120) NOT NULL,
    "role" VARCHAR(120) NOT NULL,
    "tasks" JSONB NOT NULL DEFAULT '[]',
    "system_message" TEXT,
    "endpoint" TEXT,
    "provider_api_key_encrypted" TEXT,
    "max_tokens" INTEGER NOT NULL DEFAULT 4096,
    "icon" VARCHAR(16),
    "organization_types" "OrganizationType"[] NOT NULL DEFAULT ARRAY[]::"OrganizationType"[],
    "required_plan" "PricingPlan" NOT NULL DEFAULT 'FREE',
    "token_limit_period" "TokenLimitPeriod",
    "token_limit_amount" INTEGER,
    "is_free" BOOLEAN NOT NULL DEFAULT false,
    "is_trial" BOOLEAN NOT NULL DEFAULT false,
    "trial_days" INTEGER,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "is_featured" BOOLEAN NOT NULL DEFAULT false,
    "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ai_models_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "organization_model_access" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "is_enabled_for_users" BOOLEAN NOT NULL DEFAULT true,
    "token_limit_per_user" INTEGER,
    "first_enabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "organization_model_access_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "user_model_limits" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "is_enabled" BOOLEAN NOT NULL DEFAULT true,
    "token_limit" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "user_model_limits_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "quota_counters" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "subject_type" "QuotaSubject" NOT NULL,
    "subject_id" UUID NOT NULL,
    "model_id" UUID,
    "metric" "QuotaMetric" NOT NULL,
    "period" "QuotaPeriod" NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "limit_value" BIGINT,
    "used" BIGINT NOT NULL DEFAULT '0',
    "reserved" BIGINT NOT NULL DEFAULT '0',
    "generation" INTEGER NOT NULL DEFAULT 0,
    "last_reset_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "quota_counters_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "usage_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "organization_id" UUID NOT NULL,
    "user_id" UUID,
    "api_key_id" UUID,
    "realm_id" UUID,
    "model_id" UUID,
    "idempotency_key" VARCHAR(200),
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 1,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("id", "occurred_at")
);

CREATE TABLE "usage_daily_rollups" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "model_id" UUID,
    "user_id" UUID,
    "api_key_id" UUID,
    "input_tokens" BIGINT NOT NULL DEFAULT '0',
    "output_tokens" BIGINT NOT NULL DEFAULT '0',
    "total_tokens" BIGINT NOT NULL DEFAULT '0',
    "requests" BIGINT NOT NULL DEFAULT '0',
    "events" BIGINT NOT NULL DEFAULT '0',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_daily_rollups_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "agents" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID,
    "key" VARCHAR(50) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "display_name" VARCHAR(100),
    "description" TEXT,
    "model_id" UUID,
    "status" "HealthStatus" NOT NULL DEFAULT 'HEALTHY',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "tools" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "key" VARCHAR(50) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "description" TEXT,
    "emoji" VARCHAR(16),
    "category" "ToolCategory" NOT NULL,
    "status" "HealthStatus" NOT NULL DEFAULT 'HEALTHY',
    "route_path" VARCHAR(100),
    "is_enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tools_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "audit_logs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "actor_role" VARCHAR(20),
    "actor_label" VARCHAR(254),
    "organization_id" UUID,
    "action" VARCHAR(60) NOT NULL,
    "resource" VARCHAR(60) NOT NULL,
    "record_id" VARCHAR(100),
    "changes" JSONB NOT NULL DEFAULT '{}',
    "ip" VARCHAR(64),
    "user_agent" TEXT,
    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "realm_migration_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "started_by_id" UUID,
    "status" "MigrationRunStatus" NOT NULL DEFAULT 'RUNNING',
    "batch_size" INTEGER NOT NULL DEFAULT 1000,
    "rows_total" INTEGER NOT NULL DEFAULT 0,
    "rows_done" INTEGER NOT NULL DEFAULT 0,
    "realms_created" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "realm_migration_runs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "realm_migration_items" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "run_id" UUID NOT NULL,
    "kind" "RealmScopedKind" NOT NULL,
    "row_id" UUID NOT NULL,
    "realm_id" UUID NOT NULL,
    "moved_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "realm_migration_items_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "organizations_name_key" ON "organizations"("name");
CREATE INDEX "organizations_type_pricing_plan_idx" ON "organizations"("type", "pricing_plan");
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE INDEX "users_organization_id_role_idx" ON "users"("organization_id", "role");
CREATE INDEX "session_expire_idx" ON "session"("expire");
CREATE INDEX "session_user_id_idx" ON "session"("user_id");
CREATE INDEX "realms_organization_id_idx" ON "realms"("organization_id");
CREATE UNIQUE INDEX "realms_owner_id_name_key" ON "realms"("owner_id", "name");
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");
CREATE INDEX "api_keys_organization_id_idx" ON "api_keys"("organization_id");
CREATE INDEX "api_keys_realm_id_idx" ON "api_keys"("realm_id");
CREATE INDEX "api_keys_user_id_realm_id_idx" ON "api_keys"("user_id", "realm_id");
CREATE INDEX "vector_servers_organization_id_idx" ON "vector_servers"("organization_id");
CREATE INDEX "vector_servers_realm_id_idx" ON "vector_servers"("realm_id");
CREATE INDEX "vector_servers_user_id_realm_id_idx" ON "vector_servers"("user_id", "realm_id");
CREATE INDEX "knowledge_bases_organization_id_idx" ON "knowledge_bases"("organization_id");
CREATE INDEX "knowledge_bases_user_id_realm_id_idx" ON "knowledge_bases"("user_id", "realm_id");
CREATE UNIQUE INDEX "knowledge_bases_realm_id_name_key" ON "knowledge_bases"("realm_id", "name");
CREATE INDEX "documents_organization_id_idx" ON "documents"("organization_id");
CREATE INDEX "documents_realm_id_idx" ON "documents"("realm_id");
CREATE INDEX "documents_user_id_realm_id_idx" ON "documents"("user_id", "realm_id");
CREATE INDEX "documents_knowledge_base_id_idx" ON "documents"("knowledge_base_id");
CREATE INDEX "ingestion_jobs_organization_id_idx" ON "ingestion_jobs"("organization_id");
CREATE INDEX "ingestion_jobs_realm_id_idx" ON "ingestion_jobs"("realm_id");
CREATE INDEX "ingestion_jobs_user_id_realm_id_idx" ON "ingestion_jobs"("user_id", "realm_id");
CREATE INDEX "ingestion_jobs_document_id_idx" ON "ingestion_jobs"("document_id");
CREATE INDEX "chat_sessions_organization_id_idx" ON "chat_sessions"("organization_id");
CREATE INDEX "chat_sessions_realm_id_idx" ON "chat_sessions"("realm_id");
CREATE INDEX "chat_sessions_user_id_realm_id_idx" ON "chat_sessions"("user_id", "realm_id");
CREATE INDEX "chat_messages_session_id_created_at_idx" ON "chat_messages"("session_id", "created_at");
CREATE INDEX "chat_messages_organization_id_idx" ON "chat_messages"("organization_id");
CREATE INDEX "ai_models_is_active_required_plan_idx" ON "ai_models"("is_active", "required_plan");
CREATE INDEX "ai_models_sort_order_idx" ON "ai_models"("sort_order");
CREATE UNIQUE INDEX "ai_models_organization_id_name_key" ON "ai_models"("organization_id", "name");
CREATE INDEX "organization_model_access_model_id_idx" ON "organization_model_access"("model_id");
CREATE UNIQUE INDEX "organization_model_access_organization_id_model_id_key" ON "organization_model_access"("organization_id", "model_id");
CREATE INDEX "user_model_limits_organization_id_idx" ON "user_model_limits"("organization_id");
CREATE UNIQUE INDEX "user_model_limits_user_id_model_id_key" ON "user_model_limits"("user_id", "model_id");
CREATE INDEX "quota_counters_organization_id_idx" ON "quota_counters"("organization_id");
-- NULLS NOT DISTINCT: model_id = NULL ("all models") is a single counter slot.
CREATE UNIQUE INDEX "quota_counters_slot_key" ON "quota_counters"("subject_type", "subject_id", "metric", "model_id", "period_start") NULLS NOT DISTINCT;
CREATE INDEX "usage_events_organization_id_occurred_at_idx" ON "usage_events"("organization_id", "occurred_at");
CREATE INDEX "usage_events_organization_id_idempotency_key_idx" ON "usage_events"("organization_id", "idempotency_key");
CREATE INDEX "usage_events_api_key_id_occurred_at_idx" ON "usage_events"("api_key_id", "occurred_at");
CREATE INDEX "usage_daily_rollups_day_idx" ON "usage_daily_rollups"("day");
-- NULLS NOT DISTINCT: one rollup row per (org, day, model, user, key) even when some are NULL.
CREATE UNIQUE INDEX "usage_daily_rollups_slot_key" ON "usage_daily_rollups"("organization_id", "day", "model_id", "user_id", "api_key_id") NULLS NOT DISTINCT;
CREATE UNIQUE INDEX "agents_key_key" ON "agents"("key");
CREATE INDEX "agents_organization_id_idx" ON "agents"("organization_id");
CREATE UNIQUE INDEX "tools_key_key" ON "tools"("key");
CREATE INDEX "audit_logs_organization_id_occurred_at_idx" ON "audit_logs"("organization_id", "occurred_at");
CREATE INDEX "audit_logs_resource_record_id_idx" ON "audit_logs"("resource", "record_id");
CREATE INDEX "audit_logs_actor_id_occurred_at_idx" ON "audit_logs"("actor_id", "occurred_at");
CREATE INDEX "realm_migration_runs_status_idx" ON "realm_migration_runs"("status");
CREATE INDEX "realm_migration_items_run_id_idx" ON "realm_migration_items"("run_id");
CREATE UNIQUE INDEX "realm_migration_items_kind_row_id_key" ON "realm_migration_items"("kind", "row_id");
ALTER TABLE "users" ADD CONSTRAINT "users_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "realms" ADD CONSTRAINT "realms_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "realms" ADD CONSTRAINT "realms_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "realms" ADD CONSTRAINT "realms_created_by_migration_run_id_fkey" FOREIGN KEY ("created_by_migration_run_id") REFERENCES "realm_migration_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_realm_id_fkey" FOREIGN KEY ("realm_id") REFERENCES "realms"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_replaced_by_id_fkey" FOREIGN KEY ("replaced_by_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "vector_servers" ADD CONSTRAINT "vector_servers_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "vector_servers" ADD CONSTRAINT "vector_servers_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "vector_servers" ADD CONSTRAINT "vector_servers_realm_id_fkey" FOREIGN KEY ("realm_id") REFERENCES "realms"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "knowledge_bases" ADD CONSTRAINT "knowledge_bases_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "knowledge_bases" ADD CONSTRAINT "knowledge_bases_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "knowledge_bases" ADD CONSTRAINT "knowledge_bases_realm_id_fkey" FOREIGN KEY ("realm_id") REFERENCES "realms"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "knowledge_bases" ADD CONSTRAINT "knowledge_bases_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "vector_servers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "documents" ADD CONSTRAINT "documents_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "documents" ADD CONSTRAINT "documents_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "documents" ADD CONSTRAINT "documents_realm_id_fkey" FOREIGN KEY ("realm_id") REFERENCES "realms"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "documents" ADD CONSTRAINT "documents_knowledge_base_id_fkey" FOREIGN KEY ("knowledge_base_id") REFERENCES "knowledge_bases"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ingestion_jobs" ADD CONSTRAINT "ingestion_jobs_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ingestion_jobs" ADD CONSTRAINT "ingestion_jobs_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ingestion_jobs" ADD CONSTRAINT "ingestion_jobs_realm_id_fkey" FOREIGN KEY ("realm_id") REFERENCES "realms"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ingestion_jobs" ADD CONSTRAINT "ingestion_jobs_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chat_sessions" ADD CONSTRAINT "chat_sessions_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chat_sessions" ADD CONSTRAINT "chat_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chat_sessions" ADD CONSTRAINT "chat_sessions_realm_id_fkey" FOREIGN KEY ("realm_id") REFERENCES "realms"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "chat_sessions" ADD CONSTRAINT "chat_sessions_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "chat_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ai_models" ADD CONSTRAINT "ai_models_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "organization_model_access" ADD CONSTRAINT "organization_model_access_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "organization_model_access" ADD CONSTRAINT "organization_model_access_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_models"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "user_model_limits" ADD CONSTRAINT "user_model_limits_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "user_model_limits" ADD CONSTRAINT "user_model_limits_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "user_model_limits" ADD CONSTRAINT "user_model_limits_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_models"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "quota_counters" ADD CONSTRAINT "quota_counters_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "quota_counters" ADD CONSTRAINT "quota_counters_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_models"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_realm_id_fkey" FOREIGN KEY ("realm_id") REFERENCES "realms"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "usage_daily_rollups" ADD CONSTRAINT "usage_daily_rollups_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "usage_daily_rollups" ADD CONSTRAINT "usage_daily_rollups_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_models"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "usage_daily_rollups" ADD CONSTRAINT "usage_daily_rollups_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "usage_daily_rollups" ADD CONSTRAINT "usage_daily_rollups_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "agents" ADD CONSTRAINT "agents_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "agents" ADD CONSTRAINT "agents_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "ai_models"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "audit_logs" ADD CONSTRAINT "audit_logs_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "audit_logs" ADD CONSTRAINT "audit_logs_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "realm_migration_runs" ADD CONSTRAINT "realm_migration_runs_started_by_id_fkey" FOREIGN KEY ("started_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "realm_migration_items" ADD CONSTRAINT "realm_migration_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "realm_migration_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one default realm per owner, even when two realm migrations race.
CREATE UNIQUE INDEX "realms_one_default_per_owner" ON "realms"("owner_id") WHERE "is_default";

-- The usage ledger and the audit log are append-only.
CREATE FUNCTION "reject_mutation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "usage_events_append_only" BEFORE UPDATE OR DELETE ON "usage_events"
  FOR EACH ROW EXECUTE FUNCTION "reject_mutation"();
CREATE TRIGGER "usage_events_no_truncate" BEFORE TRUNCATE ON "usage_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "reject_mutation"();
CREATE TRIGGER "audit_logs_append_only" BEFORE UPDATE OR DELETE ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION "reject_mutation"();
CREATE TRIGGER "audit_logs_no_truncate" BEFORE TRUNCATE ON "audit_logs"
  FOR EACH STATEMENT EXECUTE FUNCTION "reject_mutation"();
