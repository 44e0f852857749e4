import { Prisma, type UserRole } from '@prisma/client';
import type { Tx } from '../shared/actor-transaction.js';
import { accountUsableSql } from './account-state.js';
import type { SignInPolicy } from './sign-in-policy.js';

export interface FailureRecorded {
  attempts: number;
  /** This very failure locked the account (true for exactly one of many concurrent failures). */
  lockedNow: boolean;
}

/**
 * Counts one wrong password in one conditional UPDATE. Concurrent failures
 * queue on the row lock and each re-checks the WHERE against the row the
 * previous one left, so N parallel failures count exactly and lock once; a
 * locked or disabled account is not counted (its lock is not prolonged). A
 * lock that has expired starts the count again from 1.
 * Returns null when nothing was counted.
 */
export async function recordFailedSignIn(tx: Tx, userId: string, policy: Pick<SignInPolicy, 'maxAttempts' | 'lockoutMinutes'>): Promise<FailureRecorded | null> {
  const next = Prisma.sql`(CASE WHEN u."status" = 'LOCKED' THEN 1 ELSE u."failed_login_attempts" + 1 END)`;
  const locks = Prisma.sql`${next} >= ${policy.maxAttempts}::int`;
  const rows = await tx.$queryRaw<{ attempts: number; locked: boolean }[]>`
    UPDATE "users" AS u SET
      "failed_login_attempts" = ${next},
      "status" = CASE WHEN ${locks} THEN 'LOCKED'::"UserStatus" ELSE 'ACTIVE'::"UserStatus" END,
      "locked_until" = CASE WHEN ${locks} THEN now() + make_interval(mins => ${policy.lockoutMinutes}::int) ELSE NULL END
    WHERE u."id" = ${userId}::uuid AND ${Prisma.raw(accountUsableSql('u'))}
    RETURNING u."failed_login_attempts" AS attempts, u."status" = 'LOCKED' AS locked`;
  const row = rows[0];
  return row ? { attempts: row.attempts, lockedNow: row.locked } : null;
}

export interface SignedInRow {
  id: string;
  email: string;
  role: UserRole;
  organizationId: string | null;
  title: string;
}

/**
 * Marks a successful sign-in: resets the failure count, ends an expired lock,
 * sets lastLoginAt. Conditional on the account still being usable, so a lock
 * or a disable that landed while the password was being checked wins.
 * Returns null when it did.
 */
export async function recordSuccessfulSignIn(tx: Tx, userId: string): Promise<SignedInRow | null> {
  const rows = await tx.$queryRaw<SignedInRow[]>`
    UPDATE "users" AS u SET
      "failed_login_attempts" = 0,
      "status" = 'ACTIVE'::"UserStatus",
      "locked_until" = NULL,
      "last_login_at" = now()
    WHERE u."id" = ${userId}::uuid AND ${Prisma.raw(accountUsableSql('u'))}
    RETURNING u."id"::text AS id, u."email", u."role"::text AS role, u."organization_id"::text AS "organizationId",
              COALESCE(u."display_name", u."username") AS title`;
  return rows[0] ?? null;
}
