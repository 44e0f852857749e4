import type { PrismaClient, UserRole } from '@prisma/client';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from '../../domain/auth/password.js';
import { SYSTEM_TENANT, withTenant } from '../../db/tenant-context.js';
import type { AdminSessionUser } from './admin-session.js';

const PANEL_ROLES: readonly UserRole[] = ['SUPERADMIN', 'ADMIN', 'USER', 'VIEWER'];
const MAX_INPUT = 1024;

/**
 * Email + password sign-in for the panel: an unknown email still costs one argon2
 * verify (against a decoy hash) so timing does not reveal which emails exist.
 * Only ACTIVE users in a panel role pass. Records lastLoginAt on success and
 * counts failed attempts; lockout after N failures is a later issue.
 * Runs as the 'system' tenant: nobody is signed in yet, and the users table is
 * under row-level security.
 * TODO(issue: lockout): move to src/domain/auth with the lockout and throttle rules.
 */
export function authenticateAdmin(db: PrismaClient, emailInput: unknown, passwordInput: unknown): Promise<AdminSessionUser | null> {
  return withTenant(SYSTEM_TENANT, () => signIn(db, emailInput, passwordInput));
}

async function signIn(db: PrismaClient, emailInput: unknown, passwordInput: unknown): Promise<AdminSessionUser | null> {
  const email = typeof emailInput === 'string' ? emailInput.trim() : '';
  const password = typeof passwordInput === 'string' ? passwordInput : '';
  if (!email || !password || email.length > MAX_INPUT || password.length > MAX_INPUT) return null;

  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, username: true, displayName: true, role: true, status: true, organizationId: true, passwordHash: true, lockedUntil: true },
  });
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
  if (!user) return null;
  if (!passwordOk) {
    await db.user.update({ where: { id: user.id }, data: { failedLoginAttempts: { increment: 1 } } });
    return null;
  }
  const locked = user.lockedUntil !== null && user.lockedUntil > new Date();
  if (user.status !== 'ACTIVE' || locked || !PANEL_ROLES.includes(user.role)) return null;

  await db.user.update({
    where: { id: user.id },
    data: {
      lastLoginAt: new Date(),
      failedLoginAttempts: 0,
      ...(needsRehash(user.passwordHash) ? { passwordHash: await hashPassword(password) } : {}),
    },
  });
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    organizationId: user.organizationId,
    title: user.displayName ?? user.username,
  };
}
