import { Prisma, type PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction, type Tx } from '../shared/actor-transaction.js';
import { accountUsableSql } from './account-state.js';
import { recordFailedSignIn, recordSuccessfulSignIn, type SignedInRow } from './account-lockout.js';
import { releaseIpAttempt, reserveIpAttempt } from './login-throttle.js';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { DEFAULT_SIGN_IN_POLICY, type SignInPolicy } from './sign-in-policy.js';

/** Nobody is signed in yet and users are under row-level security: sign-in reads and counts as the system. */
const SIGN_IN: Actor = { kind: 'system', reason: 'sign-in' };

const MAX_INPUT = 1024;

export interface SignInInput {
  email: unknown;
  password: unknown;
  /** The client's address as the app sees it (Express req.ip, which honours TRUST_PROXY). */
  ip: string;
}

export type SignedInUser = SignedInRow;

/** Why a sign-in failed: for logs and tests only, never for the person signing in. */
export type SignInFailure = 'invalid-input' | 'throttled' | 'unknown-user' | 'wrong-password' | 'locked' | 'inactive';

export type SignInResult =
  | { ok: true; user: SignedInUser }
  | { ok: false; reason: SignInFailure; /** this failure locked the account */ lockedNow?: boolean };

interface UserRow {
  id: string;
  passwordHash: string;
  status: 'ACTIVE' | 'INACTIVE' | 'LOCKED';
  usable: boolean;
}

/**
 * Email + password sign-in. Every path, whatever the outcome (unknown email,
 * wrong password, locked or disabled account, throttled IP, empty form), runs
 * exactly one argon2 verify and answers the same failure to the caller, so
 * neither the message nor the timing tells which emails exist or which are
 * locked. The per-IP slot is taken before the verify (one UPSERT), the
 * account's failure counted after it (one conditional UPDATE): see
 * login-throttle.ts and account-lockout.ts.
 */
export async function signIn(db: PrismaClient, input: SignInInput, policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY): Promise<SignInResult> {
  const email = typeof input.email === 'string' ? input.email.trim() : '';
  const password = typeof input.password === 'string' ? input.password : '';
  const wellFormed = email !== '' && password !== '' && email.length <= MAX_INPUT && password.length <= MAX_INPUT;
  // Attempts from one IP queue on its throttle row: a burst of them on a busy machine may wait for a
  // connection longer than Prisma's default 2 s, and must still get its answer rather than an error.
  const sys = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => inActorTransaction(db, SIGN_IN, fn, { maxWait: 10_000 });

  const allowed = await sys((tx) => reserveIpAttempt(tx, input.ip, policy));
  const user = allowed && wellFormed ? await findUser(db, email) : null;
  // The one verify of this attempt. A decoy when there is nothing real to check;
  // an over-long password is cut so it costs what any other does.
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password.slice(0, MAX_INPUT));

  if (!allowed) return { ok: false, reason: 'throttled' };
  if (!wellFormed) return { ok: false, reason: 'invalid-input' };
  if (!user) return { ok: false, reason: 'unknown-user' };
  if (user.status === 'INACTIVE') return { ok: false, reason: 'inactive' };
  if (!user.usable) return { ok: false, reason: 'locked' };
  if (!passwordOk) {
    const counted = await sys((tx) => recordFailedSignIn(tx, user.id, policy));
    // Not counted: the account was locked or disabled meanwhile.
    return counted ? { ok: false, reason: 'wrong-password', lockedNow: counted.lockedNow } : { ok: false, reason: 'locked' };
  }

  const signedIn = await sys(async (tx) => {
    const row = await recordSuccessfulSignIn(tx, user.id);
    if (row) await releaseIpAttempt(tx, input.ip);
    return row;
  });
  if (!signedIn) return { ok: false, reason: 'locked' };
  if (needsRehash(user.passwordHash)) {
    const passwordHash = await hashPassword(password);
    // Same password, stronger hash: not a password change, so no session ends
    // (app.rehash, read by the trigger of migration 0006_hardening_values), and
    // only if nobody changed the password meanwhile.
    await sys(async (tx) => {
      await tx.$executeRaw`SELECT set_config('app.rehash', 'on', true)`;
      await tx.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash } });
    });
  }
  return { ok: true, user: signedIn };
}

async function findUser(db: PrismaClient, email: string): Promise<UserRow | null> {
  const rows = await inActorTransaction(db, SIGN_IN, (tx) =>
    tx.$queryRaw<UserRow[]>`
      SELECT u."id"::text AS id, u."password_hash" AS "passwordHash", u."status"::text AS status,
             ${Prisma.raw(accountUsableSql('u'))} AS usable
      FROM "users" AS u WHERE u."email" = ${email}`,
  );
  return rows[0] ?? null;
}
