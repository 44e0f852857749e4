import type { UserRole } from '@prisma/client';

/**
 * The permission matrix: role x resource x operation -> scope. One table, read by
 * the admin panel, the HTTP API and the CLI alike (see scope.ts for how a scope
 * becomes a Prisma `where`). Anything not listed is denied.
 *
 *   all   every row, every organization
 *   org   rows of the actor's organization (plus global rows for reads, where a
 *         resource has them: system models, global agents)
 *   own   rows the actor owns (their user row, their realms, keys, usage, sessions)
 *   none  denied
 */
export type Scope = 'all' | 'org' | 'own' | 'none';
export type Operation = 'read' | 'create' | 'update' | 'delete';

export const RESOURCES = [
  'Organization',
  'User',
  'Session',
  'LoginThrottle',
  'Realm',
  'ApiKey',
  'VectorServer',
  'KnowledgeBase',
  'Document',
  'IngestionJob',
  'ChatSession',
  'ChatMessage',
  'AiModel',
  'OrganizationModelAccess',
  'UserModelLimit',
  'QuotaCounter',
  'UsageEvent',
  'UsageDailyRollup',
  'Agent',
  'Tool',
  'AuditLog',
  'RealmMigrationRun',
  'RealmMigrationItem',
  'ApiRefreshToken',
  'UsageRefusal',
  'UsageIdempotencyKey',
  'UsageReservation',
  'ApiKeyRateWindow',
  'UsageDailyModelRollup',
  'UsageDailyKeyRollup',
  // realmgate:scaffold resources (`realmgate scaffold resource` adds names above this line)
] as const;
export type ResourceName = (typeof RESOURCES)[number];

type Row = Record<Operation, Scope>;
const r = (read: Scope, create: Scope = 'none', update: Scope = 'none', del: Scope = 'none'): Row => ({ read, create, update, delete: del });

const ALL = r('all', 'all', 'all', 'all');
const READ_ONLY_ALL = r('all');
const ORG_CRUD = r('org', 'org', 'org', 'org');
const ORG_READ = r('org');
const OWN_CRUD = r('own', 'own', 'own', 'own');
const NONE = r('none');

// Tables whose rows are never changed by people: the ledger, the audit log,
// rollups and counters (moved only by domain functions), migration journals.
const SYSTEM_WRITTEN = new Set<ResourceName>(['UsageEvent', 'AuditLog', 'UsageDailyRollup', 'QuotaCounter', 'RealmMigrationRun', 'RealmMigrationItem']);

const REALM_SCOPED: ResourceName[] = ['Realm', 'ApiKey', 'VectorServer', 'KnowledgeBase', 'Document', 'IngestionJob', 'ChatSession', 'ChatMessage'];

function superadmin(): Record<ResourceName, Row> {
  const m = Object.fromEntries(RESOURCES.map((res) => [res, SYSTEM_WRITTEN.has(res) ? READ_ONLY_ALL : ALL])) as Record<ResourceName, Row>;
  // Sessions come from signing in, never from a form; ending one is deleting it.
  m.Session = r('all', 'none', 'none', 'all');
  // The sign-in throttle is counted by the sign-in code alone; superadmins may
  // see blocked addresses and unblock one by deleting its row (migration 0004).
  m.LoginThrottle = r('all', 'none', 'none', 'all');
  // Refresh tokens belong to the API's sign-in code alone (not in the panel).
  m.ApiRefreshToken = NONE;
  // The hot path's working tables and refusal counts: written by domain code alone, shown through the dashboard and GET /quota.
  for (const res of ['UsageRefusal', 'UsageIdempotencyKey', 'UsageReservation', 'ApiKeyRateWindow', 'UsageDailyModelRollup', 'UsageDailyKeyRollup'] as const) m[res] = NONE;
  return m;
}

function orgAdmin(): Record<ResourceName, Row> {
  const m = Object.fromEntries(RESOURCES.map((res) => [res, NONE])) as Record<ResourceName, Row>;
  m.Organization = r('org', 'none', 'org', 'none');
  m.User = ORG_CRUD;
  m.Session = r('org', 'none', 'none', 'org');
  for (const res of REALM_SCOPED) m[res] = ORG_CRUD;
  m.AiModel = ORG_CRUD; // reads: eligible system models + the org's own; writes: the org's own only
  m.OrganizationModelAccess = ORG_CRUD;
  m.UserModelLimit = ORG_CRUD;
  m.QuotaCounter = ORG_READ;
  m.UsageEvent = ORG_READ;
  m.UsageDailyRollup = ORG_READ;
  m.Agent = ORG_CRUD;
  m.Tool = r('all');
  m.AuditLog = ORG_READ;
  return m;
}

function user(): Record<ResourceName, Row> {
  const m = Object.fromEntries(RESOURCES.map((res) => [res, NONE])) as Record<ResourceName, Row>;
  m.Organization = r('org');
  m.User = r('own', 'none', 'own', 'none');
  m.Session = r('own', 'none', 'none', 'own');
  for (const res of REALM_SCOPED) m[res] = OWN_CRUD;
  m.AiModel = r('own'); // the models enabled for them
  m.UserModelLimit = r('own');
  m.QuotaCounter = r('own');
  m.UsageEvent = r('own');
  m.UsageDailyRollup = r('own');
  m.Agent = r('org');
  m.Tool = r('all');
  return m;
}

