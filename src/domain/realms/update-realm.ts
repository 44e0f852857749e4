import type { PrismaClient, Realm } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { pgErrorCode } from './pg-error-code.js';
import { assertRealmNameFree, realmNameTaken } from './realm-name.js';

export const updateRealmInput = z.object({
  realmId: z.string().uuid(),
  name: z.string().trim().min(1).max(100).optional(),
  /** null clears it. */
  description: z.string().trim().max(1000).nullable().optional(),
});
export type UpdateRealmInput = z.input<typeof updateRealmInput>;

/** Renames or re-describes an active realm in scope; the name stays unique per owner. */
export async function updateRealm(db: PrismaClient, actor: Actor, rawInput: UpdateRealmInput, meta: RequestMeta = {}): Promise<Realm> {
  const input = parseInput(updateRealmInput, rawInput);
  const scope = requireScope(actor, 'Realm', 'update');
  try {
    return await inActorTransaction(db, actor, async (tx) => {
      const before = await tx.realm.findFirst({ where: { AND: [{ id: input.realmId, isActive: true }, scope] } });
      if (!before) throw new AppError('NOT_FOUND', 'Realm not found', { field: 'realmId' });
      if (input.name !== undefined && input.name !== before.name) await assertRealmNameFree(tx, before.ownerId, input.name, before.id);
      const after = await tx.realm.update({
        where: { id: before.id },
        data: { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.description !== undefined ? { description: input.description } : {}) },
      });
      await recordAudit(tx, actor, { action: 'realm.update', resource: 'Realm', recordId: after.id, organizationId: after.organizationId, before, after }, meta);
      return after;
    });
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw realmNameTaken(input.name ?? '');
    throw e;
  }
}
