import { Prisma, type PrismaClient, type RealmMigrationRun } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { REALM_KINDS, zeroCounts, type KindCounts } from './realm-kinds.js';
import { requireMigrationActor } from './realm-migration-access.js';
import { realmMigrationLockHeld } from './realm-migration-lock.js';

export interface RealmMigrationStatus {
  /** A migration or rollback holds the lock right now (a RUNNING run without it was interrupted). */
  live: boolean;
  latest: RealmMigrationRun | null;
  recent: RealmMigrationRun[];
  /** Rows still without a realm, per kind. */
  withoutRealm: KindCounts;
}

const WITHOUT_REALM = Prisma.sql`SELECT ${Prisma.join(
  REALM_KINDS.map((k) => Prisma.sql`${k.kind}::text AS kind, (SELECT count(*) FROM ${Prisma.raw(k.table)} WHERE realm_id IS NULL)::int AS n`),
  ' UNION ALL SELECT ',
)}`;

/** Progress of the latest realm migration runs for the panel and the CLI; reads only. */
export async function realmMigrationStatus(db: PrismaClient, actor: Actor, input: { limit?: number } = {}): Promise<RealmMigrationStatus> {
  requireMigrationActor(actor);
  return inActorTransaction(db, actor, async (tx) => {
    const live = await realmMigrationLockHeld(tx);
    const recent = await tx.realmMigrationRun.findMany({ orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: Math.min(Math.max(input.limit ?? 5, 1), 100) });
    const withoutRealm = zeroCounts();
    for (const row of await tx.$queryRaw<{ kind: keyof KindCounts; n: number }[]>(WITHOUT_REALM)) withoutRealm[row.kind] = row.n;
    return { live, latest: recent[0] ?? null, recent, withoutRealm };
  });
}
