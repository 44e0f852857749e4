import type { PrismaClient, Realm } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { realmDataCounts } from './realm-data-counts.js';
import { sumCounts, type KindCounts } from './realm-kinds.js';

export const realmStatsInput = z.object({ realmId: z.string().uuid() });

export interface RealmStats {
  realm: Pick<Realm, 'id' | 'name' | 'isDefault' | 'isActive' | 'ownerId' | 'organizationId'>;
  counts: KindCounts;
  total: number;
}

/** Counts per realm-scoped kind in a realm the actor may read; reads only. */
export async function realmStats(db: PrismaClient, actor: Actor, rawInput: z.input<typeof realmStatsInput>): Promise<RealmStats> {
  const input = parseInput(realmStatsInput, rawInput);
  const scope = requireScope(actor, 'Realm', 'read');
  return inActorTransaction(db, actor, async (tx) => {
    const realm = await tx.realm.findFirst({
      where: { AND: [{ id: input.realmId }, scope] },
      select: { id: true, name: true, isDefault: true, isActive: true, ownerId: true, organizationId: true },
    });
    if (!realm) throw new AppError('NOT_FOUND', 'Realm not found', { field: 'realmId' });
    const counts = await realmDataCounts(tx, realm.id);
    return { realm, counts, total: sumCounts(counts) };
  });
}
