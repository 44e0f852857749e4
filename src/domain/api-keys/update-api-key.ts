import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { apiKeyRules } from './api-key-rules.js';
import { checkAllowedModels } from './issue-api-key.js';
import { toSafeApiKey, type SafeApiKey } from './safe-api-key.js';

export const updateApiKeyInput = z
  .object({
    apiKeyId: z.string().uuid(),
    name: apiKeyRules.name.optional(),
    description: apiKeyRules.description.nullable().optional(),
    scopes: apiKeyRules.scopes.optional(),
    /** null removes the limit */
    maxTokens: apiKeyRules.maxTokens.nullable().optional(),
    rateLimitPerMinute: apiKeyRules.rateLimitPerMinute.nullable().optional(),
    allowedModelIds: apiKeyRules.allowedModelIds.optional(),
    /** null: never expires */
    expiresAt: apiKeyRules.expiresAt.nullable().optional(),
  })
  .strict();
export type UpdateApiKeyInput = z.input<typeof updateApiKeyInput>;

/**
 * Edits an API key's name, description, scopes, limits, allowed models and
 * expiry under the same rules as issuing one (api-key-rules.ts): no zero or
 * negative limit, no expiry in the past. Owner, realm, organization and the
 * secret never change here (rotate for a new secret).
 */
export async function updateApiKey(db: PrismaClient, actor: Actor, rawInput: UpdateApiKeyInput, meta: RequestMeta = {}): Promise<SafeApiKey> {
  const { apiKeyId, ...changes } = parseInput(updateApiKeyInput, rawInput);
  const scope = requireScope(actor, 'ApiKey', 'update');
  return inActorTransaction(db, actor, async (tx) => {
    const current = await tx.apiKey.findFirst({ where: { AND: [{ id: apiKeyId }, scope] } });
    if (!current) throw new AppError('NOT_FOUND', 'API key not found');
    if (current.revokedAt) throw new AppError('CONFLICT', 'A revoked key cannot be edited');
    if (changes.allowedModelIds) await checkAllowedModels(tx, actor, changes.allowedModelIds);
    const updated = await tx.apiKey.update({ where: { id: current.id }, data: changes });
    const after = toSafeApiKey(updated);
    await recordAudit(tx, actor, { action: 'api-key.update', resource: 'ApiKey', recordId: current.id, organizationId: current.organizationId, before: toSafeApiKey(current), after }, meta);
    return after;
  });
}
