import { Prisma, type ApiKeyType, type PrismaClient } from '@prisma/client';
import { SYSTEM_TENANT, inTenantTransaction } from '../../db/tenant-context.js';
import { accountUsableSql } from '../auth/account-state.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { hashApiKey, isWellFormedApiKey } from './api-key-secret.js';
import { apiKeyUsable } from './api-key-usable.js';
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
  /** Lookups cached at most a second (the gateway hot path); revocation and expiry are re-checked on every hit. */
  cache?: ApiKeyLookupCache;
}

/**
 * Key rows by keyed hash, each kept at most `ttlMs` (capped at 1000 ms): a
 * revoked key, a disabled owner or organization stops being accepted within a
 * second on every instance, with no invalidation messages to lose. The hot
 * path re-reads key, organization and owner state in its batch transaction,
 * so usage is refused at once anyway. Unknown keys are not cached.
 */
export class ApiKeyLookupCache {
  private readonly rows = new Map<string, { at: number; row: Promise<Row | undefined> }>();
  /** misses waiting for the next lookup query, by hash */
  private waiting = new Map<string, { resolve: (r: Row | undefined) => void; reject: (e: unknown) => void }>();
  readonly ttlMs: number;

  /**
   * @param query optional: a SQL runner whose connections are already the
   * system tenant (the hot path's pool). Misses are then gathered for one
   * event-loop turn and looked up together, one round trip for all of them:
   * a gateway spreading its calls over many keys misses often.
   */
  constructor(ttlMs = 1000, readonly query?: <T>(text: string, values: unknown[]) => Promise<T[]>, private readonly clock: () => number = Date.now) {
    this.ttlMs = Math.min(1000, Math.max(0, ttlMs));
  }

  /** Drops every cached row: this instance changed a key (revoke, rotate, edit), so its next request sees it at once. */
  forgetAll(): void {
    this.rows.clear();
  }

  /** @internal */
  get(keyHash: string, load: () => Promise<Row | undefined>): Promise<Row | undefined> {
    const now = this.clock();
    const hit = this.rows.get(keyHash);
    if (hit && now - hit.at < this.ttlMs) return hit.row;
    const row = this.query ? this.gathered(keyHash) : load();
    this.rows.set(keyHash, { at: now, row });
    row.then((r) => { if (!r) this.rows.delete(keyHash); }, () => this.rows.delete(keyHash));
    if (this.rows.size > 50_000) for (const [k, v] of this.rows) if (now - v.at >= this.ttlMs) this.rows.delete(k);
    return row;
  }

  private gathered(keyHash: string): Promise<Row | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.waiting.size) setImmediate(() => void this.lookUpWaiting());
      this.waiting.set(keyHash, { resolve, reject });
    });
  }

  private async lookUpWaiting(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    try {
      const rows = await this.query!<Row>(KEY_ROWS_SQL, [[...batch.keys()]]);
      const byHash = new Map(rows.map((r) => [r.key_hash, r]));
      for (const [hash, w] of batch) w.resolve(byHash.get(hash));
    } catch (e) {
      for (const w of batch.values()) w.reject(e);
    }
  }
}

type Row = {
  id: string;
  key_hash: string;
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

const KEY_COLUMNS = `
  SELECT k.id, k.key_hash, k.organization_id, k.user_id, k.realm_id, k.type::text AS type, k.scopes, k.max_tokens, k.rate_limit_per_minute,
         k.allowed_model_ids::text[] AS allowed_model_ids, k.expires_at, k.revoked_at, o.is_active AS org_active,
         ${accountUsableSql('u')} AS user_usable
    FROM api_keys k
    JOIN organizations o ON o.id = k.organization_id
    LEFT JOIN users u ON u.id = k.user_id`;
const KEY_ROW_SQL = `${KEY_COLUMNS} WHERE k.key_hash = $1`;
const KEY_ROWS_SQL = `${KEY_COLUMNS} WHERE k.key_hash = ANY($1::text[])`;

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
  const load = () => inTenantTransaction(db, SYSTEM_TENANT, (tx) => tx.$queryRawUnsafe<Row[]>(KEY_ROW_SQL, keyHash)).then((rows) => rows[0]);
  const k = deps.cache ? await deps.cache.get(keyHash, load) : await load();
  if (!k) throw refused();
  // The owner must be able to sign in (one definition with sign-in: rg_account_usable, in user_usable).
  if (!apiKeyUsable({ revokedAt: k.revoked_at, expiresAt: k.expires_at, orgActive: k.org_active, userId: k.user_id, ownerUsable: k.user_usable }, now)) throw refused();

  deps.tracker?.touch(k.id, now);
  return {
    actor: { kind: 'api-key', apiKeyId: k.id, organizationId: k.organization_id, userId: k.user_id, scopes: k.scopes },
    type: k.type,
    realmId: k.realm_id,
    expiresAt: k.expires_at,
    limits: { maxTokens: k.max_tokens, rateLimitPerMinute: k.rate_limit_per_minute, allowedModelIds: k.allowed_model_ids },
  };
}
