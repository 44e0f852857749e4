import type { PrismaClient } from '@prisma/client';
import type { z } from 'zod';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { loadManageableUser, toSafeUser, userIdInput, type SafeUser } from './manageable-user.js';

export type UnlockUserInput = z.input<typeof userIdInput>;

/**
 * Lifts a lock: status ACTIVE, no failed attempts, no lockedUntil. A disabled
 * (INACTIVE) user is not locked and stays disabled: CONFLICT.
 */
export async function unlockUser(db: PrismaClient, actor: Actor, rawInput: UnlockUserInput, meta: RequestMeta = {}): Promise<SafeUser> {
  const input = parseInput(userIdInput, rawInput);
  return inActorTransaction(db, actor, async (tx) => {
    const before = await loadManageableUser(tx, actor, input.userId, 'status', 'unlock');
    if (before.status === 'INACTIVE') throw new AppError('CONFLICT', 'This user is disabled, not locked; re-enable the account instead');
    const after = await tx.user.update({ where: { id: before.id }, data: { status: 'ACTIVE', failedLoginAttempts: 0, lockedUntil: null } });
    await recordAudit(tx, actor, { action: 'user.unlock', resource: 'User', recordId: before.id, organizationId: before.organizationId, before: toSafeUser(before), after: toSafeUser(after) }, meta);
    return toSafeUser(after);
  });
}