function viewer(): Record<ResourceName, Row> {
  const admin = orgAdmin();
  const m = Object.fromEntries(RESOURCES.map((res) => [res, r(admin[res].read)])) as Record<ResourceName, Row>;
  m.Session = r('own');
  m.AuditLog = NONE;
  return m;
}

/**
 * Rows of resources added with `realmgate scaffold resource`, for every role but
 * SUPERADMIN (who gets ALL from superadmin()). Each starts closed; open it by
 * putting ORG_CRUD, ORG_READ, OWN_CRUD or r(read, create, update, delete) in
 * place of NONE (docs/extending.md, "Open it to roles").
 */
const ADDED_ROWS: Partial<Record<ResourceName, Partial<Record<Exclude<UserRole, 'SUPERADMIN'>, Row>>>> = {
  // realmgate:scaffold permissions (`realmgate scaffold resource` adds rows above this line)
};

function withAddedRows(role: Exclude<UserRole, 'SUPERADMIN'>, m: Record<ResourceName, Row>): Record<ResourceName, Row> {
  for (const [res, rows] of Object.entries(ADDED_ROWS)) {
    const row = rows?.[role];
    if (row) m[res as ResourceName] = row;
  }
  return m;
}

export const PERMISSIONS: Record<UserRole, Record<ResourceName, Row>> = {
  SUPERADMIN: superadmin(),
  ADMIN: withAddedRows('ADMIN', orgAdmin()),
  USER: withAddedRows('USER', user()),
  VIEWER: withAddedRows('VIEWER', viewer()),
};

/** The scope `role` has for `operation` on `resource`; 'none' when not granted. */
export function scopeFor(role: UserRole, resource: ResourceName, operation: Operation): Scope {
  return PERMISSIONS[role]?.[resource]?.[operation] ?? 'none';
}

/** Roles an actor may assign: nobody creates or promotes anyone above their own rank, and only superadmins make superadmins. */
export const ASSIGNABLE_ROLES: Record<UserRole, UserRole[]> = {
  SUPERADMIN: ['SUPERADMIN', 'ADMIN', 'USER', 'VIEWER'],
  ADMIN: ['ADMIN', 'USER', 'VIEWER'],
  USER: [],
  VIEWER: [],
};

/**
 * Fields nobody may read through the panel or the API, whatever their role:
 * hashes and ciphertexts stay on the server.
 */
export const SECRET_FIELDS: Partial<Record<ResourceName, string[]>> = {
  User: ['passwordHash'],
  ApiKey: ['keyHash'],
  VectorServer: ['passwordEncrypted', 'apiKeyEncrypted'],
  AiModel: ['providerApiKeyEncrypted'],
  Session: ['sess'],
};

/**
 * Fields a role may write, per resource. Absent = every non-secret, non-system field
 * the operation's scope allows. Tenancy keys (organizationId) are always set by the
 * server from the actor for non-superadmins, never taken from the request.
 */
export const WRITABLE_FIELDS: Partial<Record<UserRole, Partial<Record<ResourceName, string[]>>>> = {
  ADMIN: {
    Organization: ['name', 'description'],
    User: ['username', 'email', 'displayName', 'role', 'status', 'mustChangePassword', 'password'],
  },
  USER: {
    User: ['displayName', 'password'],
  },
};

/** Columns of every table that no person writes: keys and timestamps the database keeps. */
export const COMMON_SYSTEM_FIELDS: readonly string[] = ['id', 'createdAt', 'updatedAt'];

/** Fields no person writes directly: maintained by domain functions. */
export const SYSTEM_FIELDS: Partial<Record<ResourceName, string[]>> = {
  User: ['failedLoginAttempts', 'lockedUntil', 'lastLoginAt', 'passwordChangedAt', 'passwordHash'],
  ApiKey: ['keyHash', 'prefix', 'lastUsedAt', 'replacedById', 'createdById', 'revokedAt'],
  OrganizationModelAccess: ['firstEnabledAt'],
  Realm: ['createdByMigrationRunId'],
};

/** Tenancy keys: on rows of an organization, set from the actor (non-superadmins) and never moved by an update. */
export const TENANCY_FIELDS: readonly string[] = ['organizationId'];

const SECRET_NAME = /(Hash|Encrypted)$/;

/** Hashes, ciphertexts and session blobs: never read through the panel or the API, never written from a request. */
export function isSecretField(resource: string, field: string): boolean {
  return SECRET_NAME.test(field) || (SECRET_FIELDS[resource as ResourceName] ?? []).includes(field);
}

/** Written only by the database or by domain functions, for every role. */
export function isSystemField(resource: string, field: string): boolean {
  return COMMON_SYSTEM_FIELDS.includes(field) || (SYSTEM_FIELDS[resource as ResourceName] ?? []).includes(field) || isSecretField(resource, field);
}

/**
 * May `role` put a value of its choosing into `field` of `resource`? Not for
 * secrets and system fields; where WRITABLE_FIELDS lists fields for the role,
 * only those. Tenancy keys and owners are further set by the server (see
 * scope.ts actorOwnedFields). A role without write access to the resource at
 * all is stopped earlier by the matrix.
 */
export function isWritableField(role: UserRole, resource: ResourceName, field: string): boolean {
  if (isSystemField(resource, field)) return false;
  const listed = WRITABLE_FIELDS[role]?.[resource];
  return !listed || listed.includes(field);
}
