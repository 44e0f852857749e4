import crypto from 'node:crypto';
import { Prisma, type PrismaClient } from '@prisma/client';
import { accountUsableSql } from '../auth/account-state.js';
import type { RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction, type Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { generateRefreshToken, hashRefreshToken, isWellFormedRefreshToken } from './refresh-token-secret.js';

// Refresh tokens are looked up by their secret, before anyone is known.
const TOKENS: Actor = { kind: 'system', reason: 'api-refresh-tokens' };

export interface TokenSessionDeps {
  pepper: string;
  refreshDays: number;
}

export interface IssuedRefreshToken {
  userId: string;
  familyId: string;
  refreshToken: string;
  expiresAt: Date;
}

const refused = () => new AppError('UNAUTHENTICATED', 'Invalid or expired refresh token');

async function insertToken(tx: Tx, userId: string, familyId: string, deps: TokenSessionDeps, meta: RequestMeta): Promise<IssuedRefreshToken & { id: string }> {
  const refreshToken = generateRefreshToken();
  const expiresAt = new Date(Date.now() + deps.refreshDays * 86_400_000);
  const row = await tx.apiRefreshToken.create({
    data: { userId, familyId, tokenHash: hashRefreshToken(deps.pepper, refreshToken), expiresAt, ip: meta.ip?.slice(0, 64) ?? null, userAgent: meta.userAgent ?? null },
    select: { id: true },
  });
  return { id: row.id, userId, familyId, refreshToken, expiresAt };
}

/** A new sign-in (token family) for a user who just proved their password; the token is returned once, stored as an HMAC. */
export async function startTokenSession(db: PrismaClient, userId: string, deps: TokenSessionDeps, meta: RequestMeta = {}): Promise<IssuedRefreshToken> {
  return inActorTransaction(db, TOKENS, async (tx) => {
    const { id: _id, ...issued } = await insertToken(tx, userId, crypto.randomUUID(), deps, meta);
    return issued;
  });
}

/**
 * Trades a live refresh token for a new one of the same family, once: the
 * old token is spent by one conditional UPDATE, so two concurrent refreshes
 * with one token yield one new token. Presenting a spent token again means it
 * leaked: the whole family is revoked. The user must still be able to sign in.
 */
export async function rotateRefreshToken(db: PrismaClient, token: unknown, deps: TokenSessionDeps, meta: RequestMeta = {}): Promise<IssuedRefreshToken & { mustChangePassword: boolean }> {
  if (!isWellFormedRefreshToken(token)) throw refused();
  const hash = hashRefreshToken(deps.pepper, token);
  const outcome = await inActorTransaction(db, TOKENS, async (tx) => {
    const spent = await tx.$queryRaw<{ id: string; user_id: string; family_id: string; usable: boolean; must_change_password: boolean }[]>`
      UPDATE "api_refresh_tokens" AS t SET "revoked_at" = now()
        FROM "users" AS u
       WHERE t."token_hash" = ${hash} AND t."revoked_at" IS NULL AND t."expires_at" > now() AND u."id" = t."user_id"
      RETURNING t."id"::text AS id, t."user_id"::text AS user_id, t."family_id"::text AS family_id, ${Prisma.raw(accountUsableSql('u'))} AS usable, u."must_change_password"`;
    const old = spent[0];
    if (!old) {
      // Reuse of a rotated token: end that sign-in everywhere.
      await tx.$executeRaw`
        UPDATE "api_refresh_tokens" SET "revoked_at" = now()
         WHERE "family_id" = (SELECT "family_id" FROM "api_refresh_tokens" WHERE "token_hash" = ${hash}) AND "revoked_at" IS NULL`;
      return null;
    }
    if (!old.usable) return null;
    const next = await insertToken(tx, old.user_id, old.family_id, deps, meta);
    await tx.apiRefreshToken.update({ where: { id: old.id }, data: { replacedById: next.id } });
    const { id: _id, ...issued } = next;
    return { ...issued, mustChangePassword: old.must_change_password };
  });
  if (!outcome) throw refused();
  return outcome;
}

/** Ends the sign-in a refresh token belongs to (every token of its family, and so its access tokens). Unknown tokens: nothing happens. */
export async function revokeTokenFamily(db: PrismaClient, token: unknown, deps: Pick<TokenSessionDeps, 'pepper'>): Promise<{ revoked: number }> {
  if (!isWellFormedRefreshToken(token)) return { revoked: 0 };
  const hash = hashRefreshToken(deps.pepper, token);
  const revoked = await inActorTransaction(db, TOKENS, (tx) =>
    tx.$executeRaw`
      UPDATE "api_refresh_tokens" SET "revoked_at" = now()
       WHERE "family_id" = (SELECT "family_id" FROM "api_refresh_tokens" WHERE "token_hash" = ${hash}) AND "revoked_at" IS NULL`,
  );
  return { revoked };
}

/** Ends one sign-in by its family id (logout with an access token). */
export async function revokeTokenFamilyById(db: PrismaClient, userId: string, familyId: string): Promise<number> {
  return inActorTransaction(db, TOKENS, (tx) =>
    tx.$executeRaw`UPDATE "api_refresh_tokens" SET "revoked_at" = now() WHERE "family_id" = ${familyId}::uuid AND "user_id" = ${userId}::uuid AND "revoked_at" IS NULL`,
  );
}
