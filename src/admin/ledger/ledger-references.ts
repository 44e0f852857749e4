import type { ActionContext, BaseRecord } from 'adminjs';
import type { PrismaClient } from '@prisma/client';
import type { SqlReader, SqlStatement } from '../../db/tenant-sql-reads.js';
import type { RealmgateResource } from '../prisma-resource.js';
import { currentAdminRequest } from '../access/admin-request.js';

type TitleSource = Pick<RealmgateResource, 'titleStatement' | 'titleRecords' | 'toRecord'>;

/**
 * Fills the reference cells of a ledger page (organization, user, key,
 * model...): the id and title of each referenced record the admin may read,
 * scoped like that resource's reads (titleStatement / titleRecords). Every
 * referenced table whose scope is plain SQL is read in ONE round trip
 * (`reads`); one whose scope is not (a USER's own models: relations)
 * through Prisma on `db`, beside it. AdminJS's populator would read
 * whole rows through one transaction each, for every reference property,
 * shown or not.
 */
export async function populateListReferences(reads: SqlReader, db: PrismaClient, context: ActionContext, records: BaseRecord[]): Promise<void> {
  const wanted = context.resource
    .decorate()
    .getProperties({ where: 'list' })
    .filter((p) => p.referenceName())
    .flatMap((property) => {
      const path = property.propertyPath;
      const ids = [...new Set(records.map((r) => r.get(path)).filter((v): v is string => typeof v === 'string' && v !== ''))];
      const target = property.reference() as unknown as Partial<TitleSource> | null;
      if (!ids.length || typeof target?.titleStatement !== 'function') return [];
      return [{ path, ids, target: target as TitleSource, how: target.titleStatement(ids, context) }];
    });
  const bySql = wanted.filter((w): w is typeof w & { how: SqlStatement } => typeof w.how === 'object');
  const byPrisma = wanted.filter((w) => w.how === 'prisma');
  // On a read action's request, through its ReadBatch: with whatever else the page names in this turn, in one message.
  const batch = currentAdminRequest()?.referenceReads;
  const [sqlRows, prismaRecords] = await Promise.all([
    batch ? Promise.all(bySql.map((w) => batch.runSql(reads, w.how))) : reads.read(bySql.map((w) => w.how)),
    Promise.all(byPrisma.map((w) => w.target.titleRecords(db, w.ids, context))),
  ]);
  const fill = (path: string, found: BaseRecord[]) => {
    const byId = new Map(found.map((r) => [String(r.id()), r]));
    for (const record of records) {
      const ref = byId.get(String(record.get(path)));
      if (ref) record.populate(path, ref);
    }
  };
  bySql.forEach((w, i) => fill(w.path, sqlRows[i]!.map((row) => w.target.toRecord(row))));
  byPrisma.forEach((w, i) => fill(w.path, prismaRecords[i]!));
}
