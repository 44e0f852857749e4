import crypto from 'node:crypto';
import type { OrganizationType, PricingPlan, Prisma, PrismaClient, UserRole } from '@prisma/client';
import type { Actor } from '../../src/domain/shared/actor.js';
import { hashPassword } from '../../src/domain/auth/password.js';

// Factories write as the database owner (`db` from freshDatabase), which
// bypasses row-level security: fixtures are set up, not tested, here.

const suffix = () => crypto.randomBytes(4).toString('hex');
let cachedHash: Promise<string> | undefined;
export const TEST_PASSWORD = 'correct-horse-battery-staple';
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD));

export async function createOrg(db: PrismaClient, data: Partial<Prisma.OrganizationUncheckedCreateInput> & { type?: OrganizationType; pricingPlan?: PricingPlan } = {}) {
  return db.organization.create({ data: { name: `Org ${suffix()}`, ...data } });
}

export async function createUser(db: PrismaClient, org: { id: string } | null, role: UserRole = 'USER', data: Partial<Prisma.UserUncheckedCreateInput> = {}) {
  const s = suffix();
  return db.user.create({
    data: { organizationId: org?.id ?? null, username: `u_${s}`, email: `u_${s}@test.example`, passwordHash: await passwordHash(), role, ...data },
  });
}

/** The actor a signed-in user would be, with its organization's type and plan loaded. */
export async function actorFor(db: PrismaClient, user: { id: string; organizationId: string | null; role: UserRole; email: string }): Promise<Actor> {
  const org = user.organizationId ? await db.organization.findUnique({ where: { id: user.organizationId } }) : null;
  return { kind: 'user', userId: user.id, organizationId: user.organizationId, role: user.role, email: user.email, org: org ? { type: org.type, pricingPlan: org.pricingPlan } : null };
}

export async function createModel(db: PrismaClient, data: Partial<Prisma.AiModelUncheckedCreateInput> = {}) {
  return db.aiModel.create({ data: { name: `Model ${suffix()}`, provider: 'openai', providerModelId: 'gpt-4o-mini', role: 'Assistant', ...data } });
}
