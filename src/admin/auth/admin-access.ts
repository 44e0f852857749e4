import type { CurrentAdmin } from 'adminjs';
import type { UserRole } from '@prisma/client';
import { can, scopeWhere, type Where } from '../../domain/access/scope.js';
import { RESOURCES, type Operation, type ResourceName } from '../../domain/access/permissions.js';
import { currentAdminRequest, type UserActor } from '../access/admin-request.js';

/**
 * The domain actor for the signed-in admin (the session's adminUser); null when
 * there is none. Inside a panel request this is the user as loaded for that
 * request (admin-tenant.ts): current role, organization type and plan, or null
 * when the user may no longer use the panel. Outside one (scripts, tests) it is
 * built from the session fields, without the organization's type and plan.
 */
export function actorFromAdmin(admin: CurrentAdmin | undefined | null): UserActor | null {
  if (!admin?.id || typeof admin.role !== 'string') return null;
  const request = currentAdminRequest();
  if (request && request.sessionUserId === String(admin.id)) return request.actor;
  return {
    kind: 'user',
    userId: String(admin.id),
    organizationId: (admin.organizationId as string | null | undefined) ?? null,
    role: admin.role as UserRole,
    email: admin.email,
  };
}

const isResource = (name: string): name is ResourceName => (RESOURCES as readonly string[]).includes(name);

/**
 * May this admin run `operation` on `resource` in the panel at all (the
 * permission matrix in src/domain/access)? Rows are narrowed separately by
 * `rowScope`; fields by src/domain/access/write-rules.ts.
 */
export function mayUse(admin: CurrentAdmin | undefined, resource: string, operation: Operation): boolean {
  const actor = actorFromAdmin(admin);
  return !!actor && isResource(resource) && can(actor, resource, operation);
}

/** The rows this admin may touch, as a Prisma where; null = none (also when nobody is signed in). */
export function rowScope(admin: CurrentAdmin | undefined, resource: string, operation: Operation): Where | null {
  const actor = actorFromAdmin(admin);
  return actor && isResource(resource) ? scopeWhere(actor, resource, operation) : null;
}
