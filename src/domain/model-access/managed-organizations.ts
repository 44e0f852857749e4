import type { Operation } from '../access/permissions.js';
import { requireScope, scopeWhere } from '../access/scope.js';
import { scopeAdmits } from '../access/scope.js';
import type { Actor } from '../shared/actor.js';
import type { Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';

export const MODEL_FIELDS = {
  id: true, organizationId: true, name: true, description: true, provider: true, role: true, icon: true, isActive: true,
  organizationTypes: true, requiredPlan: true, isFree: true, isTrial: true, trialDays: true, tokenLimitPeriod: true,
  tokenLimitAmount: true, isFeatured: true, sortOrder: true,
} as const;

/**
 * The organizations among `ids` whose model access `actor` may `op`: each must
 * be visible and admitted by the OrganizationModelAccess scope, or the whole
 * request is NOT_FOUND ("not yours" = "not found").
 */
export async function managedOrganizations(tx: Tx, actor: Actor, ids: string[], op: Operation) {
  const accessScope = requireScope(actor, 'OrganizationModelAccess', op);
  const orgs = await tx.organization.findMany({
    where: { AND: [{ id: { in: ids } }, requireScope(actor, 'Organization', 'read')] },
    select: { id: true, name: true, type: true, pricingPlan: true, isActive: true },
  });
  const ok = new Set(orgs.filter((o) => scopeAdmits(accessScope, { organizationId: o.id })).map((o) => o.id));
  const missing = ids.filter((id) => !ok.has(id));
  if (missing.length) throw new AppError('NOT_FOUND', ids.length === 1 ? 'Organization not found' : 'Some organizations were not found', { missing });
  return orgs;
}

/** True when the actor may also change access (for read-only screens). */
export const canManageModelAccess = (actor: Actor) => scopeWhere(actor, 'OrganizationModelAccess', 'update') !== null;
