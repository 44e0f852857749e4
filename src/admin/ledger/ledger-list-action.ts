import { populator, type ActionContext, type ActionRequest, type ActionResponse } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { actorFromAdmin } from '../auth/admin-access.js';
import { isAppError } from '../../domain/shared/app-error.js';
import { COUNT_CAP, pageSize } from '../../domain/usage-reports/ledger-cursor.js';
import { auditFilterFrom, usageFilterFrom } from '../../domain/usage-reports/ledger-filters.js';
import { listAuditPage, listUsagePage } from '../../domain/usage-reports/list-ledger-page.js';
import { usageTotals } from '../../domain/usage-reports/usage-totals.js';
import type { RealmgateResource } from '../prisma-resource.js';

export type LedgerKind = 'usage' | 'audit';

/**
 * The list action of the usage ledger and the audit log: newest first by
 * keyset (`after` = the previous page's nextCursor), never OFFSET, a total
 * counted no further than COUNT_CAP ("10,000+"), and for usage a totals line
 * for the filter (from rollups where it can). Same domain functions as the
 * API's export, so the screen and the CSV agree.
 */
export function ledgerListHandler(kind: LedgerKind, { db }: Pick<AppDeps, 'db'>) {
  return async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
    const actor = actorFromAdmin(context.currentAdmin);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const limit = pageSize(query.perPage);
    const after = typeof query.after === 'string' && query.after ? query.after : null;
    const meta = { perPage: limit, page: 1, sortBy: 'occurredAt', direction: 'desc' as const };
    if (!actor) return { records: [], meta: { ...meta, total: 0, totalCapped: false, nextCursor: null, totals: null } };
    try {
      const input = { after, limit };
      const page = kind === 'usage' ? await listUsagePage(db, actor, { ...input, filter: usageFilterFrom(query) }) : await listAuditPage(db, actor, { ...input, filter: auditFilterFrom(query) });
      const resource = context.resource as unknown as RealmgateResource;
      const records = await populator(page.rows.map((row) => resource.toRecord(row as Record<string, unknown>)), context);
      context.records = records;
      // The totals line belongs to the filter, not the page: computed on the first page only.
      const totals = kind === 'usage' && !after ? await usageTotals(db, actor, { filter: usageFilterFrom(query), matched: page.totalCapped ? COUNT_CAP : page.total }) : null;
      return {
        records: records.map((r) => r.toJSON(context.currentAdmin)),
        meta: { ...meta, total: page.total, totalCapped: page.totalCapped, nextCursor: page.nextCursor, totals },
      };
    } catch (e) {
      if (isAppError(e) && e.code === 'INVALID') {
        return { records: [], meta: { ...meta, total: 0, totalCapped: false, nextCursor: null, totals: null }, notice: { message: e.message, type: 'error' } };
      }
      throw e;
    }
  };
}
