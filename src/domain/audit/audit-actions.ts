/**
 * Audit actions in words. Rows keep their code ("user.temporary-password"),
 * so filters and the API stay stable; screens show these labels.
 */
export const AUDIT_ACTION_WORDS: Record<string, string> = {
  'api-key.issue': 'API key issued',
  'api-key.revoke': 'API key revoked',
  'api-key.revoke-selected': 'API keys revoked',
  'api-key.rotate': 'API key rotated',
  'api-key.reset-usage': 'API key usage reset',
  'model-access.set': 'Model access changed',
  'model-access.grant': 'Model granted to organization',
  'model-access.withdraw': 'Model withdrawn from organization',
  'organization.manage-models': 'Models of organization changed',
  'organization.reset-quotas': 'Organization quotas reset',
  'organization.reset-selected-quotas': 'Organization quotas reset',
  'quota.reset': 'Quota reset',
  'quota.reconcile': 'Quota counter matched to the ledger',
  'realm-migration.start': 'Realm migration started',
  'realm-migration.resume': 'Realm migration resumed',
  'realm-migration.stop': 'Realm migration stopped',
  'realm-migration.complete': 'Realm migration completed',
  'realm-migration.fail': 'Realm migration failed',
  'realm-migration.rollback': 'Realm migration rolled back',
  'realm-migration-run.migrate-data-into-realms': 'Realm migration started',
  'realm-migration-run.roll-back': 'Realm migration rolled back',
  'realm.create': 'Realm created',
  'realm.update': 'Realm changed',
  'realm.delete': 'Realm deleted',
  'realm.generate-key': 'API key issued',
  'user.generate-key': 'API key issued',
  'user.sign-in': 'Signed in',
  'user.sign-in-failed': 'Sign-in failed',
  'user.sign-out': 'Signed out',
  'user.change-own-password': 'Own password changed',
  'user.disable': 'User disabled',
  'user.end-sessions': 'All sessions ended',
  'user.end-all-sessions': 'All sessions ended',
  'user.lock': 'User locked',
  'user.unlock': 'User unlocked',
  'user.temporary-password': 'Temporary password set',
  'user.set-temporary-password': 'Temporary password set',
  'user.reset-model-limits': 'User model limits reset',
};

const VERBS: Record<string, string> = { create: 'created', update: 'changed', delete: 'deleted', 'bulk-delete': 'deleted (several at once)' };

/** "organization.update" -> "Organization changed"; a code with no words reads as its parts. */
export function auditActionWords(code: string, resourceWords: (kebabResource: string) => string = (r) => r.replace(/-/g, ' ')): string {
  const known = AUDIT_ACTION_WORDS[code];
  if (known) return known;
  const dot = code.indexOf('.');
  if (dot < 0) return code;
  const what = resourceWords(code.slice(0, dot));
  const verb = VERBS[code.slice(dot + 1)] ?? code.slice(dot + 1).replace(/-/g, ' ');
  const text = `${what} ${verb}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
