import type { PrismaClient } from '@prisma/client';
import { signIn, type SignInFailure } from '../auth/sign-in.js';
import type { SignInPolicy } from '../auth/sign-in-policy.js';
import type { RequestMeta } from '../audit/record-audit.js';
import { recordAudit } from '../audit/record-audit.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { startTokenSession, type IssuedRefreshToken, type TokenSessionDeps } from './token-sessions.js';

export interface TokenSignIn extends IssuedRefreshToken {
  mustChangePassword: boolean;
}

/**
 * Email + password for an API token session, by the panel's sign-in rules
 * (src/domain/auth/sign-in.ts: one argon2 verify on every path, per-account
 * lockout, per-IP throttle). Every failure but the IP block is the same 401;
 * a blocked IP gets 429 RATE_LIMITED. `onFailure` sees the real reason (metrics).
 */
export async function signInForToken(
  db: PrismaClient,
  input: { email: string; password: string; ip: string },
  policy: SignInPolicy,
  deps: TokenSessionDeps,
  meta: RequestMeta = {},
  onFailure?: (reason: SignInFailure) => void,
): Promise<TokenSignIn> {
  const result = await signIn(db, input, policy);
  if (!result.ok) {
    onFailure?.(result.reason);
    if (result.reason === 'throttled') {
      throw new AppError('RATE_LIMITED', 'Too many failed sign-ins from this address; try again later', { retryAfterSeconds: policy.ipBlockMinutes * 60 });
    }
    throw new AppError('UNAUTHENTICATED', 'Invalid email or password');
  }
  const issued = await startTokenSession(db, result.user.id, deps, meta);
  const actor = { kind: 'user' as const, userId: result.user.id, organizationId: result.user.organizationId, role: result.user.role, email: result.user.email };
  const mustChangePassword = await inActorTransaction(db, { kind: 'system', reason: 'api-sign-in' }, async (tx) => {
    await recordAudit(tx, actor, { action: 'api-token.sign-in', resource: 'User', recordId: result.user.id, after: { familyId: issued.familyId } }, meta);
    const row = await tx.user.findUnique({ where: { id: result.user.id }, select: { mustChangePassword: true } });
    return row?.mustChangePassword ?? false;
  });
  return { ...issued, mustChangePassword };
}
