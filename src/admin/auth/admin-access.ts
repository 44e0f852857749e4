import type { CurrentAdmin } from 'adminjs';
import type { UserRole } from '@prisma/client';
import type { Actor } from '../../domain/shared/actor.js';
import { can, scopeWhere, type Where } from '../../domain/access/scope.js';
import type { Operation, ResourceName } from '../../domain/access/permissions.js';

type UserActor = Extract<Actor, { kind: 'user' }>;

/** The domain actor for the signed-in admin (the session's adminUser); null when there is none. */
export function actorFromAdmin(admin: CurrentAdmin | undefined | null): UserActor | null {
  if (!admin?.id || typeof admin.role !== 'string') return null;
  return {
    kind: 'user',
    userId: String(admin.id),
    organizationId: (admin.organizationId as string | null | undefined) ?? null,
    role: admin.role as UserRole,
    email: admin.email,
  };
}

/**
 * May this admin run `operation` on `resource` in the panel at all (the
 * permission matrix in src/domain/access)? Rows are narrowed separately by
 * `rowScope`. Writes stay with superadmins until the panel enforces the field
 * rules for org-scoped writers (WRITABLE_FIELDS, ASSIGNABLE_ROLES, tenancy
 * keys from the actor): without them an org ADMIN could, say, make a SUPERADMIN.
 */
export function mayUse(admin: CurrentAdmin | undefined, resource: string, operation: Operation): boolean {
  const actor = actorFromAdmin(admin);
  if (!actor || !can(actor, resource as ResourceName, operation)) return false;
  return operation === 'read' || actor.role === 'SUPERADMIN';
}

/** The rows this admin may touch, as a Prisma where; null = none (also when nobody is signed in). */
export function rowScope(admin: CurrentAdmin | undefined, resource: string, operation: Operation): Where | null {
  const actor = actorFromAdmin(admin);
  return actor ? scopeWhere(actor, resource as ResourceName, operation) : null;
}
