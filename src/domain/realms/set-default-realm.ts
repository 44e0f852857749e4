import type { PrismaClient, Realm } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';

export const setDefaultRealmInput = z.object({ realmId: z.string().uuid() });

/**
 * Makes an active realm its owner's default, in one transaction: the owner's
 * realms are locked first, the old default cleared, then the new one set, so
 * the one-default-per-owner index (0001) never sees two and concurrent calls
 * end with exactly one default.
 */
export async function setDefaultRealm(db: PrismaClient, actor: Actor, rawInput: z.input<typeof setDefaultRealmInput>, meta: RequestMeta = {}): Promise<Realm> {
  const input = parseInput(setDefaultRealmInput, rawInput);
  const scope = requireScope(actor, 'Realm', 'update');
  return inActorTransaction(db, actor, async (tx) => {
    const realm = await tx.realm.findFirst({ where: { AND: [{ id: input.realmId }, scope] } });
    if (!realm) throw new AppError('NOT_FOUND', 'Realm not found', { field: 'realmId' });
    if (!realm.isActive) throw new AppError('CONFLICT', 'A deleted realm cannot be the default');
    if (realm.isDefault) return realm;
    await tx.$queryRaw`SELECT id FROM realms WHERE owner_id = ${realm.ownerId}::uuid ORDER BY id FOR UPDATE`;
    const previous = await tx.realm.findFirst({ where: { ownerId: realm.ownerId, isDefault: true } });
    if (previous) await tx.realm.update({ where: { id: previous.id }, data: { isDefault: false } });
    const after = await tx.realm.update({ where: { id: realm.id }, data: { isDefault: true } });
    await recordAudit(tx, actor, { action: 'realm.set-default', resource: 'Realm', recordId: realm.id, organizationId: realm.organizationId, before: { isDefault: false, previousDefaultId: previous?.id ?? null }, after: { isDefault: true } }, meta);
    return after;
  });
}
