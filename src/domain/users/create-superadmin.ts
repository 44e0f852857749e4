import crypto from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { hashPassword } from '../auth/password.js';
import { recordAudit } from '../audit/record-audit.js';
import { asSystem } from '../seed/system-transaction.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { generateTemporaryPassword } from './set-temporary-password.js';

export const createSuperadminInput = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  /** Omitted: a generated one, returned once, to be changed at the first sign-in. */
  password: z.string().min(12).max(200).optional(),
});

/** A platform superadmin (no organization), for operators at the command line; refuses an email already in use. */
export async function createSuperadmin(db: PrismaClient, actor: Actor, rawInput: z.input<typeof createSuperadminInput>) {
  if (actor.kind !== 'system') throw new AppError('FORBIDDEN', 'Superadmins are created by operators (the CLI) only');
  const input = parseInput(createSuperadminInput, rawInput);
  const password = input.password ?? generateTemporaryPassword();
  const passwordHash = await hashPassword(password);
  const username = `${input.email.split('@')[0]!.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40) || 'admin'}-${crypto.randomBytes(3).toString('hex')}`;
  return asSystem(db, async (tx) => {
    if (await tx.user.findFirst({ where: { email: { equals: input.email, mode: 'insensitive' } }, select: { id: true } })) {
      throw new AppError('CONFLICT', `A user with the email ${input.email} already exists`);
    }
    const user = await tx.user.create({
      data: { email: input.email, username, role: 'SUPERADMIN', organizationId: null, passwordHash, passwordChangedAt: new Date(), mustChangePassword: !input.password },
      select: { id: true, email: true, username: true, role: true, mustChangePassword: true },
    });
    await recordAudit(tx, actor, { action: 'user.create-superadmin', resource: 'User', recordId: user.id, organizationId: null, after: user });
    return { user, password: input.password ? undefined : password };
  });
}
