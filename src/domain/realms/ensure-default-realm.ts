import type { Realm } from '@prisma/client';
import type { Tx } from '../shared/actor-transaction.js';

export const DEFAULT_REALM_NAME = 'Default';
export const DEFAULT_REALM_DESCRIPTION = 'Default workspace';

/**
 * The owner's default realm, created if missing. Safe under concurrency: the
 * partial unique index realms_one_default_per_owner admits one default per
 * owner, so racing callers all end up with the same row.
 */
export async function ensureDefaultRealm(tx: Tx, owner: { id: string; organizationId: string }, extra: { createdByMigrationRunId?: string } = {}): Promise<{ realm: Realm; created: boolean }> {
  const existing = await tx.realm.findFirst({ where: { ownerId: owner.id, isDefault: true } });
  if (existing) return { realm: existing, created: false };
  // A non-default realm may already be called "Default"; pick the first free name.
  for (const name of [DEFAULT_REALM_NAME, `${DEFAULT_REALM_NAME} realm`, `${DEFAULT_REALM_NAME} (${owner.id.slice(0, 8)})`]) {
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO realms (organization_id, owner_id, name, description, is_default, created_by_migration_run_id)
      VALUES (${owner.organizationId}::uuid, ${owner.id}::uuid, ${name}, ${DEFAULT_REALM_DESCRIPTION}, true, ${extra.createdByMigrationRunId ?? null}::uuid)
      ON CONFLICT DO NOTHING
      RETURNING id`;
    const realm = await tx.realm.findFirst({ where: { ownerId: owner.id, isDefault: true } });
    if (realm) return { realm, created: inserted.length > 0 };
  }
  throw new Error(`could not create a default realm for user ${owner.id}`);
}
