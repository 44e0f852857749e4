import type { OrganizationType, PricingPlan } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { WRITABLE_FIELDS, scopeFor, type Operation, type ResourceName } from './permissions.js';
import { carriesOrganizationId } from './tenancy.js';

/** A Prisma `where` fragment; `null` means "nothing": the operation is denied. */
export type Where = Record<string, unknown>;

export const PLAN_ORDER: PricingPlan[] = ['FREE', 'STARTER', 'PRO', 'ENTERPRISE'];

/** Plans at or below `plan` (FREE < STARTER < PRO < ENTERPRISE). */
export function plansUpTo(plan: PricingPlan): PricingPlan[] {
  return PLAN_ORDER.slice(0, PLAN_ORDER.indexOf(plan) + 1);
}

/** System models an organization of this type and plan may use (empty target list = every type). */
export function eligibleSystemModelsWhere(org: { type: OrganizationType; pricingPlan: PricingPlan }): Where {
  return {
    organizationId: null,
    isActive: true,
    requiredPlan: { in: plansUpTo(org.pricingPlan) },
    OR: [{ organizationTypes: { isEmpty: true } }, { organizationTypes: { has: org.type } }],
  };
}

// Resources whose rows carry organization_id: the org, realm and catalog tables of
// the tenancy registry (everything tenant-owned but Organization itself).
const HAS_ORG = { has: (resource: ResourceName) => carriesOrganizationId(resource) };

function orgWhere(resource: ResourceName, op: Operation, actor: Extract<Actor, { kind: 'user' }>): Where | null {
  const orgId = actor.organizationId;
  if (!orgId) return null;
  switch (resource) {
    case 'Organization':
      return { id: orgId };
    case 'AiModel':
      if (op !== 'read') return { organizationId: orgId };
      if (!actor.org) return { organizationId: orgId };
      return { OR: [{ organizationId: orgId }, eligibleSystemModelsWhere(actor.org)] };
    case 'Agent':
      return op === 'read' ? { OR: [{ organizationId: orgId }, { organizationId: null }] } : { organizationId: orgId };
    default:
      return HAS_ORG.has(resource) ? { organizationId: orgId } : null;
  }
}

function ownWhere(resource: ResourceName, actor: Extract<Actor, { kind: 'user' }>): Where | null {
  const { userId, organizationId: orgId } = actor;
  if (!orgId) return null;
  switch (resource) {
    case 'User':
      return { id: userId, organizationId: orgId };
    case 'Organization':
      return { id: orgId };
    case 'Realm':
      return { ownerId: userId, organizationId: orgId };
    case 'ChatMessage':
      return { organizationId: orgId, session: { userId } };
    case 'Session':
      return { userId, organizationId: orgId };
    case 'QuotaCounter':
      return { organizationId: orgId, subjectType: 'USER', subjectId: userId };
    case 'AiModel': {
      // The models enabled for this user: the org's own, or system models the
      // org enabled for users and still may use, minus any disabled for them.
      const system = actor.org
        ? { AND: [eligibleSystemModelsWhere(actor.org), { access: { some: { organizationId: orgId, isEnabledForUsers: true } } }] }
        : { id: { in: [] } };
      return { isActive: true, OR: [{ organizationId: orgId }, system], userLimits: { none: { userId, isEnabled: false } } };
    }
    default:
      return HAS_ORG.has(resource) ? { organizationId: orgId, userId } : null;
  }
}

/**
 * The rows `actor` may touch with `operation` on `resource`, as a Prisma where;
 * null when denied. "Not yours" and "not found" are thereby the same answer.
 */
export function scopeWhere(actor: Actor, resource: ResourceName, operation: Operation): Where | null {
  if (actor.kind === 'system') return {};
  if (actor.kind !== 'user') return null; // API keys get their own, narrower rules in the API layer
  const scope = scopeFor(actor.role, resource, operation);
  switch (scope) {
    case 'all':
      return {};
    case 'org':
      return orgWhere(resource, operation, actor);
    case 'own':
      return ownWhere(resource, actor);
    default:
      return null;
  }
}

/** Like scopeWhere, but throws NOT_FOUND instead of returning null (for single-record operations). */
export function requireScope(actor: Actor, resource: ResourceName, operation: Operation): Where {
  const where = scopeWhere(actor, resource, operation);
  if (!where) throw new AppError('NOT_FOUND', `${resource} not found`);
  return where;
}

/** True when the actor may perform `operation` on `resource` at all. */
export function can(actor: Actor, resource: ResourceName, operation: Operation): boolean {
  return scopeWhere(actor, resource, operation) !== null;
}

// The column that names a row's owner, for resources a USER owns ('own' scope):
// the same columns ownWhere filters on.
const OWNER_FIELD: Partial<Record<ResourceName, string>> = { Realm: 'ownerId', QuotaCounter: 'subjectId' };

/**
 * Values a new or changed row must carry because of who the actor is, not
 * because of what the request says: the actor's organization for an 'org' or
 * 'own' scope, and for 'own' the actor as owner. Empty for 'all' (a superadmin
 * chooses) and for the Organization resource itself; null when denied.
 */
export function actorOwnedFields(actor: Actor, resource: ResourceName, operation: Operation): Record<string, string> | null {
  if (actor.kind === 'system') return {};
  if (actor.kind !== 'user') return null;
  const scope = scopeFor(actor.role, resource, operation);
  if (scope === 'none') return null;
  if (scope === 'all' || resource === 'Organization') return {};
  const orgId = actor.organizationId;
  if (!orgId) return null;
  if (scope === 'org') return { organizationId: orgId };
  if (resource === 'User') return { organizationId: orgId, id: actor.userId };
  return { organizationId: orgId, [OWNER_FIELD[resource] ?? 'userId']: actor.userId };
}

/**
 * True when a scope `where` admits `row`, for checks on a row already in hand.
 * Only flat equality scopes ({} or { organizationId, ... }) can be decided here;
 * anything richer fails closed.
 */
export function scopeAdmits(where: Where | null, row: Record<string, unknown>): boolean {
  if (!where) return false;
  return Object.entries(where).every(([k, v]) => (v === null || typeof v !== 'object') && row[k] === v);
}

/** True unless the matrix limits which fields `actor`'s role may write on `resource` and `field` is not among them (isWritableField adds system and secret fields). */
export function mayWriteField(actor: Actor, resource: ResourceName, field: string): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'user') return false;
  const fields = WRITABLE_FIELDS[actor.role]?.[resource];
  return !fields || fields.includes(field);
}
