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

export const createRealmInput = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000).optional(),
  /** Owner; defaults to the actor. */
  ownerId: z.string().uuid().optional(),
});
export type CreateRealmInput = z.input<typeof createRealmInput>;

/**
 * Creates a (non-default) realm for an owner in the actor's scope; names are
 * unique per owner. Default realms come only from ensureDefaultRealm.
 */
export async function createRealm(db: PrismaClient, actor: Actor, rawInput: CreateRealmInput, meta: RequestMeta = {}): Promise<Realm> {
  const input = parseInput(createRealmInput, rawInput);
  requireScope(actor, 'Realm', 'create');
  const ownerId = input.ownerId ?? (actor.kind === 'user' ? actor.userId : undefined);
  if (!ownerId) throw new AppError('INVALID', 'ownerId is required', { field: 'ownerId' });
  try {
    return await inActorTransaction(db, actor, async (tx) => {
      const owner = await tx.user.findFirst({ where: { AND: [{ id: ownerId }, requireScope(actor, 'User', 'read')] }, select: { id: true, organizationId: true } });
      if (!owner?.organizationId) throw new AppError('NOT_FOUND', 'User not found', { field: 'ownerId' });
      await assertRealmNameFree(tx, owner.id, input.name);
      const realm = await tx.realm.create({
        data: { organizationId: owner.organizationId, ownerId: owner.id, name: input.name, description: input.description ?? null, isDefault: false },
      });
      await recordAudit(tx, actor, { action: 'realm.create', resource: 'Realm', recordId: realm.id, organizationId: realm.organizationId, after: realm }, meta);
      return realm;
    });
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw realmNameTaken(input.name);
    throw e;
  }
}
