import type { PrismaClient } from '@prisma/client';
import type { Logger } from '../../logger.js';
import { signIn } from '../../domain/auth/sign-in.js';
import type { SignInPolicy } from '../../domain/auth/sign-in-policy.js';
import type { AdminSessionUser } from './admin-session.js';

export interface AdminCredentials {
  email: unknown;
  password: unknown;
  ip: string;
}

/**
 * The panel's sign-in: the domain's rules (src/domain/auth/sign-in.ts: lockout,
 * per-IP throttle, one argon2 verify on every path) adapted to the session's
 * user. Null for every kind of failure; the reason goes to the log only.
 */
export async function authenticateAdmin(db: PrismaClient, policy: SignInPolicy, credentials: AdminCredentials, log?: Logger, onFailure?: (reason: string) => void): Promise<AdminSessionUser | null> {
  const result = await signIn(db, credentials, policy);
  if (!result.ok) {
    onFailure?.(result.reason);
    // No email in the log: a password typed into the email field would land there.
    log?.info({ reason: result.reason, lockedNow: result.lockedNow ?? false, ip: credentials.ip }, 'admin sign-in refused');
    return null;
  }
  const { id, email, role, organizationId, title } = result.user;
  log?.info({ userId: id, ip: credentials.ip }, 'admin signed in');
  return { id, email, role, organizationId, title };
}
