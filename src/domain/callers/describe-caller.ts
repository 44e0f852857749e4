import type { OrganizationType, PricingPlan, PrismaClient, UserRole } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';

export interface CallerDescription {
  user: { id: string; email: string; username: string; displayName: string | null; role: UserRole } | null;
  organization: { id: string; name: string; type: OrganizationType; pricingPlan: PricingPlan } | null;
  apiKey: { id: string; name: string; prefix: string; scopes: string[]; realmId: string | null; expiresAt: Date | null } | null;
}

/** Who `actor` is, as the database has it now: user, organization and, when acting through one, the API key. */
export async function describeCaller(db: PrismaClient, actor: Actor): Promise<CallerDescription> {
  if (actor.kind === 'system') return { user: null, organization: null, apiKey: null };
  const userId = actor.userId;
  const apiKeyId = actor.kind === 'api-key' ? actor.apiKeyId : actor.apiKeyId;
  return inActorTransaction(db, actor, async (tx) => {
    // One after another: queries of one transaction share its connection.
    const user = userId ? await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, username: true, displayName: true, role: true } }) : null;
    const organization = actor.organizationId
      ? await tx.organization.findUnique({ where: { id: actor.organizationId }, select: { id: true, name: true, type: true, pricingPlan: true } })
      : null;
    const apiKey = apiKeyId ? await tx.apiKey.findUnique({ where: { id: apiKeyId }, select: { id: true, name: true, prefix: true, scopes: true, realmId: true, expiresAt: true } }) : null;
    return { user, organization, apiKey };
  });
}
