import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { endSessionsOf, loadManageableUser, toSafeUser, userIdInput, type SafeUser } from './manageable-user.js';

export const lockUserInput = userIdInput.extend({
  /** When the lock is meant to lift; null/omitted = until someone unlocks. */
  lockedUntil: z.coerce.date().nullable().optional(),
  now: z.coerce.date().optional(),
});
export type LockUserInput = z.input<typeof lockUserInput>;

/**
 * Locks a user out (status LOCKED) and ends all their sessions in the same
 * transaction, so the lock bites at once. Nobody locks themselves.
 */
export async function lockUser(db: PrismaClient, actor: Actor, rawInput: LockUserInput, meta: RequestMeta = {}): Promise<{ user: SafeUser; sessionsEnded: number }> {
  const input = parseInput(lockUserInput, rawInput);
  const now = input.now ?? new Date();
  if (input.lockedUntil && input.lockedUntil <= now) throw new AppError('INVALID', 'lockedUntil: must be in the future', { field: 'lockedUntil' });
  return inActorTransaction(db, actor, async (tx) => {
    const before = await loadManageableUser(tx, actor, input.userId, 'status', 'lock');
    // Sessions first, so the count is ours: migration 0003's trigger also ends them on any status change.
    const sessionsEnded = await endSessionsOf(tx, actor, before.id);
    const after = await tx.user.update({ where: { id: before.id }, data: { status: 'LOCKED', lockedUntil: input.lockedUntil ?? null } });
    await recordAudit(tx, actor, { action: 'user.lock', resource: 'User', recordId: before.id, organizationId: before.organizationId, before: toSafeUser(before), after: { ...toSafeUser(after), sessionsEnded } }, meta);
    return { user: toSafeUser(after), sessionsEnded };
  });
}
