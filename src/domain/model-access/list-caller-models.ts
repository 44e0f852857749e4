import type { PrismaClient } from '@prisma/client';
import { readLimits, userModelWanted, type CallerLimit } from '../quotas/caller-quota.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { parseInput } from '../shared/parse-input.js';
import { callerUsableModels, keyUsableModels, listUsableModelsInput, prismaQuery, type KeyModelSource, type ListUsableModelsInput, type SqlQuery, type UsableModel } from './usable-models.js';

export type CallerModel = UsableModel & { userQuota: CallerLimit | null };

/**
 * GET /models: exactly `usableModels` for the caller (the rule the usage
 * check applies), each with the caller's own limit on it and what is left.
 */
export async function listCallerModels(db: PrismaClient, actor: Actor, rawInput: ListUsableModelsInput = {}): Promise<CallerModel[]> {
  const input = parseInput(listUsableModelsInput, rawInput);
  const now = input.now ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const query = prismaQuery(tx);
    const { organizationId, subject, models } = await callerUsableModels(query, actor, now);
    return withUserQuotas(query, organizationId, subject.userId, models, now);
  });
}

/**
 * GET /models for an API key, read as the usage check reads: the same cached
 * catalog and user rules the next POST /usage will decide with, the key's
 * state read now (apiKeyNow: a revoked key or a disabled owner is refused at
 * once), the user's limits read now. Two statements on the hot path's pool,
 * where listCallerModels runs seven through Prisma; scoped by the key itself.
 */
export async function listKeyModels(source: KeyModelSource, actor: Extract<Actor, { kind: 'api-key' }>, rawInput: ListUsableModelsInput = {}): Promise<CallerModel[]> {
  const input = parseInput(listUsableModelsInput, rawInput);
  const now = input.now ?? source.clock();
  return withUserQuotas(source.query, actor.organizationId, actor.userId, await keyUsableModels(source, actor, now), now);
}

async function withUserQuotas(query: SqlQuery, organizationId: string, userId: string | null, models: UsableModel[], now: Date): Promise<CallerModel[]> {
  const limits = userId ? await readLimits(query, organizationId, userModelWanted(userId, models), now) : [];
  const byModel = new Map(limits.map((l) => [l.modelId, l]));
  return models.map((m) => ({ ...m, userQuota: byModel.get(m.id) ?? null }));
}
