import { AUDIT_ACTION_WORDS, auditActionWords } from '../../domain/audit/audit-actions.js';
/**
 * Human words for the panel: resource names, property labels and enum values.
 * Anything not listed is derived from its code name ("pricingPlan" -> "Pricing plan",
 * "REAL_ESTATE" -> "Real estate"), so a new column or enum value still reads well.
 */

export const RESOURCE_LABELS: Record<string, string> = {
  Organization: 'Organizations',
  User: 'Users',
  Realm: 'Realms',
  AiModel: 'AI models',
  OrganizationModelAccess: 'Model access',
  UserModelLimit: 'User model limits',
  ApiKey: 'API keys',
  Session: 'Active sessions',
  LoginThrottle: 'Sign-in throttle',
  QuotaCounter: 'Quota counters',
  UsageEvent: 'Usage ledger',
  UsageDailyRollup: 'Daily usage',
  VectorServer: 'Vector servers',
  KnowledgeBase: 'Knowledge bases',
  Document: 'Documents',
  IngestionJob: 'Ingestion jobs',
  Agent: 'Agents',
  Tool: 'Tools',
  ChatSession: 'Chat sessions',
  ChatMessage: 'Chat messages',
  AuditLog: 'Audit log',
  RealmMigrationRun: 'Realm migrations',
  RealmMigrationItem: 'Realm migration items',
  // realmgate:scaffold labels (`realmgate scaffold resource` adds labels above this line)
};

/** Words that keep their own spelling inside a label. */
const WORDS: Record<string, string> = {
  id: 'ID',
  ids: 'IDs',
  ip: 'IP',
  api: 'API',
  ai: 'AI',
  url: 'URL',
};

/** Labels for property names, wherever they appear (per-resource ones below win). */
export const PROPERTY_LABELS: Record<string, string> = {
  id: 'ID',
  createdAt: 'Created',
  updatedAt: 'Updated',
  isActive: 'Active',
  apiKey: 'API key',
  model: 'AI model',
  allowedModelIds: 'Allowed models',
  providerModelId: 'Provider model ID',
  providerApiKey: 'Provider API key',
  providerApiKeyStatus: 'Provider API key',
  userAgent: 'Browser',
  sizeBytes: 'Size',
  storageQuotaBytes: 'Storage quota',
  monthlyApiCallQuota: 'Monthly API call quota',
  rateLimitPerMinute: 'Rate limit (requests per minute)',
  maxTokens: 'Max tokens',
  occurredAt: 'Time',
  lastUsedAt: 'Last used',
  lastLoginAt: 'Last sign-in',
  lockedUntil: 'Locked until',
  mustChangePassword: 'Must change password',
  failedLoginAttempts: 'Failed sign-in attempts',
  isEnabledForUsers: 'Enabled for users',
  tokenLimitPerUser: 'Token limit per user',
  firstEnabledAt: 'First enabled',
  isDefault: 'Default realm',
  createdByRun: 'Created by migration',
  replacedBy: 'Replaced by',
  createdBy: 'Created by',
  actorLabel: 'Actor',
  actorRole: 'Actor role',
  recordId: 'Record',
  changes: 'Changes',
  related: 'Related records',
  offer: 'Offer',
  availability: 'Availability',
  keyStatus: 'Status',
  subject: 'Subject',
  subjectId: 'Subject',
  subjectType: 'Subject type',
  limitValue: 'Limit',
  periodStart: 'Period start',
  lastResetAt: 'Last reset',
  knowledgeBase: 'Knowledge base',
  server: 'Vector server',
  passwordStatus: 'Password',
  apiKeyStatus: 'API key',
  rowId: 'Moved record',
  run: 'Migration',
  startedBy: 'Started by',
  rowsDone: 'Rows moved',
  rowsTotal: 'Rows to move',
  realmsCreated: 'Realms created',
  heartbeatAt: 'Last heartbeat',
  routePath: 'Route',
  isEnabled: 'Enabled',
  isFeatured: 'Featured',
  isFree: 'Free',
  isTrial: 'Trial',
  systemMessage: 'System message',
  windowStart: 'Window start',
  blockedUntil: 'Blocked until',
  documentCount: 'Documents',
  lastUpdatedAt: 'Last updated',
  lastMessageAt: 'Last message',
  lastConnectedAt: 'Last connected',
  mimeType: 'Type',
  uploadedAt: 'Uploaded',
  percentage: 'Progress (%)',
  endedAt: 'Ended',
  startedAt: 'Started',
  finishedAt: 'Finished',
  movedAt: 'Moved',
  idempotencyKey: 'Idempotency key',
  day: 'Day',
};

