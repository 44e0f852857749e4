import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import type { RequestMeta } from '../audit/record-audit.js';
import { updateRecord } from '../records/write-record.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { requireScope } from '../access/scope.js';
import { API_KEY_SCOPES } from './api-key-scopes.js';

/** What PUT /api-keys/{id} may change, by the rules of issuing: positive limits, a future expiry, known scopes. */
export const updateApiKeyInput = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().trim().max(1000).nullable().optional(),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).optional(),
    maxTokens: z.number().int().positive().nullable().optional(),
    rateLimitPerMinute: z.number().int().positive().max(1_000_000).nullable().optional(),
    allowedModelIds: z.array(z.string().uuid()).max(500).optional(),
    expiresAt: z.coerce
      .date()
      .refine((d) => d.getTime() > Date.now(), 'must be in the future')
      .nullable()
      .optional(),
  })
  .strict();
export type UpdateApiKeyInput = z.input<typeof updateApiKeyInput>;

/**
 * Changes a live key's name, description, scopes, limits, models or expiry with
 * the same rules as issuing (and the panel's write rules for the rest: models
 * within the caller's scope, audit row). Revoked keys stay as they are: CONFLICT.
 */
export async function updateApiKey(db: PrismaClient, actor: Actor, id: string, rawInput: UpdateApiKeyInput, deps: { encryptionKey: string }, meta: RequestMeta = {}) {
  const input = parseInput(updateApiKeyInput, rawInput);
  const scope = requireScope(actor, 'ApiKey', 'update');
  const key = await inActorTransaction(db, actor, (tx) => tx.apiKey.findFirst({ where: { AND: [{ id }, scope] }, select: { revokedAt: true } }));
  if (!key) throw new AppError('NOT_FOUND', 'API key not found');
  if (key.revokedAt) throw new AppError('CONFLICT', 'A revoked key cannot be changed');
  return updateRecord(db, actor, 'ApiKey', id, input as Record<string, unknown>, deps, meta);
}
