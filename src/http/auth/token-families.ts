import type { PrismaClient } from '@prisma/client';
import { UUID_PATTERN } from '../../domain/auth/account-state.js';
import type { Actor } from '../../domain/shared/actor.js';
import { inActorTransaction } from '../../domain/shared/actor-transaction.js';

const AUTH: Actor = { kind: 'system', reason: 'api-authentication' };

/**
 * True while the sign-in (refresh-token family) an access token belongs to
 * still has a live token: logout, a password change, a disable or lock end it
 * (migration 0007_api), and the access tokens of that sign-in with it.
 */
export async function isSessionTokenFamilyActive(db: PrismaClient, userId: string, familyId: string): Promise<boolean> {
  if (!UUID_PATTERN.test(familyId) || !UUID_PATTERN.test(userId)) return false;
  const rows = await inActorTransaction(db, AUTH, (tx) =>
    tx.$queryRaw<{ ok: boolean }[]>`
      SELECT EXISTS (
        SELECT 1 FROM "api_refresh_tokens"
         WHERE "family_id" = ${familyId}::uuid AND "user_id" = ${userId}::uuid AND "revoked_at" IS NULL AND "expires_at" > now()
      ) AS ok`,
  );
  return rows[0]?.ok === true;
}