/** Per resource: where a property means something more specific there. */
export const RESOURCE_PROPERTY_LABELS: Record<string, Record<string, string>> = {
  User: { organization: 'Organization', role: 'Role', displayName: 'Name' },
  ApiKey: { user: 'Owner', type: 'Key type', prefix: 'Key prefix' },
  AiModel: { organization: 'Owner organization', role: 'Persona', tasks: 'Tasks', icon: 'Icon', name: 'Name' },
  Realm: { owner: 'Owner' },
  VectorServer: { password: 'Password', apiKey: 'API key', user: 'Owner' },
  KnowledgeBase: { user: 'Owner' },
  Document: { user: 'Uploaded by', state: 'State' },
  IngestionJob: { documentName: 'Document name', documentType: 'Document type' },
  ChatSession: { user: 'User' },
  ChatMessage: { session: 'Chat session', role: 'From' },
  UsageDailyRollup: { events: 'Events' },
  QuotaCounter: { used: 'Used', reserved: 'Reserved', generation: 'Resets' },
  Agent: { displayName: 'Display name', key: 'Key' },
  AuditLog: { actorId: 'Actor account', organizationId: 'Organization', resource: 'Resource', recordId: 'Record' },
  // The same words as the user and organization columns elsewhere.
  Session: { userEmail: 'User', organizationName: 'Organization', signedInAt: 'Signed in', expire: 'Expires', ip: 'IP', browser: 'Browser' },
  RealmMigrationItem: { kind: 'Kind', realmId: 'Realm' },
};

/** Enum values whose derived label would read wrong. */
export const ENUM_VALUE_LABELS: Record<string, Record<string, string>> = {
  UserRole: { SUPERADMIN: 'Superadmin', ADMIN: 'Org admin', USER: 'User', VIEWER: 'Viewer' },
  VectorServerType: { PGVECTOR: 'pgvector', QDRANT: 'Qdrant' },
  QuotaSubject: { API_KEY: 'API key' },
  QuotaMetric: { API_CALLS: 'API calls' },
  RealmScopedKind: { API_KEY: 'API key' },
  ApiKeyType: { USER: 'User', SERVICE: 'Service', GATEWAY: 'Gateway' },
};

/** Who acted, as the audit log records it: a panel role, an API key or the system. */
export const ACTOR_ROLE_LABELS: Record<string, string> = { ...ENUM_VALUE_LABELS.UserRole, API_KEY: 'API key', SYSTEM: 'System' };

/** "REAL_ESTATE" -> "Real estate". */
export function humanizeEnumValue(enumName: string, value: string): string {
  const own = ENUM_VALUE_LABELS[enumName]?.[value];
  if (own) return own;
  const words = value.toLowerCase().split('_').map((w) => WORDS[w] ?? w);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "monthlyTokenQuota" -> "Monthly token quota"; "isActive" -> "Active"; "expiresAt" -> "Expires". */
export function humanizeProperty(name: string): string {
  const known = PROPERTY_LABELS[name];
  if (known) return known;
  let words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(' ').map((w) => w.toLowerCase());
  if (words[0] === 'is' && words.length > 1) words = words.slice(1);
  if (words.length > 1 && words[words.length - 1] === 'at') words = words.slice(0, -1);
  const text = words.map((w) => WORDS[w] ?? w).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const PLURAL_WORDS: Record<string, string> = { UsageEvent: 'usage events', OrganizationModelAccess: 'model access rows', AiModel: 'AI models', ApiKey: 'API keys' };

/** "3 users", "1 realm", "2 API keys": a count of a resource's records in words. */
export function countedLabel(resource: string, count: number): string {
  const plural = PLURAL_WORDS[resource] ?? (RESOURCE_LABELS[resource] ?? resource).toLowerCase();
  return `${count} ${count === 1 ? plural.replace(/s$/, '').replace(/ rows$/, ' row') : plural}`;
}

/** "organization", "API key": one record of a resource, in running text. */
export function singularLabel(resource: string): string {
  return countedLabel(resource, 1).replace(/^1 /, '');
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const RESOURCE_BY_KEBAB = new Map(Object.keys(RESOURCE_LABELS).map((r) => [kebab(r), r]));
/** A resource as its kebab-case code names it in audit actions ("api-key"), in words. */
export const resourceWords = (k: string) => (RESOURCE_BY_KEBAB.has(k) ? singularLabel(RESOURCE_BY_KEBAB.get(k)!) : k.replace(/-/g, ' '));

/** Every action code the panel, the API and the tools write, with its words (the list shows the words, the filter offers them). */
export const AUDIT_ACTION_CHOICES = [
  ...new Set([...Object.keys(AUDIT_ACTION_WORDS), ...[...RESOURCE_BY_KEBAB.keys()].flatMap((r) => ['create', 'update', 'delete', 'bulk-delete'].map((v) => `${r}.${v}`))]),
]
  .map((value) => ({ value, label: auditActionWords(value, resourceWords) }))
  .sort((a, b) => a.label.localeCompare(b.label));

