import type { PrismaClient } from '@prisma/client';
import type { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { ASSIGNABLE_ROLES } from '../access/permissions.js';
import { scopeAdmits } from '../access/scope.js';
import { endSessionsOf, userIdInput } from './manageable-user.js';

export type EndUserSessionsInput = z.input<typeof userIdInput>;

/**
 * Signs a user out everywhere by deleting their panel sessions. Admins end
 * the sessions of their organization's users; anyone may end their own.
 */
export async function endUserSessions(db: PrismaClient, actor: Actor, rawInput: EndUserSessionsInput, meta: RequestMeta = {}): Promise<{ sessionsEnded: number }> {
  const input = parseInput(userIdInput, rawInput);
  const sessionScope = requireScope(actor, 'Session', 'delete');
  return inActorTransaction(db, actor, async (tx) => {
    const user = await tx.user.findFirst({ where: { AND: [{ id: input.userId }, requireScope(actor, 'User', 'read')] }, select: { id: true, role: true, organizationId: true } });
    if (!user || !scopeAdmits(sessionScope, { userId: user.id, organizationId: user.organizationId })) throw new AppError('NOT_FOUND', 'User not found');
    const self = actor.kind === 'user' && actor.userId === user.id;
    if (actor.kind === 'user' && !self && !ASSIGNABLE_ROLES[actor.role].includes(user.role)) throw new AppError('FORBIDDEN', `You cannot end a ${user.role.toLowerCase()}'s sessions`);
    const sessionsEnded = await endSessionsOf(tx, actor, user.id);
    await recordAudit(tx, actor, { action: 'user.end-sessions', resource: 'User', recordId: user.id, organizationId: user.organizationId, before: { sessions: sessionsEnded }, after: { sessions: 0 } }, meta);
    return { sessionsEnded };
  });
}
