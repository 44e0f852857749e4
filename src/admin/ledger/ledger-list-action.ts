import type { ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { readLedgerAsTenant } from '../../db/tenant-context.js';
import { requireReads } from '../../db/tenant-sql-reads.js';
import type { AppDeps } from '../../app.js';
import { actorFromAdmin } from '../auth/admin-access.js';
import { isAppError } from '../../domain/shared/app-error.js';
import { COUNT_CAP, pageSize } from '../../domain/usage-reports/ledger-cursor.js';
import { auditFilterFrom, usageFilterFrom } from '../../domain/usage-reports/ledger-filters.js';
import { listAuditPage, listUsagePage } from '../../domain/usage-reports/list-ledger-page.js';
import { usageTotals } from '../../domain/usage-reports/usage-totals.js';
import type { RealmgateResource } from '../prisma-resource.js';
import { recordsJson } from '../actions/record-json.js';
import { populateListReferences } from './ledger-references.js';

export type LedgerKind = 'usage' | 'audit';


/**
 * The list action of the usage ledger and the audit log: newest first by
 * keyset (`after` = the previous page's nextCursor), never OFFSET, a total
 * counted no further than COUNT_CAP ("10,000+"). A page's reads go around
 * Prisma (TenantSqlReads), in two round trips: its rows with the capped count
 * (sorting off: see readLedgerAsTenant), then the titles of what the rows
 * refer to. The usage totals line for the filter (from rollups where it
 * can) is its own request, `view=totals`, which the screen makes after the
 * page: a sum over months of rollups never holds the page back. Same domain
 * functions as the export, so the screen and the CSV agree.
 */
export function ledgerListHandler(kind: LedgerKind, deps: Pick<AppDeps, 'db' | 'reads'>) {
  const { db } = deps;
  return async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
    const reads = requireReads(deps.reads);
    const actor = actorFromAdmin(context.currentAdmin);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const limit = pageSize(query.perPage);
    const after = typeof query.after === 'string' && query.after ? query.after : null;
    const meta = { perPage: limit, page: 1, sortBy: 'occurredAt', direction: 'desc' as const };
    const empty = { records: [], meta: { ...meta, total: 0, totalCapped: false, nextCursor: null, totals: null } };
    if (!actor) return empty;
    try {
      if (query.view === 'totals') {
        if (kind !== 'usage') return empty;
        // The capped count decides whether a filter the rollups cannot answer may be summed from the ledger.
        const filter = usageFilterFrom(query);
        const counted = await listUsagePage(reads, actor, { filter, limit: 1 });
        const totals = await readLedgerAsTenant(db, (client) => usageTotals(client, reads, actor, { filter, matched: counted.totalCapped ? COUNT_CAP : counted.total }));
        return { ...empty, meta: { ...empty.meta, total: counted.total, totalCapped: counted.totalCapped, totals } };
      }
      const resource = context.resource as unknown as RealmgateResource;
      const input = { after, limit };
      const page = kind === 'usage' ? await listUsagePage(reads, actor, { ...input, filter: usageFilterFrom(query) }) : await listAuditPage(reads, actor, { ...input, filter: auditFilterFrom(query) });
      const records = page.rows.map((row) => resource.toRecord(row as Record<string, unknown>));
      await populateListReferences(reads, db, context, records);
      context.records = records;
      return {
        records: recordsJson(records, context),
        meta: { ...meta, total: page.total, totalCapped: page.totalCapped, nextCursor: page.nextCursor, totals: null },
      };
    } catch (e) {
      if (isAppError(e) && e.code === 'INVALID') {
        return { ...empty, notice: { message: e.message, type: 'error' } };
      }
      throw e;
    }
  };
}
