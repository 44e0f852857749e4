import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { requireScope, scopeWhere } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import { ensureRealmForNewRow } from '../realms/ensure-realm-for-new-row.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction, type Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { displayPrefix, generateApiKeySecret, hashApiKey } from './api-key-secret.js';
import { apiKeyRules } from './api-key-rules.js';
import { toSafeApiKey, type SafeApiKey } from './safe-api-key.js';

export const issueApiKeyInput = z.object({
  name: apiKeyRules.name,
  description: apiKeyRules.description.optional(),
  /** Owner; defaults to the actor. */
  userId: z.string().uuid().optional(),
  /** Defaults to the owner's default realm. */
  realmId: z.string().uuid().optional(),
  type: z.enum(['USER', 'SERVICE', 'GATEWAY']).default('USER'),
  scopes: apiKeyRules.scopes.default(['models:read', 'usage:write']),
  maxTokens: apiKeyRules.maxTokens.optional(),
  rateLimitPerMinute: apiKeyRules.rateLimitPerMinute.optional(),
  allowedModelIds: apiKeyRules.allowedModelIds.default([]),
  expiresAt: apiKeyRules.expiresAt.optional(),
});
export type IssueApiKeyInput = z.input<typeof issueApiKeyInput>;

export interface ApiKeyDeps {
  pepper: string;
}

/** Resolves and checks owner, realm and models for a new key, all inside the actor's scope. */
export async function resolveKeyTargets(tx: Tx, actor: Actor, input: { userId?: string; realmId?: string; allowedModelIds: string[] }) {
  const ownerId = input.userId ?? (actor.kind === 'user' ? actor.userId : undefined);
  if (!ownerId) throw new AppError('INVALID', 'userId is required', { field: 'userId' });
  const owner = await tx.user.findFirst({ where: { AND: [{ id: ownerId }, requireScope(actor, 'User', 'read')] } });
  if (!owner || !owner.organizationId) throw new AppError('NOT_FOUND', 'User not found', { field: 'userId' });
  if (owner.status !== 'ACTIVE') throw new AppError('INVALID', 'Keys can only be issued to active users', { field: 'userId' });
  const orgOwner = { id: owner.id, organizationId: owner.organizationId };

  // The same rule as every realm-scoped row: the owner's active realm, share-locked, or their default.
  const realm = await ensureRealmForNewRow(tx, actor, { ownerId: owner.id, realmId: input.realmId });

  await checkAllowedModels(tx, actor, input.allowedModelIds);
  return { owner: orgOwner, realm };
}

/** Every allowed model must exist and be visible to the actor. */
export async function checkAllowedModels(tx: Tx, actor: Actor, allowedModelIds: string[]): Promise<void> {
  if (!allowedModelIds.length) return;
  const visible = scopeWhere(actor, 'AiModel', 'read') ?? { id: { in: [] } };
  const found = await tx.aiModel.count({ where: { AND: [{ id: { in: allowedModelIds } }, visible] } });
  if (found !== new Set(allowedModelIds).size) throw new AppError('INVALID', 'Some allowed models do not exist or are not available', { field: 'allowedModelIds' });
}

/**
 * Creates an API key and returns its secret exactly once; only an HMAC of the
 * secret and a display prefix are stored.
 */
export async function issueApiKey(db: PrismaClient, actor: Actor, rawInput: IssueApiKeyInput, deps: ApiKeyDeps, meta: RequestMeta = {}): Promise<{ apiKey: SafeApiKey; secret: string }> {
  const input = parseInput(issueApiKeyInput, rawInput);
  requireScope(actor, 'ApiKey', 'create');
  const secret = generateApiKeySecret();
  const apiKey = await inActorTransaction(db, actor, async (tx) => {
    const { owner, realm } = await resolveKeyTargets(tx, actor, input);
    const created = await tx.apiKey.create({
      data: {
        organizationId: owner.organizationId,
        userId: owner.id,
        realmId: realm.id,
        name: input.name,
        description: input.description ?? null,
        prefix: displayPrefix(secret),
        keyHash: hashApiKey(deps.pepper, secret),
        type: input.type,
        scopes: input.scopes,
        maxTokens: input.maxTokens ?? null,
        rateLimitPerMinute: input.rateLimitPerMinute ?? null,
        allowedModelIds: input.allowedModelIds,
        expiresAt: input.expiresAt ?? null,
        createdById: actor.kind === 'user' ? actor.userId : null,
      },
    });
    const safe = toSafeApiKey(created);
    await recordAudit(tx, actor, { action: 'api-key.issue', resource: 'ApiKey', recordId: created.id, organizationId: created.organizationId, after: safe }, meta);
    return safe;
  });
  return { apiKey, secret };
}
