import type { PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { quotaStats, type QuotaStat } from '../quotas/quota-stats.js';
import { quotaLevel } from '../quotas/quota-level.js';

export type QuotaWarning = 'none' | 'warning' | 'exceeded';

/** 80% used warns, 100% is exceeded (seed 004; thresholds in quota-level.ts). */
export function warningFor(percentUsed: number | null): QuotaWarning {
  if (percentUsed === null) return 'none';
  const level = quotaLevel(percentUsed);
  return level === 'ok' ? 'none' : level;
}

/** The caller's organization with its plan and every organization quota: used, remaining, percent and warning. */
export async function tenantInfo(db: PrismaClient, actor: Actor) {
  if (actor.kind === 'system' || !actor.organizationId) throw new AppError('NOT_FOUND', 'You belong to no organization');
  const organizationId = actor.organizationId;
  const org = await inActorTransaction(db, actor, (tx) =>
    tx.organization.findUnique({ where: { id: organizationId }, select: { id: true, name: true, description: true, type: true, pricingPlan: true, isActive: true, createdAt: true } }),
  );
  if (!org) throw new AppError('NOT_FOUND', 'Organization not found');
  // Organization counters are read as the system: a USER may not read the organization's counters row by row,
  // but every member may know how much of their organization's quota is left.
  const stats = await quotaStats(db, { kind: 'system', reason: 'tenant-info' }, { subjectType: 'ORGANIZATION', subjectId: organizationId });
  return {
    organization: org,
    quotas: stats.metrics.map((m: QuotaStat) => ({
      metric: m.metric,
      period: m.period,
      periodStart: m.periodStart,
      periodEnd: m.periodEnd,
      used: m.used,
      reserved: m.reserved,
      limit: m.limit,
      remaining: m.remaining,
      percentUsed: m.percentUsed,
      warning: warningFor(m.percentUsed),
    })),
  };
}

/** The caller's knowledge bases (their own for a USER, the organization's for staff) with their vector collection names (seed 004). */
export async function tenantCollections(db: PrismaClient, actor: Actor, where: Record<string, unknown>) {
  const rows = await inActorTransaction(db, actor, (tx) =>
    tx.knowledgeBase.findMany({
      where,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: 500,
      select: { id: true, name: true, realmId: true, documentCount: true, server: { select: { id: true, name: true, type: true, collection: true } } },
    }),
  );
  return {
    collections: rows.map((kb) => ({
      knowledgeBaseId: kb.id,
      name: kb.name,
      realmId: kb.realmId,
      documentCount: kb.documentCount,
      vectorServer: kb.server ? { id: kb.server.id, name: kb.server.name, type: kb.server.type } : null,
      collectionName: kb.server?.collection ?? null,
    })),
  };
}

/** Every organization with its usage summary (superadmins: the platform view of seed 004's GET /admin/tenants). */
export async function listTenants(db: PrismaClient, actor: Actor, input: { limit: number; cursor?: string }) {
  if (actor.kind !== 'user' || actor.role !== 'SUPERADMIN') throw new AppError('FORBIDDEN', 'Superadmins only');
  const rows = await inActorTransaction(db, actor, (tx) =>
    tx.organization.findMany({
      where: input.cursor ? { id: { gt: input.cursor } } : {},
      orderBy: { id: 'asc' },
      take: input.limit + 1,
      select: { id: true, name: true, type: true, pricingPlan: true, isActive: true, _count: { select: { users: true, realms: true, apiKeys: true, documents: true } } },
    }),
  );
  const page = rows.slice(0, input.limit);
  const items = [];
  for (const org of page) {
    const stats = await quotaStats(db, actor, { subjectType: 'ORGANIZATION', subjectId: org.id });
    items.push({
      id: org.id,
      name: org.name,
      type: org.type,
      pricingPlan: org.pricingPlan,
      isActive: org.isActive,
      counts: org._count,
      usage: stats.metrics.map((m) => ({ metric: m.metric, period: m.period, used: m.used, limit: m.limit, percentUsed: m.percentUsed, warning: warningFor(m.percentUsed) })),
    });
  }
  return { items, nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null };
}
