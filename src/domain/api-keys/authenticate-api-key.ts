import { Prisma, type ApiKeyType, type PrismaClient } from '@prisma/client';
import { SYSTEM_TENANT, inTenantTransaction } from '../../db/tenant-context.js';
import { accountUsableSql } from '../auth/account-state.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { hashApiKey, isWellFormedApiKey } from './api-key-secret.js';
import type { LastUsedTracker } from './last-used-tracker.js';

export interface AuthenticatedApiKey {
  actor: Extract<Actor, { kind: 'api-key' }>;
  type: ApiKeyType;
  realmId: string | null;
  expiresAt: Date | null;
  limits: { maxTokens: number | null; rateLimitPerMinute: number | null; allowedModelIds: string[] };
}

export interface AuthenticateApiKeyDeps {
  pepper: string;
  now?: () => Date;
  /** Records the use without a write per request. */
  tracker?: LastUsedTracker;
}

type Row = {
  id: string;
  organization_id: string;
  user_id: string | null;
  realm_id: string | null;
  type: ApiKeyType;
  scopes: string[];
  max_tokens: number | null;
  rate_limit_per_minute: number | null;
  allowed_model_ids: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  org_active: boolean;
  /** null for a key without an owner */
  user_usable: boolean | null;
};

// One answer for every failure: a caller learns nothing about which keys exist.
const refused = () => new AppError('UNAUTHENTICATED', 'Invalid or expired API key');

/**
 * The gateway's hot path: a secret in, an api-key actor out, or UNAUTHENTICATED
 * with the same message whatever the reason (malformed, unknown, revoked,
 * expired, owner not active, organization not active). Garbage is refused
 * offline by the checksum, without touching the database.
 */
export async function authenticateApiKey(db: PrismaClient, secret: unknown, deps: AuthenticateApiKeyDeps): Promise<AuthenticatedApiKey> {
  if (typeof secret !== 'string' || !isWellFormedApiKey(secret)) throw refused();
  const keyHash = hashApiKey(deps.pepper, secret);
  const now = deps.now?.() ?? new Date();
  // No actor exists until the key is found, so the lookup runs as the system tenant.
  const rows = await inTenantTransaction(db, SYSTEM_TENANT, async (tx) => {
    return tx.$queryRaw<Row[]>`
      SELECT k.id, k.organization_id, k.user_id, k.realm_id, k.type, k.scopes, k.max_tokens, k.rate_limit_per_minute,
             k.allowed_model_ids, k.expires_at, k.revoked_at, o.is_active AS org_active,
             ${Prisma.raw(accountUsableSql('u'))} AS user_usable
        FROM api_keys k
        JOIN organizations o ON o.id = k.organization_id
        LEFT JOIN users u ON u.id = k.user_id
       WHERE k.key_hash = ${keyHash}`;
  });
  const k = rows[0];
  if (!k) throw refused();
  if (k.revoked_at) throw refused();
  if (k.expires_at && k.expires_at.getTime() <= now.getTime()) throw refused();
  if (!k.org_active) throw refused();
  // The owner must be able to sign in (one definition with sign-in: src/domain/auth/account-state.ts).
  if (k.user_id && !k.user_usable) throw refused();

  deps.tracker?.touch(k.id, now);
  return {
    actor: { kind: 'api-key', apiKeyId: k.id, organizationId: k.organization_id, userId: k.user_id, scopes: k.scopes },
    type: k.type,
    realmId: k.realm_id,
    expiresAt: k.expires_at,
    limits: { maxTokens: k.max_tokens, rateLimitPerMinute: k.rate_limit_per_minute, allowedModelIds: k.allowed_model_ids },
  };
}
