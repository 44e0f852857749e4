import type { PrismaClient } from '@prisma/client';
import type { z } from 'zod';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { parseInput } from '../shared/parse-input.js';
import { endSessionsOf, loadManageableUser, toSafeUser, userIdInput, type SafeUser } from './manageable-user.js';

export type DisableUserInput = z.input<typeof userIdInput>;

/**
 * Disables a user (status INACTIVE) and ends all their sessions in the same
 * transaction; their API keys stop authenticating at once. Nobody disables themselves.
 */
export async function disableUser(db: PrismaClient, actor: Actor, rawInput: DisableUserInput, meta: RequestMeta = {}): Promise<{ user: SafeUser; sessionsEnded: number }> {
  const input = parseInput(userIdInput, rawInput);
  return inActorTransaction(db, actor, async (tx) => {
    const before = await loadManageableUser(tx, actor, input.userId, 'status', 'disable');
    // Sessions first, so the count is ours: migration 0003's trigger also ends them on any status change.
    const sessionsEnded = await endSessionsOf(tx, actor, before.id);
    const after = await tx.user.update({ where: { id: before.id }, data: { status: 'INACTIVE' } });
    await recordAudit(tx, actor, { action: 'user.disable', resource: 'User', recordId: before.id, organizationId: before.organizationId, before: toSafeUser(before), after: { ...toSafeUser(after), sessionsEnded } }, meta);
    return { user: toSafeUser(after), sessionsEnded };
  });
}
