import { WRITABLE_FIELDS, type ResourceName } from '../access/permissions.js';
import type { Where } from '../access/scope.js';
import type { Actor } from '../shared/actor.js';

// Two small readers of the permission matrix for checks on a row already in
// hand. They belong next to scopeWhere in src/domain/access/scope.ts; they live
// here until that file's owner takes them.

/**
 * True when a scope `where` admits `row`. Scopes here are flat equality filters
 * ({} or { organizationId, ... }); anything else fails closed.
 */
export function scopeAdmits(where: Where | null, row: Record<string, unknown>): boolean {
  if (!where) return false;
  return Object.entries(where).every(([k, v]) => (v === null || typeof v !== 'object') && row[k] === v);
}

/** True unless the matrix limits which fields `actor`'s role may write on `resource` and `field` is not among them. */
export function mayWriteField(actor: Actor, resource: ResourceName, field: string): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'user') return false;
  const fields = WRITABLE_FIELDS[actor.role]?.[resource];
  return !fields || fields.includes(field);
}
