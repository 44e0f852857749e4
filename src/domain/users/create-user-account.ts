import type { PrismaClient } from '@prisma/client';
import type { RequestMeta } from '../audit/record-audit.js';
import { hashPassword } from '../auth/password.js';
import { createRecord } from '../records/write-record.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';

/**
 * A new user by the panel's rules (the User schema, roles the actor may assign,
 * their organization), with an argon2 hash of `password`; `mustChangePassword`
 * defaults to true so the person picks their own at the first sign-in.
 */
export async function createUserAccount(db: PrismaClient, actor: Actor, input: Record<string, unknown> & { password: string }, deps: { encryptionKey: string }, meta: RequestMeta = {}) {
  const { password, ...data } = input;
  if (typeof password !== 'string' || password.length < 12 || password.length > 200) {
    throw new AppError('INVALID', 'password: 12 to 200 characters', { fields: { password: 'Must be 12 to 200 characters' } });
  }
  const passwordHash = await hashPassword(password);
  return createRecord(db, actor, 'User', { mustChangePassword: true, ...data }, {
    encryptionKey: deps.encryptionKey,
    // Set after the write rules ran: the hash is a system field nobody writes from a request.
    beforeWrite: async (_tx, checked) => {
      checked.passwordHash = passwordHash;
      checked.passwordChangedAt = new Date();
    },
  }, meta);
}
