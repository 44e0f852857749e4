import crypto from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import type { z } from 'zod';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import { hashPassword } from '../auth/password.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { parseInput } from '../shared/parse-input.js';
import { endSessionsOf, loadManageableUser, toSafeUser, userIdInput, type SafeUser } from './manageable-user.js';

export type SetTemporaryPasswordInput = z.input<typeof userIdInput>;

// No look-alikes (0/O, 1/l/I): the password is read off a screen and typed.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const LENGTH = 20; // 20 × log2(57) ≈ 117 bits

/** A random password from the CSPRNG, without modulo bias. */
export function generateTemporaryPassword(): string {
  let out = '';
  while (out.length < LENGTH) {
    for (const b of crypto.randomBytes(LENGTH)) {
      if (b < 256 - (256 % ALPHABET.length) && out.length < LENGTH) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return `${out.slice(0, 5)}-${out.slice(5, 10)}-${out.slice(10, 15)}-${out.slice(15)}`;
}

/**
 * Gives a user a generated password, returned exactly once (only its argon2id
 * hash is stored), that must be changed at next sign-in; their sessions end in
 * the same transaction. Nobody sets their own temporary password.
 */
export async function setTemporaryPassword(db: PrismaClient, actor: Actor, rawInput: SetTemporaryPasswordInput, meta: RequestMeta = {}): Promise<{ user: SafeUser; password: string; sessionsEnded: number }> {
  const input = parseInput(userIdInput, rawInput);
  const password = generateTemporaryPassword();
  const passwordHash = await hashPassword(password); // ~100 ms: outside the transaction
  const result = await inActorTransaction(db, actor, async (tx) => {
    const before = await loadManageableUser(tx, actor, input.userId, 'password', 'set a temporary password for');
    // Counted before the update, whose trigger (migration 0006_hardening_values) ends any that remain.
    const sessionsEnded = await endSessionsOf(tx, actor, before.id);
    const after = await tx.user.update({ where: { id: before.id }, data: { passwordHash, mustChangePassword: true, passwordChangedAt: new Date() } });
    await recordAudit(tx, actor, { action: 'user.temporary-password', resource: 'User', recordId: before.id, organizationId: before.organizationId, before: toSafeUser(before), after: { ...toSafeUser(after), sessionsEnded } }, meta);
    return { user: toSafeUser(after), sessionsEnded };
  });
  return { ...result, password };
}
