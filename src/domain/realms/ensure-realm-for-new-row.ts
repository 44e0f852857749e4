import type { Realm } from '@prisma/client';
import { requireScope } from '../access/scope.js';
import type { Actor } from '../shared/actor.js';
import type { Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { designatedOrgAdmin } from './designated-org-admin.js';
import { ensureDefaultRealm } from './ensure-default-realm.js';

export interface RealmForNewRowInput {
  /** The user who will own the row. */
  ownerId?: string;
  /** For rows without an owning user: the organization they belong to. */
  organizationId?: string;
  /** An explicit realm; default: the owner's (or the organization's designated admin's) default realm. */
  realmId?: string;
}

/**
 * The realm a new realm-scoped row must land in: the given realm if it is an
 * active realm of that owner (or organization), else the owner's default realm,
 * created on demand. Call inside the transaction that inserts the row: an
 * explicit realm is share-locked there, so deleteRealm cannot deactivate it
 * before the row commits.
 */
export async function ensureRealmForNewRow(tx: Tx, actor: Actor, input: RealmForNewRowInput): Promise<Realm> {
  let owner: { id: string; organizationId: string } | null;
  if (input.ownerId) {
    const user = await tx.user.findFirst({ where: { AND: [{ id: input.ownerId }, requireScope(actor, 'User', 'read')] }, select: { id: true, organizationId: true } });
    if (!user?.organizationId) throw new AppError('NOT_FOUND', 'User not found', { field: 'userId' });
    owner = { id: user.id, organizationId: user.organizationId };
  } else if (input.organizationId) {
    const org = await tx.organization.findFirst({ where: { AND: [{ id: input.organizationId }, requireScope(actor, 'Organization', 'read')] }, select: { id: true } });
    if (!org) throw new AppError('NOT_FOUND', 'Organization not found', { field: 'organizationId' });
    owner = null;
  } else {
    throw new AppError('INVALID', 'A new row needs an owner or an organization', { field: 'userId' });
  }
  const organizationId = owner?.organizationId ?? input.organizationId!;

  if (input.realmId) {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM realms WHERE id = ${input.realmId}::uuid AND is_active AND organization_id = ${organizationId}::uuid FOR SHARE`;
    const realm = locked.length
      ? await tx.realm.findFirst({ where: { AND: [{ id: input.realmId, organizationId, ...(owner ? { ownerId: owner.id } : {}) }, requireScope(actor, 'Realm', 'read')] } })
      : null;
    if (!realm) throw new AppError('NOT_FOUND', owner ? "Realm not found among the owner's active realms" : "Realm not found among the organization's active realms", { field: 'realmId' });
    return realm;
  }

  const target = owner ?? (await designatedOrgAdmin(tx, organizationId));
  if (!target) throw new AppError('CONFLICT', 'The organization has no admin to own its default realm; give the row an owner or a realm', { field: 'realmId' });
  const { realm } = await ensureDefaultRealm(tx, target);
  if (!realm.isActive) throw new AppError('CONFLICT', 'The default realm is deactivated; reactivate it or pick a realm', { field: 'realmId' });
  return realm;
}
