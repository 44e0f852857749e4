import type { Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';

/**
 * Realm names are unique per owner among active realms (the partial unique
 * index realms_owner_active_name_key); a deleted realm frees its name.
 */
export async function assertRealmNameFree(tx: Tx, ownerId: string, name: string, exceptRealmId?: string): Promise<void> {
  const clash = await tx.realm.findFirst({
    where: { ownerId, name, isActive: true, ...(exceptRealmId ? { id: { not: exceptRealmId } } : {}) },
    select: { id: true },
  });
  if (clash) throw realmNameTaken(name);
}

/** The clash message for a unique violation that raced past assertRealmNameFree. */
export const realmNameTaken = (name: string) => new AppError('CONFLICT', `A realm named "${name}" already exists for this owner`, { field: 'name' });
