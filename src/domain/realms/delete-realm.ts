import type { PrismaClient, Realm } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { realmDataCounts } from './realm-data-counts.js';
import { sumCounts } from './realm-kinds.js';

export const deleteRealmInput = z.object({ realmId: z.string().uuid() });

/**
 * Soft-deletes (isActive = false) an empty, non-default realm in scope. The
 * realm row is locked FOR UPDATE first, which waits for any transaction adding
 * a row to it (the foreign key takes a share lock), so "empty" stays true.
 */
export async function deleteRealm(db: PrismaClient, actor: Actor, rawInput: z.input<typeof deleteRealmInput>, meta: RequestMeta = {}): Promise<Realm> {
  const input = parseInput(deleteRealmInput, rawInput);
  const scope = requireScope(actor, 'Realm', 'delete');
  return inActorTransaction(db, actor, async (tx) => {
    await tx.$queryRaw`SELECT id FROM realms WHERE id = ${input.realmId}::uuid FOR UPDATE`;
    const realm = await tx.realm.findFirst({ where: { AND: [{ id: input.realmId, isActive: true }, scope] } });
    if (!realm) throw new AppError('NOT_FOUND', 'Realm not found', { field: 'realmId' });
    if (realm.isDefault) throw new AppError('CONFLICT', 'The default realm cannot be deleted');
    const counts = await realmDataCounts(tx, realm.id);
    const total = sumCounts(counts);
    if (total > 0) throw new AppError('CONFLICT', `The realm still holds ${total} row(s); move or delete them first`, { counts });
    const after = await tx.realm.update({ where: { id: realm.id }, data: { isActive: false } });
    await recordAudit(tx, actor, { action: 'realm.delete', resource: 'Realm', recordId: realm.id, organizationId: realm.organizationId, before: realm, after }, meta);
    return after;
  });
}
