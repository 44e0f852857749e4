import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import { ensureDefaultRealm } from '../realms/ensure-default-realm.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { displayPrefix, generateApiKeySecret, hashApiKey } from './api-key-secret.js';
import type { ApiKeyDeps } from './issue-api-key.js';
import { toSafeApiKey, type SafeApiKey } from './safe-api-key.js';

export const MAX_GRACE_SECONDS = 7 * 86_400;

export const rotateApiKeyInput = z.object({
  apiKeyId: z.string().uuid(),
  /** How long the old secret keeps working, chosen by the admin: 0 (at once) to 7 days. */
  graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS),
  /** The new key's expiry; by default the old key's. */
  expiresAt: z.coerce.date().nullable().optional(),
});
export type RotateApiKeyInput = z.input<typeof rotateApiKeyInput>;

export interface ClockDeps {
  /** Injected in tests; defaults to the system clock. */
  now?: () => Date;
}

/**
 * Replaces a key with a new secret (returned once) carrying the same name,
 * scopes, limits, realm and models; the old secret stays valid until
 * now + graceSeconds and is then refused. A key is rotated at most once:
 * a concurrent second rotation gets CONFLICT and leaves no orphan key.
 */
export async function rotateApiKey(
  db: PrismaClient,
  actor: Actor,
  rawInput: RotateApiKeyInput,
  deps: ApiKeyDeps & ClockDeps,
  meta: RequestMeta = {},
): Promise<{ apiKey: SafeApiKey; secret: string; previous: SafeApiKey }> {
  const input = parseInput(rotateApiKeyInput, rawInput);
  const updateScope = requireScope(actor, 'ApiKey', 'update');
  requireScope(actor, 'ApiKey', 'create');
  const now = deps.now?.() ?? new Date();
  const graceEnds = new Date(now.getTime() + input.graceSeconds * 1000);
  if (input.expiresAt && input.expiresAt <= now) throw new AppError('INVALID', 'expiresAt: must be in the future', { field: 'expiresAt' });
  const secret = generateApiKeySecret();

  const result = await inActorTransaction(db, actor, async (tx) => {
    const old = await tx.apiKey.findFirst({ where: { AND: [{ id: input.apiKeyId }, updateScope] } });
    if (!old) throw new AppError('NOT_FOUND', 'API key not found');
    if (old.revokedAt) throw new AppError('CONFLICT', 'A revoked key cannot be rotated; issue a new one');
    if (old.expiresAt && old.expiresAt <= now) throw new AppError('CONFLICT', 'An expired key cannot be rotated; issue a new one');
    if (old.replacedById) throw new AppError('CONFLICT', 'This key was already rotated; rotate its replacement instead');

    let realmId = old.realmId;
    if (old.userId) {
      const owner = await tx.user.findUnique({ where: { id: old.userId }, select: { id: true, organizationId: true, status: true } });
      if (!owner || owner.status !== 'ACTIVE') throw new AppError('INVALID', "The key's owner is not active; keys can only be issued to active users");
      // Keys from before realms existed land in the owner's default realm, like every new key.
      realmId ??= (await ensureDefaultRealm(tx, { id: owner.id, organizationId: old.organizationId })).realm.id;
    }

    const created = await tx.apiKey.create({
      data: {
        organizationId: old.organizationId,
        userId: old.userId,
        realmId,
        name: old.name,
        description: old.description,
        prefix: displayPrefix(secret),
        keyHash: hashApiKey(deps.pepper, secret),
        type: old.type,
        scopes: old.scopes,
        maxTokens: old.maxTokens,
        rateLimitPerMinute: old.rateLimitPerMinute,
        allowedModelIds: old.allowedModelIds,
        expiresAt: input.expiresAt === undefined ? old.expiresAt : input.expiresAt,
        createdById: actor.kind === 'user' ? actor.userId : null,
      },
    });
    // The conditional UPDATE is the lock: only one rotation of a live key can match it.
    const retired = await tx.$queryRaw<{ expires_at: Date }[]>`
      UPDATE api_keys
         SET replaced_by_id = ${created.id}::uuid, expires_at = LEAST(expires_at, ${graceEnds}::timestamptz), updated_at = now()
       WHERE id = ${old.id}::uuid AND replaced_by_id IS NULL AND revoked_at IS NULL
         AND (expires_at IS NULL OR expires_at > ${now}::timestamptz)
      RETURNING expires_at`;
    if (!retired[0]) throw new AppError('CONFLICT', 'This key was rotated or revoked meanwhile');

    const previous = toSafeApiKey({ ...old, replacedById: created.id, expiresAt: retired[0].expires_at });
    const apiKey = toSafeApiKey(created);
    await recordAudit(tx, actor, { action: 'api-key.rotate', resource: 'ApiKey', recordId: old.id, organizationId: old.organizationId, before: toSafeApiKey(old), after: previous }, meta);
    await recordAudit(tx, actor, { action: 'api-key.issue', resource: 'ApiKey', recordId: created.id, organizationId: created.organizationId, before: null, after: { ...apiKey, rotatedFromId: old.id } }, meta);
    return { apiKey, previous };
  });
  return { ...result, secret };
}
