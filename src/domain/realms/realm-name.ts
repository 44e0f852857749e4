import type { Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';

/**
 * Realm names are unique per owner. Active realms are what people see; the
 * database's unique index (owner_id, name) also counts soft-deleted ones, so
 * such a clash gets its own message rather than a constraint error.
 */
export async function assertRealmNameFree(tx: Tx, ownerId: string, name: string, exceptRealmId?: string): Promise<void> {
  const clash = await tx.realm.findFirst({
    where: { ownerId, name, ...(exceptRealmId ? { id: { not: exceptRealmId } } : {}) },
    select: { id: true, isActive: true },
  });
  if (!clash) return;
  throw new AppError(
    'CONFLICT',
    clash.isActive ? `A realm named "${name}" already exists for this owner` : `A deleted realm of this owner still uses the name "${name}"; choose another name`,
    { field: 'name' },
  );
}

/** The clash message for a unique violation that raced past assertRealmNameFree. */
export const realmNameTaken = (name: string) => new AppError('CONFLICT', `A realm named "${name}" already exists for this owner`, { field: 'name' });
