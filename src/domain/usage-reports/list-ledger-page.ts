import type { AuditLog, UsageEvent } from '@prisma/client';
import { modelSql } from '../../db/model-sql.js';
import type { SqlReader, SqlStatement } from '../../db/tenant-sql-reads.js';
import { whereSql } from '../../db/where-sql.js';
import type { Actor } from '../shared/actor.js';
import { scopeWhere, type Where } from '../access/scope.js';
import { COUNT_CAP, decodeCursor, encodeCursor } from './ledger-cursor.js';
import { auditWhere, usageWhere, type AuditFilter, type UsageFilter } from './ledger-filters.js';

export interface LedgerPage<Row> {
  rows: Row[];
  /** Cursor of the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Matching rows, counted no further than COUNT_CAP. */
  total: number;
  /** True when there are more than `total` rows. */
  totalCapped: boolean;
}

const and = (...parts: (Where | null | undefined)[]): Where => {
  const kept = parts.filter((p): p is Where => !!p && Object.keys(p).length > 0);
  return kept.length === 0 ? {} : kept.length === 1 ? kept[0]! : { AND: kept };
};

/**
 * A page and its capped count, read in one round trip. The `where` (scope and
 * filter) is written by whereSql, as the export writes it; the keyset bound is
 * the plain `occurred_at <=` that the planner turns into an index range, the
 * OR settling ties on the same millisecond. Never count the whole ledger: the
 * count stops at the cap, in the list's own order, so the filter's
 * (x, occurred_at, id) index serves it as a range read.
 */
async function page<Row extends { occurredAt: Date; id: string }>(
  reads: SqlReader,
  model: 'UsageEvent' | 'AuditLog',
  where: Where,
  input: { after?: string | null; limit: number; withTotal?: boolean },
): Promise<LedgerPage<Row>> {
  const cursor = input.after ? decodeCursor(input.after) : null;
  const { table, columns, select } = modelSql(model);
  const values: unknown[] = [];
  const condition = whereSql(where, columns, values);
  const order = `ORDER BY "occurred_at" DESC, "id" DESC`;
  let older = '';
  if (cursor) {
    values.push(cursor.at, cursor.id);
    const [at, id] = [`$${values.length - 1}::timestamptz`, `$${values.length}::uuid`];
    older = ` AND "occurred_at" <= ${at} AND ("occurred_at" < ${at} OR ("occurred_at" = ${at} AND "id" < ${id}))`;
  }
  const statements: SqlStatement[] = [{ text: `SELECT ${select()} FROM "${table}" WHERE ${condition}${older} ${order} LIMIT ${input.limit + 1}`, values }];
  if (input.withTotal !== false) statements.push({ text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM "${table}" WHERE ${condition} ${order} LIMIT ${COUNT_CAP + 1}) AS capped`, values });
  const [found, counted] = (await reads.read(statements, { sort: false })) as [Row[], { n: number }[] | undefined];
  const rows = found.slice(0, input.limit);
  const n = counted?.[0]?.n ?? -1;
  return {
    rows,
    nextCursor: found.length > input.limit ? encodeCursor(rows[rows.length - 1]!) : null,
    total: Math.min(n, COUNT_CAP),
    totalCapped: n > COUNT_CAP,
  };
}

/**
 * One newest-first page of the usage ledger within the actor's scope, by
 * keyset (never OFFSET), with a total counted no further than COUNT_CAP.
 * Returns no rows when the actor may not read the ledger.
 */
export async function listUsagePage(reads: SqlReader, actor: Actor, input: { filter: UsageFilter; after?: string | null; limit: number; withTotal?: boolean }): Promise<LedgerPage<UsageEvent>> {
  const scope = scopeWhere(actor, 'UsageEvent', 'read');
  const filter = scope && (await withOwnerOrganization(reads, scope, input.filter));
  if (!scope || !filter) return { rows: [], nextCursor: null, total: 0, totalCapped: false };
  return page(reads, 'UsageEvent', and(scope, usageWhere(filter)), input);
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
export async function withOwnerOrganization(reads: SqlReader, scope: Where, f: UsageFilter): Promise<UsageFilter | null> {
  if (f.organizationId || typeof scope.organizationId === 'string' || !(f.userId || f.apiKeyId || f.realmId)) return f;
  const named = f.apiKeyId ? 'apiKeyId' : f.realmId ? 'realmId' : 'userId';
  const [rows] = await reads.read([{ text: `SELECT "organization_id" AS "organizationId" FROM "${OWNER_TABLE[named]}" WHERE "id" = $1::uuid`, values: [f[named]] }]);
  const owner = rows?.[0]?.organizationId;
  return typeof owner === 'string' ? { ...f, organizationId: owner } : null;
}

/** The audit log's newest-first page, as listUsagePage. */
export async function listAuditPage(reads: SqlReader, actor: Actor, input: { filter: AuditFilter; after?: string | null; limit: number; withTotal?: boolean }): Promise<LedgerPage<AuditLog>> {
  const scope = scopeWhere(actor, 'AuditLog', 'read');
  if (!scope) return { rows: [], nextCursor: null, total: 0, totalCapped: false };
  return page(reads, 'AuditLog', and(scope, auditWhere(input.filter)), input);
}

export { and as andWhere };
