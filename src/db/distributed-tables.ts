/**
 * The tables that grow with traffic: with Citus they are distributed by
 * organization_id (create_distributed_table), everything else becomes a
 * reference table (create_reference_table). test/citus-catalog.test.ts checks
 * the rules on the migrated schema from this one list: each carries
 * organization_id, its primary key and every unique index include it, and no
 * table has a foreign key pointing at one of them.
 */
export const DISTRIBUTED_TABLES = ['usage_events', 'usage_daily_rollups', 'usage_daily_model_rollups', 'usage_daily_key_rollups', 'usage_refusals', 'quota_counters', 'chat_messages'] as const;

export const DISTRIBUTION_COLUMN = 'organization_id';
