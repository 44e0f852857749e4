import type { ActionContext, ActionRequest, ActionResponse, BaseRecord } from 'adminjs';
import { requireReads } from '../../db/tenant-sql-reads.js';
import type { AppDeps } from '../../app.js';
import { actorFromAdmin } from '../auth/admin-access.js';
import { isAppError } from '../../domain/shared/app-error.js';
import { pageSize } from '../../domain/usage-reports/ledger-cursor.js';
import { auditFilterFrom, usageFilterFrom } from '../../domain/usage-reports/ledger-filters.js';
import { countAudit, listAuditPage, listUsagePage } from '../../domain/usage-reports/list-ledger-page.js';
import { usageSummary } from '../../domain/usage-reports/usage-totals.js';
import type { RealmgateResource } from '../prisma-resource.js';
import { recordsJson } from '../actions/record-json.js';
import { populateListReferences } from './ledger-references.js';

export type LedgerKind = 'usage' | 'audit';

/**
 * The list action of the usage ledger and the audit log: newest first by
 * keyset (`after` = the previous page's nextCursor), never OFFSET. A page is
 * its rows and the titles of what they refer to, read around Prisma
 * (TenantSqlReads) in two round trips, sorting off (ReadOptions.sort); the
 * second also holds what the list's after hooks name (`readAhead`: the audit
 * log's record links). What
 * the filter matches is its own request, `view=totals`, which the screen
 * makes once per filter beside the first page, not again on every page: the
 * rows counted no further than COUNT_CAP ("10,000+") and, for usage, their
 * tokens and requests (from rollups where they can answer). Same domain
 * functions as the export, so the screen and the CSV agree.
 */
export function ledgerListHandler(kind: LedgerKind, deps: Pick<AppDeps, 'db' | 'reads'>, options: { readAhead?: (records: BaseRecord[], context: ActionContext) => Promise<void> } = {}) {
  const { db } = deps;
  return async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
    const reads = requireReads(deps.reads);
    const actor = actorFromAdmin(context.currentAdmin);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const limit = pageSize(query.perPage);
    const after = typeof query.after === 'string' && query.after ? query.after : null;
    const meta = { perPage: limit, page: 1, sortBy: 'occurredAt', direction: 'desc' as const };
    const totalsView = query.view === 'totals';
    if (!actor) return { records: [], meta: totalsView ? { ...meta, total: 0, totalCapped: false, totals: null } : { ...meta, nextCursor: null } };
    try {
      if (totalsView) {
        const summary = kind === 'usage' ? await usageSummary(reads, actor, usageFilterFrom(query)) : { ...(await countAudit(reads, actor, auditFilterFrom(query))), totals: null };
        return { records: [], meta: { ...meta, ...summary } };
      }
      const resource = context.resource as unknown as RealmgateResource;
      const input = { after, limit };
      const page = kind === 'usage' ? await listUsagePage(reads, actor, { ...input, filter: usageFilterFrom(query) }) : await listAuditPage(reads, actor, { ...input, filter: auditFilterFrom(query) });
      const records = page.rows.map((row) => resource.toRecord(row as Record<string, unknown>));
      // What the after hooks will name (options.readAhead) is read with the reference cells, in one message.
      await Promise.all([populateListReferences(reads, db, context, records), options.readAhead?.(records, context)]);
      context.records = records;
      return { records: recordsJson(records, context), meta: { ...meta, nextCursor: page.nextCursor } };
    } catch (e) {
      if (isAppError(e) && e.code === 'INVALID') {
        return { records: [], meta: { ...meta, nextCursor: null }, notice: { message: e.message, type: 'error' } };
      }
      throw e;
    }
  };
}
