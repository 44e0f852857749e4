import type { RequestHandler } from 'express';
import { withTenant } from '../../db/tenant-context.js';

/**
 * Runs the rest of the request as the signed-in admin's tenant, so that
 * row-level security scopes every query the panel makes (src/db/tenant-context.ts).
 * Mount it after the body parser: callbacks of a request stream do not carry the
 * AsyncLocalStorage context of the middleware that started reading it.
 */
export function adminTenant(): RequestHandler {
  return (req, _res, next) => {
    const user = req.session?.adminUser;
    if (!user) return next(); // no tenant: the policies show nothing, and AdminJS sends the user to /login
    withTenant({ role: user.role, orgId: user.organizationId, userId: user.id }, () => next());
  };
}
