import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import type { ClockDeps } from './rotate-api-key.js';
import { toSafeApiKey, type SafeApiKey } from './safe-api-key.js';

export const revokeApiKeyInput = z.object({ apiKeyId: z.string().uuid() });
export type RevokeApiKeyInput = z.input<typeof revokeApiKeyInput>;

/**
 * Revokes a key with effect from now: authenticateApiKey refuses it from the
 * moment this commits. Revoking a revoked key changes nothing (idempotent).
 */
export async function revokeApiKey(
  db: PrismaClient,
  actor: Actor,
  rawInput: RevokeApiKeyInput,
  deps: ClockDeps = {},
  meta: RequestMeta = {},
): Promise<{ apiKey: SafeApiKey; alreadyRevoked: boolean }> {
  const input = parseInput(revokeApiKeyInput, rawInput);
  const scope = requireScope(actor, 'ApiKey', 'update');
  const now = deps.now?.() ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { AND: [{ id: input.apiKeyId }, scope] } });
    if (!key) throw new AppError('NOT_FOUND', 'API key not found');
    const { count } = await tx.apiKey.updateMany({ where: { id: key.id, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) {
      const current = await tx.apiKey.findUniqueOrThrow({ where: { id: key.id } });
      return { apiKey: toSafeApiKey(current), alreadyRevoked: true };
    }
    const revoked = toSafeApiKey({ ...key, revokedAt: now });
    await recordAudit(tx, actor, { action: 'api-key.revoke', resource: 'ApiKey', recordId: key.id, organizationId: key.organizationId, before: toSafeApiKey(key), after: revoked }, meta);
    return { apiKey: revoked, alreadyRevoked: false };
  });
}
