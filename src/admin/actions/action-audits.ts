/**
 * What each custom action whose domain function writes the audit row
 * (customAction in action-kit.ts) leaves in the audit log, by
 * "<Resource>.<actionName>": the `action` names its domain functions pass to
 * recordAudit, or why it needs none. test/extending/completeness.test.ts fails
 * for a custom action missing here, and for an audit name no domain function
 * records. Actions wrapped with guardAction's default are audited by the panel.
 */
export type ActionAudit = { records: readonly string[] } | { readsOnly: string } | { journal: string };

export const ACTION_AUDITS: Record<string, ActionAudit> = {
  'AiModel.grantToOrganizations': { records: ['model-access.set'] },
  'ApiKey.rotate': { records: ['api-key.rotate', 'api-key.issue'] },
  'ApiKey.revoke': { records: ['api-key.revoke'] },
  'ApiKey.revokeSelected': { records: ['api-key.revoke'] },
  'ApiKey.resetUsage': { records: ['quota.reset'] },
  'ApiKey.quotaStats': { readsOnly: 'shows counters' },
  'ApiKey.usageChart': { readsOnly: 'shows daily rollups' },
  'Organization.usageChart': { readsOnly: 'shows daily rollups' },
  'User.usageChart': { readsOnly: 'shows daily rollups' },
  'Realm.usageChart': { readsOnly: 'shows daily rollups' },
  'Organization.manageModels': { records: ['model-access.set'] },
  'Organization.resetQuotas': { records: ['quota.reset'] },
  'Organization.resetSelectedQuotas': { records: ['quota.reset'] },
  'Organization.quotaStats': { readsOnly: 'shows counters' },
  'Realm.generateKey': { records: ['api-key.issue'] },
  'Realm.stats': { readsOnly: 'counts what the realm holds' },
  'RealmMigrationRun.migrateDataIntoRealms': { journal: 'each run is a realm_migration_runs row (who started it, status) with one realm_migration_items row per moved record; failures also record realm-migration.fail' },
  'RealmMigrationRun.rollBack': { records: ['realm-migration.rollback'] },
  'User.lock': { records: ['user.lock'] },
  'User.unlock': { records: ['user.unlock'] },
  'User.setTemporaryPassword': { records: ['user.temporary-password'] },
  'User.endAllSessions': { records: ['user.end-sessions'] },
  'User.resetModelLimits': { records: ['quota.reset'] },
  'User.quotaStats': { readsOnly: 'shows counters' },
  'User.generateKey': { records: ['api-key.issue'] },
  // realmgate:scaffold action-audits (`realmgate scaffold action` adds entries above this line)
};
