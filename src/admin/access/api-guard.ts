import { Router, type Request, type RequestHandler, type Response } from 'express';
import type AdminJS from 'adminjs';
import type { ActionDecorator, BaseResource, CurrentAdmin } from 'adminjs';
import type { Operation } from '../../domain/access/permissions.js';
import { withScopedReadCache } from './admin-request.js';
import { operationOfAction } from './guard-action.js';

type Kind = 'resource' | 'record' | 'bulk';

interface ScopedResource {
  inScope(id: string, context: { currentAdmin?: CurrentAdmin }, op: Operation): Promise<boolean>;
  countInScope(ids: string[], context: { currentAdmin?: CurrentAdmin }, op: Operation): Promise<{ found: number; asked: number }>;
}

const NOT_FOUND = { error: { code: 'NOT_FOUND', message: 'Record not found' }, notice: { message: 'Record not found', type: 'error' } };
const FORBIDDEN = { error: { code: 'FORBIDDEN', message: 'You may not do this' }, notice: { message: 'You may not do this', type: 'error' } };

/**
 * Answers the panel's API with real HTTP statuses before AdminJS sees the
 * request: 403 for an action the permission matrix does not give the role
 * (AdminJS would answer 200 with a notice, after running `before` hooks), 404
 * for a record, or any of a bulk action's records, outside the role's scope for
 * that action: exactly what a record that does not exist gets. AdminJS and the
 * resource check all of it again; this makes the answer plain and early.
 * Also refuses cross-site API calls where the browser says so (Sec-Fetch-Site):
 * AdminJS runs buttons without a form as GET requests.
 */
export function adminApiGuard(admin: AdminJS): Router {
  const router = Router();
  router.use('/api', refuseCrossSite);
  router.all('/api/resources/:resourceId/actions/:action/:query?', guard(admin, 'resource'));
  router.all('/api/resources/:resourceId/search/:query?', guard(admin, 'resource', 'search'));
  router.all('/api/resources/:resourceId/records/:recordId/:action', guard(admin, 'record'));
  router.all('/api/resources/:resourceId/bulk/:action', guard(admin, 'bulk'));
  return router;
}

const refuseCrossSite: RequestHandler = (req, res, next) => {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return void res.status(403).json(FORBIDDEN);
  next();
};

function guard(admin: AdminJS, kind: Kind, fixedAction?: string): RequestHandler {
  return async (req, res, next) => {
    try {
      const currentAdmin = req.session?.adminUser as CurrentAdmin | undefined;
      if (!currentAdmin) return next(); // AdminJS sends the user to the login page
      const resource = findResource(admin, req.params.resourceId!);
      const action = resource?.decorate().actions[fixedAction ?? req.params.action!] as ActionDecorator | undefined;
      if (!resource || !action || !ofKind(action, kind)) return notFound(res);
      if (!action.isAccessible(currentAdmin)) return void res.status(403).json(FORBIDDEN);
      const op = operationOfAction(action.name, (action as unknown as { action: Record<string, unknown> }).action);
      const scoped = resource as unknown as Partial<ScopedResource>;
      if (!scoped.inScope || !scoped.countInScope) return next();
      const check = async () => {
        if (kind === 'record' && !(await scoped.inScope!(req.params.recordId!, { currentAdmin }, op))) return notFound(res);
        if (kind === 'bulk') {
          const ids = recordIds(req);
          const { found, asked } = ids.length ? await scoped.countInScope!(ids, { currentAdmin }, op) : { found: 0, asked: 1 };
          if (found !== asked) return notFound(res);
        }
        next();
      };
      // A read action writes nothing: its record, read here, serves AdminJS's findOne and the action's
      // own check too, and the records its page refers to are read together (admin-request.ts).
      await (op === 'read' && kind !== 'bulk' ? withScopedReadCache(check) : check());
    } catch (e) {
      next(e);
    }
  };
}

function findResource(admin: AdminJS, id: string): BaseResource | null {
  try {
    return admin.findResource(id);
  } catch {
    return null;
  }
}

function ofKind(action: ActionDecorator, kind: Kind): boolean {
  return kind === 'record' ? action.isRecordType() : kind === 'bulk' ? action.isBulkType() : action.isResourceType();
}

function recordIds(req: Request): string[] {
  const raw = req.query.recordIds;
  return (typeof raw === 'string' ? raw : '').split(',').filter(Boolean);
}

function notFound(res: Response): void {
  res.status(404).json(NOT_FOUND);
}
