/**
 * What an API key may do. A gateway key typically holds models:read + usage:write.
 * A scope opens a group of API operations; the key's owner's role (the permission
 * matrix in src/domain/access) still bounds every one of them, so a key never has
 * more power than its owner.
 */
export const API_KEY_SCOPES = [
  'models:read',
  'usage:read',
  'usage:write',
  'keys:manage',
  /** Tenant info and knowledge-base collections. */
  'tenant:read',
  /** Realms and realm-scoped data (vector servers, knowledge bases, documents, ingestion jobs). */
  'realms:read',
  'realms:write',
  /** Agents, tools, status, chat sessions and messages. */
  'assistants:read',
  'chat:write',
  /** Users, organizations, tenants overview and quota resets, for admins. */
  'admin',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
