import { Prisma } from '@prisma/client';
import type { Tx } from '../shared/actor-transaction.js';
import { REALM_KINDS, zeroCounts, type KindCounts } from './realm-kinds.js';

/** How many rows of each realm-scoped kind live in `realmId` (as the transaction's tenant sees them). */
export async function realmDataCounts(tx: Tx, realmId: string): Promise<KindCounts> {
  const rows = await tx.$queryRaw<{ kind: keyof KindCounts; n: number }[]>(
    Prisma.sql`SELECT ${Prisma.join(
      REALM_KINDS.map((k) => Prisma.sql`${k.kind}::text AS kind, (SELECT count(*) FROM ${Prisma.raw(k.table)} WHERE realm_id = ${realmId}::uuid)::int AS n`),
      ' UNION ALL SELECT ',
    )}`,
  );
  const counts = zeroCounts();
  for (const r of rows) counts[r.kind] = r.n;
  return counts;
}
