import type { PrismaClient } from '@prisma/client';
import { readLimits, userModelWanted, type CallerLimit } from '../quotas/caller-quota.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { parseInput } from '../shared/parse-input.js';
import { callerUsableModels, listUsableModelsInput, prismaQuery, type ListUsableModelsInput, type UsableModel } from './usable-models.js';

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
    const { subject, models } = await callerUsableModels(query, actor, now);
    const limits = subject.userId ? await readLimits(query, userModelWanted(subject.userId, models), now) : [];
    const byModel = new Map(limits.map((l) => [l.modelId, l]));
    return models.map((m) => ({ ...m, userQuota: byModel.get(m.id) ?? null }));
  });
}
