/**
 * Audit actions in words. Rows keep their code ("user.temporary-password"),
 * so filters and the API stay stable; screens show these labels.
 */
export const AUDIT_ACTION_WORDS: Record<string, string> = {
  'api-key.issue': 'API key issued',
  'api-key.update': 'API key changed',
  'api-key.revoke': 'API key revoked',
  'api-key.revoke-selected': 'API keys revoked (several at once)',
  'api-key.rotate': 'API key rotated',
  'api-key.reset-usage': 'API key usage reset',
  'api-token.sign-in': 'Signed in for an API token',
  'model-access.set': 'Model access changed',
  'model-access.grant': 'Model granted to organization',
  'model-access.withdraw': 'Model withdrawn from organization',
  'organization.manage-models': 'Models of organization changed',
  'organization.reset-quotas': 'Organization quotas reset',
  'quota.reset': 'Quota reset',
  'quota.reconcile': 'Quota counter matched to the ledger',
  'realm-migration.start': 'Realm migration started',
  'realm-migration.resume': 'Realm migration resumed',
  'realm-migration.stop': 'Realm migration stopped',
  'realm-migration.complete': 'Realm migration completed',
  'realm-migration.fail': 'Realm migration failed',
  'realm-migration.rollback': 'Realm migration rolled back',
  'realm.create': 'Realm created',
  'realm.update': 'Realm changed',
  'realm.delete': 'Realm deleted',
  'realm.set-default': 'Default realm chosen',
  'user.sign-in': 'Signed in',
  'user.sign-in-failed': 'Sign-in failed',
  'user.sign-out': 'Signed out',
  'user.change-own-password': 'Own password changed',
  'user.create-superadmin': 'Superadmin created',
  'user.disable': 'User disabled',
  'user.end-sessions': 'All sessions ended',
  'user.lock': 'User locked',
  'user.unlock': 'User unlocked',
  'user.temporary-password': 'Temporary password set',
  'user.reset-model-limits': 'User model limits reset',
};

/**
 * Codes earlier versions wrote for what one code above now records: rows keep
 * them, screens read them as that code (one label, one filter choice that
 * finds both).
 */
export const AUDIT_ACTION_ALIASES: Record<string, string> = {
  'realm-migration-run.migrate-data-into-realms': 'realm-migration.start',
  'realm-migration-run.roll-back': 'realm-migration.rollback',
  'organization.reset-selected-quotas': 'organization.reset-quotas',
  'realm.generate-key': 'api-key.issue',
  'user.generate-key': 'api-key.issue',
  'user.end-all-sessions': 'user.end-sessions',
  'user.set-temporary-password': 'user.temporary-password',
};

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** The code of a plain create/update/delete of a resource: ("Organization", "update") -> "organization.update". */
export function auditCode(resource: string, verb: string): string {
  return `${kebab(resource)}.${kebab(verb)}`;
}

/**
 * The code a row is read as: an alias becomes its code, and a bare verb that
 * early API writes recorded ("update") gets the row's resource.
 */
export function canonicalAuditAction(code: string, resource?: string | null): string {
  if (!code.includes('.') && resource && code in VERBS) return auditCode(resource, code);
  return AUDIT_ACTION_ALIASES[code] ?? code;
}

/** Every stored code that reads as `code` (itself and its aliases), for filters. */
export function auditActionsReadAs(code: string): string[] {
  return [code, ...Object.entries(AUDIT_ACTION_ALIASES).filter(([, c]) => c === code).map(([alias]) => alias)];
}

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
