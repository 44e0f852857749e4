import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { hashPassword, verifyPassword } from './password.js';
import { inTenantTransaction, SYSTEM_TENANT } from '../../db/tenant-context.js';

export const changeOwnPasswordInput = z
  .object({
    currentPassword: z.string().min(1, 'is required'),
    newPassword: z.string().min(12, 'must be at least 12 characters').max(200),
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], message: 'does not match the new password' })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ['newPassword'], message: 'must differ from the current password' });
export type ChangeOwnPasswordInput = z.input<typeof changeOwnPasswordInput>;

/**
 * A signed-in user replaces their own password (required after an admin set a
 * temporary one); it touches only the actor's own row and clears mustChangePassword.
 */
export async function changeOwnPassword(db: PrismaClient, actor: Actor, rawInput: ChangeOwnPasswordInput, meta: RequestMeta = {}): Promise<void> {
  if (actor.kind !== 'user') throw new AppError('FORBIDDEN', 'Only a signed-in person can change their password');
  const input = parseInput(changeOwnPasswordInput, rawInput);
  const newHash = await hashPassword(input.newPassword);
  // Self-service on the actor's own row only: every role (VIEWER too) must be
  // able to do this, which the tenant write policies do not allow, so the
  // statement runs as system and is bound to actor.userId below.
  await inTenantTransaction(db, SYSTEM_TENANT, async (tx) => {
    const user = await tx.user.findUnique({ where: { id: actor.userId }, select: { passwordHash: true, organizationId: true } });
    if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw new AppError('INVALID', 'currentPassword: is not your current password', { field: 'currentPassword' });
    }
    await tx.user.update({ where: { id: actor.userId }, data: { passwordHash: newHash, mustChangePassword: false, passwordChangedAt: new Date() } });
    await recordAudit(tx, actor, { action: 'user.change-own-password', resource: 'User', recordId: actor.userId, organizationId: user.organizationId, before: { mustChangePassword: true }, after: { mustChangePassword: false } }, meta);
  });
}
