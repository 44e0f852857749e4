import type { User } from '@prisma/client';
import { z } from 'zod';
import { ASSIGNABLE_ROLES } from '../access/permissions.js';
import { mayWriteField, requireScope } from '../access/scope.js';
import type { Actor } from '../shared/actor.js';
import type { Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';

export const userIdInput = z.object({ userId: z.string().uuid() });

/** A user as it may leave the server: everything but the password hash. */
export type SafeUser = Omit<User, 'passwordHash'>;
export function toSafeUser(user: User): SafeUser {
  const { passwordHash: _hash, ...safe } = user;
  return safe;
}

/**
 * The user `actor` may act on as an administrator, locked for this
 * transaction: in scope for User update (an ADMIN: their organization only),
 * of a role the actor could assign (never a SUPERADMIN for an ADMIN), with the
 * right to write `field`, and not the actor themselves.
 */
export async function loadManageableUser(tx: Tx, actor: Actor, userId: string, field: 'status' | 'password', verb: string): Promise<User> {
  const scope = requireScope(actor, 'User', 'update');
  const user = await tx.user.findFirst({ where: { AND: [{ id: userId }, scope] } });
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  if (actor.kind === 'user') {
    if (actor.userId === user.id) throw new AppError('FORBIDDEN', `You cannot ${verb} yourself`);
    if (!ASSIGNABLE_ROLES[actor.role].includes(user.role)) throw new AppError('FORBIDDEN', `You cannot ${verb} a ${user.role.toLowerCase()}`);
  }
  if (!mayWriteField(actor, 'User', field)) throw new AppError('FORBIDDEN', `You cannot ${verb} users`);
  // Serialize with concurrent admin actions on the same user (lock vs unlock).
  await tx.$executeRaw`SELECT 1 FROM users WHERE id = ${user.id}::uuid FOR UPDATE`;
  return (await tx.user.findUnique({ where: { id: user.id } }))!;
}

/** Ends every panel session of `userId` the actor may end; returns how many. */
export async function endSessionsOf(tx: Tx, actor: Actor, userId: string): Promise<number> {
  const scope = requireScope(actor, 'Session', 'delete');
  const { count } = await tx.session.deleteMany({ where: { AND: [{ userId }, scope] } });
  return count;
}
