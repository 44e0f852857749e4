/**
 * Whose rows each table holds, by Prisma model. The completeness test
 * (test/extending/completeness.test.ts) requires an entry for every model and
 * checks what each kind implies; `realmgate scaffold resource` adds one.
 *
 *   tenant    the organization itself (its id is the tenant key)
 *   org       rows of one organization: an organization_id column, policies comparing it
 *   realm     rows of one organization inside one of its realms: organization_id and realm_id
 *   catalog   global rows (organization_id NULL) every member reads, plus an organization's own
 *   global    rows nobody owns (a shared catalog): everyone reads, platform staff write
 *   platform  bookkeeping of the platform itself (sign-in throttle, migration journals)
 */
export type Tenancy = 'tenant' | 'org' | 'realm' | 'catalog' | 'global' | 'platform';

export const TENANCY: Record<string, Tenancy> = {
  Organization: 'tenant',
  User: 'org',
  Session: 'org',
  LoginThrottle: 'platform',
  Realm: 'org',
  ApiKey: 'realm',
  VectorServer: 'realm',
  KnowledgeBase: 'realm',
  Document: 'realm',
  IngestionJob: 'realm',
  ChatSession: 'realm',
  ChatMessage: 'org',
  AiModel: 'catalog',
  OrganizationModelAccess: 'org',
  UserModelLimit: 'org',
  QuotaCounter: 'org',
  UsageEvent: 'org',
  UsageDailyRollup: 'org',
  Agent: 'catalog',
  Tool: 'global',
  AuditLog: 'org',
  RealmMigrationRun: 'platform',
  RealmMigrationItem: 'platform',
  // Per user, not per organization: the API sign-in's own bookkeeping.
  ApiRefreshToken: 'platform',
  UsageRefusal: 'org',
  UsageIdempotencyKey: 'org',
  UsageReservation: 'org',
  ApiKeyRateWindow: 'org',
  UsageDailyModelRollup: 'org',
  UsageDailyKeyRollup: 'org',
  // realmgate:scaffold tenancy (`realmgate scaffold resource` adds entries above this line)
};

/** Kinds whose rows carry organization_id (and so are what row-level security separates). */
export const TENANT_TABLE_KINDS: ReadonlySet<Tenancy> = new Set(['org', 'realm', 'catalog']);

/** True when rows of `model` carry an organization_id the scope helpers may filter on. */
export function carriesOrganizationId(model: string): boolean {
  const kind = TENANCY[model];
  return kind !== undefined && TENANT_TABLE_KINDS.has(kind);
}
