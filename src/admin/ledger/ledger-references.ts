import type { ActionContext, BaseRecord } from 'adminjs';
import type { Prisma, PrismaClient } from '@prisma/client';
import type { RealmgateResource } from '../prisma-resource.js';

/**
 * Fills the reference cells of a ledger page (organization, user, key,
 * model...) inside the page's own transaction: one two-column query per
 * referenced resource that the list shows, scoped like that resource's reads.
 * AdminJS's populator would read whole rows through one transaction each and
 * for every reference property, shown or not.
 */
export async function populateListReferences(tx: Prisma.TransactionClient | PrismaClient, context: ActionContext, records: BaseRecord[]): Promise<void> {
  const references = context.resource
    .decorate()
    .getProperties({ where: 'list' })
    .filter((p) => p.referenceName());
  await Promise.all(
    references.map(async (property) => {
      const path = property.propertyPath;
      const ids = [...new Set(records.map((r) => r.get(path)).filter((v): v is string => typeof v === 'string' && v !== ''))];
      if (!ids.length) return;
      const target = property.reference() as unknown as Partial<RealmgateResource> | null;
      if (!target) return;
      if (typeof target.titleRecords !== 'function') return;
      const found = new Map((await target.titleRecords(tx, ids, context)).map((r) => [String(r.id()), r]));
      for (const record of records) {
        const ref = found.get(String(record.get(path)));
        if (ref) record.populate(path, ref);
      }
    }),
  );
}
