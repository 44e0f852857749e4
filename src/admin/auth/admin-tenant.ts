import type { RequestHandler } from 'express';
import type { OrganizationType, PricingPlan, PrismaClient } from '@prisma/client';
import { withTenant, type TenantContext } from '../../db/tenant-context.js';
import { runAdminRequest, type UserActor } from '../access/admin-request.js';

const MAX_USER_AGENT = 512;
// The bundles AdminJS serves carry nothing of the user's: no query for them.
const ASSET_PATH = /^\/frontend\/assets\//;

/**
 * Runs the rest of the request as the signed-in admin's tenant, so that
 * row-level security scopes every query the panel makes (src/db/tenant-context.ts),
 * and builds the request's actor once: the session user with their organization's
 * type and plan, on which model eligibility depends (src/domain/access/scope.ts),
 * both re-read on this request by the session guard in one query (admin-session.ts).
 * Mount it after the body parser: callbacks of a request stream do not carry the
 * AsyncLocalStorage context of the middleware that started reading it.
 */
export function adminTenant(db: PrismaClient): RequestHandler {
  return (req, _res, next) => {
    const user = req.session?.adminUser;
    if (!user) return next(); // no tenant: the policies show nothing, and AdminJS sends the user to /login
    const tenant: TenantContext = { role: user.role, orgId: user.organizationId, userId: user.id };
    const meta = { ip: req.ip ?? null, userAgent: (req.get('user-agent') ?? '').slice(0, MAX_USER_AGENT) || null };
    // The session guard read the organization with the user; otherwise (a bundle) it is read here.
    const org =
      req.sessionOrg !== undefined || !user.organizationId || ASSET_PATH.test(req.path)
        ? Promise.resolve(req.sessionOrg ?? null)
        : withTenant(tenant, () => loadOrg(db, user.organizationId!));
    org.then((found) => {
      const actor: UserActor = { kind: 'user', userId: user.id, organizationId: user.organizationId, role: user.role, email: user.email, org: found };
      withTenant(tenant, () => runAdminRequest({ sessionUserId: user.id, actor, meta }, next));
    }, next);
  };
}

// Async so the query starts inside withTenant: a Prisma query runs when first awaited, in the context of that moment.
async function loadOrg(db: PrismaClient, id: string): Promise<{ type: OrganizationType; pricingPlan: PricingPlan } | null> {
  return await db.organization.findUnique({ where: { id }, select: { type: true, pricingPlan: true } });
}
