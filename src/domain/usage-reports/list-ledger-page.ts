import type { AuditLog, UsageEvent } from '@prisma/client';
import { modelSql } from '../../db/model-sql.js';
import { noRead, readOne, type PreparedRead, type SqlReader } from '../../db/tenant-sql-reads.js';
import { whereSql } from '../../db/where-sql.js';
import type { Actor } from '../shared/actor.js';
import { scopeWhere, type Where } from '../access/scope.js';
import { COUNT_CAP, decodeCursor, encodeCursor } from './ledger-cursor.js';
import { auditWhere, usageWhere, type AuditFilter, type UsageFilter } from './ledger-filters.js';

export interface LedgerPage<Row> {
  rows: Row[];
  /** Cursor of the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface LedgerCount {
  /** Matching rows, counted no further than COUNT_CAP. */
  total: number;
  /** True when there are more than `total` rows. */
  totalCapped: boolean;
}

type LedgerModel = 'UsageEvent' | 'AuditLog';

const NEWEST_FIRST = `ORDER BY "occurred_at" DESC, "id" DESC`;
const NO_ROWS = { rows: [], nextCursor: null };
const NONE: LedgerCount = { total: 0, totalCapped: false };

const and = (...parts: (Where | null | undefined)[]): Where => {
  const kept = parts.filter((p): p is Where => !!p && Object.keys(p).length > 0);
  return kept.length === 0 ? {} : kept.length === 1 ? kept[0]! : { AND: kept };
};

/**
 * A newest-first page in one statement. The `where` (scope and filter) is
 * written by whereSql, as the export writes it; the keyset bound is the plain
 * `occurred_at <=` that the planner turns into an index range, the OR
 * settling ties on the same millisecond. A page does not count: paging
 * through a filter would count the same rows again on every page (the count
 * is ledgerCountRead, asked once per filter).
 */
function ledgerPageRead<Row extends { occurredAt: Date; id: string }>(model: LedgerModel, where: Where, input: { after?: string | null; limit: number }): PreparedRead<LedgerPage<Row>> {
  const cursor = input.after ? decodeCursor(input.after) : null;
  const { table, columns, select } = modelSql(model);
  const values: unknown[] = [];
  const condition = whereSql(where, columns, values);
  let older = '';
  if (cursor) {
    values.push(cursor.at, cursor.id);
    const [at, id] = [`$${values.length - 1}::timestamptz`, `$${values.length}::uuid`];
    older = ` AND "occurred_at" <= ${at} AND ("occurred_at" < ${at} OR ("occurred_at" = ${at} AND "id" < ${id}))`;
  }
  return {
    statements: [{ text: `SELECT ${select()} FROM "${table}" WHERE ${condition}${older} ${NEWEST_FIRST} LIMIT ${input.limit + 1}`, values }],
    parse: ([found]) => {
      const rows = found!.slice(0, input.limit) as Row[];
      return { rows, nextCursor: found!.length > input.limit ? encodeCursor(rows[rows.length - 1]!) : null };
    },
  };
}

/**
 * The rows a filter matches, never counting the whole ledger: the count stops
 * at the cap, in the list's own order, so the filter's (x, occurred_at, id)
 * index serves it as a range read. Read it with sorting off (SqlReader).
 */
export function ledgerCountRead(model: LedgerModel, where: Where | null): PreparedRead<LedgerCount> {
  if (!where) return noRead(NONE);
  const { table, columns } = modelSql(model);
  const values: unknown[] = [];
  const text = `SELECT count(*)::int AS "n" FROM (SELECT 1 FROM "${table}" WHERE ${whereSql(where, columns, values)} ${NEWEST_FIRST} LIMIT ${COUNT_CAP + 1}) AS "capped"`;
  return {
    statements: [{ text, values }],
    parse: ([rows]) => {
      const n = (rows![0]?.n as number | undefined) ?? 0;
      return { total: Math.min(n, COUNT_CAP), totalCapped: n > COUNT_CAP };
    },
  };
}

/**
 * The usage ledger's condition for a filter within `scope` (the viewer's, on
 * UsageEvent): null when the filter names a user, key or realm that is not
 * there for this viewer, so nothing can match. The list, its count, its
 * totals and the export all read through it.
 */
export async function usageLedgerWhere(reads: SqlReader, scope: Where, filter: UsageFilter): Promise<Where | null> {
  const owned = await withOwnerOrganization(reads, scope, filter);
  return owned && and(scope, usageWhere(owned));
}

async function usageWhereFor(reads: SqlReader, actor: Actor, filter: UsageFilter): Promise<Where | null> {
  const scope = scopeWhere(actor, 'UsageEvent', 'read');
  return scope && usageLedgerWhere(reads, scope, filter);
}

function auditWhereFor(actor: Actor, filter: AuditFilter): Where | null {
  const scope = scopeWhere(actor, 'AuditLog', 'read');
  return scope && and(scope, auditWhere(filter));
}

/**
 * One newest-first page of the usage ledger within the actor's scope, by
 * keyset (never OFFSET). No rows when the actor may not read the ledger.
 */
export async function listUsagePage(reads: SqlReader, actor: Actor, input: { filter: UsageFilter; after?: string | null; limit: number }): Promise<LedgerPage<UsageEvent>> {
  const where = await usageWhereFor(reads, actor, input.filter);
  return where ? readOne(reads, ledgerPageRead<UsageEvent>('UsageEvent', where, input), { sort: false }) : NO_ROWS;
}

/** The audit log's newest-first page, as listUsagePage. */
export async function listAuditPage(reads: SqlReader, actor: Actor, input: { filter: AuditFilter; after?: string | null; limit: number }): Promise<LedgerPage<AuditLog>> {
  const where = auditWhereFor(actor, input.filter);
  return where ? readOne(reads, ledgerPageRead<AuditLog>('AuditLog', where, input), { sort: false }) : NO_ROWS;
}

/** The audit rows a filter matches within the actor's scope, counted no further than COUNT_CAP (usage: usageSummary, which sums them too). */
export async function countAudit(reads: SqlReader, actor: Actor, filter: AuditFilter): Promise<LedgerCount> {
  return readOne(reads, ledgerCountRead('AuditLog', auditWhereFor(actor, filter)), { sort: false });
}

const OWNER_TABLE = { apiKeyId: 'api_keys', realmId: 'realms', userId: 'users' } as const;

/**
 * A user, API key or realm belongs to one organization, and the ledger's
 * indexes for those filters lead with organization_id (migration
 * 0019_usage_org_filter_indexes: an org admin's filter then reads exactly its
 * rows, newest first, where a (user_id, ...) index met the organization's
 * condition only in a bitmap AND and a sort of every match). So a filter
 * naming one, where neither it nor the scope names the organization (a
 * superadmin's), gets the owner's organization added, read as the viewer
 * (row-level security applies). Null when the named row is not there for this
 * viewer: nothing can match.
 */
async function withOwnerOrganization(reads: SqlReader, scope: Where, f: UsageFilter): Promise<UsageFilter | null> {
  if (f.organizationId || typeof scope.organizationId === 'string' || !(f.userId || f.apiKeyId || f.realmId)) return f;
  const named = f.apiKeyId ? 'apiKeyId' : f.realmId ? 'realmId' : 'userId';
  const [rows] = await reads.read([{ text: `SELECT "organization_id" AS "organizationId" FROM "${OWNER_TABLE[named]}" WHERE "id" = $1::uuid`, values: [f[named]] }]);
  const owner = rows?.[0]?.organizationId;
  return typeof owner === 'string' ? { ...f, organizationId: owner } : null;
}

export { and as andWhere };
