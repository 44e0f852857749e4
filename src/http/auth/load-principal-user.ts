import { Prisma, type OrganizationType, type PricingPlan, type PrismaClient, type UserRole } from '@prisma/client';
import { accountUsableSql, UUID_PATTERN } from '../../domain/auth/account-state.js';
import type { Actor } from '../../domain/shared/actor.js';
import { inActorTransaction } from '../../domain/shared/actor-transaction.js';

export type UserActor = Extract<Actor, { kind: 'user' }>;

export interface PrincipalUser {
  actor: UserActor;
  mustChangePassword: boolean;
}

type Row = {
  id: string;
  email: string;
  role: UserRole;
  organization_id: string | null;
  must_change_password: boolean;
  org_type: OrganizationType | null;
  org_plan: PricingPlan | null;
};

// Nobody is known until this lookup succeeds, so it reads as the system tenant.
const AUTH: Actor = { kind: 'system', reason: 'api-authentication' };

/**
 * The user as the database has them at this moment, or null when they may not
 * act (gone, disabled, locked, organization inactive). Read on every API
 * request, never cached: a disable or a role change holds on the next request.
 */
export async function loadPrincipalUser(db: PrismaClient, userId: string): Promise<PrincipalUser | null> {
  if (!UUID_PATTERN.test(userId)) return null;
  const rows = await inActorTransaction(db, AUTH, (tx) =>
    tx.$queryRaw<Row[]>`
      SELECT u."id"::text AS id, u."email", u."role", u."organization_id"::text AS organization_id, u."must_change_password",
             o."type" AS org_type, o."pricing_plan" AS org_plan
        FROM "users" AS u
        LEFT JOIN "organizations" AS o ON o."id" = u."organization_id"
       WHERE u."id" = ${userId}::uuid
         AND ${Prisma.raw(accountUsableSql('u'))}
         AND (u."organization_id" IS NULL OR o."is_active")`,
  );
  const u = rows[0];
  if (!u) return null;
  return {
    actor: {
      kind: 'user',
      userId: u.id,
      email: u.email,
      role: u.role,
      organizationId: u.organization_id,
      org: u.org_type && u.org_plan ? { type: u.org_type, pricingPlan: u.org_plan } : null,
    },
    mustChangePassword: u.must_change_password,
  };
}
