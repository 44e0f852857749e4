import type { AuditLog, PrismaClient, UsageEvent } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { scopeWhere, type Where } from '../access/scope.js';
import { COUNT_CAP, NEWEST_FIRST, decodeCursor, encodeCursor, olderThan } from './ledger-cursor.js';
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

type Delegate<Row> = {
  findMany(args: unknown): Promise<Row[]>;
  count(args: unknown): Promise<number>;
};

const and = (...parts: (Where | null | undefined)[]): Where => {
  const kept = parts.filter((p): p is Where => !!p && Object.keys(p).length > 0);
  return kept.length === 0 ? {} : kept.length === 1 ? kept[0]! : { AND: kept };
};

async function page<Row extends { occurredAt: Date; id: string }>(
  delegate: Delegate<Row>,
  where: Where,
  input: { after?: string | null; limit: number; withTotal?: boolean },
): Promise<LedgerPage<Row>> {
  const cursor = input.after ? decodeCursor(input.after) : null;
  const [found, counted] = await Promise.all([
    delegate.findMany({ where: and(where, cursor && olderThan(cursor)), orderBy: NEWEST_FIRST, take: input.limit + 1 }),
    // Never count the whole ledger: stop at the cap (an index-only range read).
    // The order is the list's, so the filter's (x, occurred_at, id) index serves
    // it; without one Prisma orders by the primary key (organization_id first),
    // which makes PostgreSQL read and sort every match of a model or user before the LIMIT.
    input.withTotal === false ? Promise.resolve(-1) : delegate.count({ where, orderBy: NEWEST_FIRST, take: COUNT_CAP + 1 }),
  ]);
  const rows = found.slice(0, input.limit);
  const more = found.length > input.limit;
  return {
    rows,
    nextCursor: more ? encodeCursor(rows[rows.length - 1]!) : null,
    total: Math.min(counted, COUNT_CAP),
    totalCapped: counted > COUNT_CAP,
  };
}

/**
 * One newest-first page of the usage ledger within the actor's scope, by
 * keyset (never OFFSET), with a total counted no further than COUNT_CAP.
 * Returns no rows when the actor may not read the ledger.
 */
export async function listUsagePage(db: PrismaClient, actor: Actor, input: { filter: UsageFilter; after?: string | null; limit: number; withTotal?: boolean }): Promise<LedgerPage<UsageEvent>> {
  const scope = scopeWhere(actor, 'UsageEvent', 'read');
  const filter = scope && (await withOwnerOrganization(db, scope, input.filter));
  if (!scope || !filter) return { rows: [], nextCursor: null, total: 0, totalCapped: false };
  return page(db.usageEvent as unknown as Delegate<UsageEvent>, and(scope, usageWhere(filter)), input);
}

/**
 * A user, API key or realm belongs to one organization, and the ledger's
 * indexes for those filters lead with organization_id (migration
 * 0019_usage_org_filter_indexes: an org admin's filter then reads exactly its
 * rows, newest first, where a (user_id, ...) index met the organization's
 * condition only in a bitmap AND and a sort of every match). So a filter
 * naming one, where neither it nor the scope names the organization (a
 * superadmin's), gets the owner's organization added. Null when the named
 * row is not there for this viewer: nothing can match.
 */
export async function withOwnerOrganization(db: PrismaClient, scope: Where, f: UsageFilter): Promise<UsageFilter | null> {
  if (f.organizationId || typeof scope.organizationId === 'string' || !(f.userId || f.apiKeyId || f.realmId)) return f;
  const select = { organizationId: true } as const;
  const owner = f.apiKeyId
    ? await db.apiKey.findFirst({ where: { id: f.apiKeyId }, select })
    : f.realmId
      ? await db.realm.findFirst({ where: { id: f.realmId }, select })
      : await db.user.findFirst({ where: { id: f.userId }, select });
  return owner?.organizationId ? { ...f, organizationId: owner.organizationId } : null;
}

/** The audit log's newest-first page, as listUsagePage. */
export async function listAuditPage(db: PrismaClient, actor: Actor, input: { filter: AuditFilter; after?: string | null; limit: number; withTotal?: boolean }): Promise<LedgerPage<AuditLog>> {
  const scope = scopeWhere(actor, 'AuditLog', 'read');
  if (!scope) return { rows: [], nextCursor: null, total: 0, totalCapped: false };
  return page(db.auditLog as unknown as Delegate<AuditLog>, and(scope, auditWhere(input.filter)), input);
}

export { and as andWhere };
