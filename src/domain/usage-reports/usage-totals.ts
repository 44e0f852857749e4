import type { PrismaClient } from '@prisma/client';
import { readOne, type SqlReader } from '../../db/tenant-sql-reads.js';
import type { Actor } from '../shared/actor.js';
import { scopeWhere } from '../access/scope.js';
import { COUNT_CAP } from './ledger-cursor.js';
import { usageWhere, type UsageFilter } from './ledger-filters.js';
import { andWhere, withOwnerOrganization } from './list-ledger-page.js';
import { rollupSumRead } from './rollup-tables.js';

export interface UsageTotals {
  tokens: string;
  requests: string;
  /** rollups: daily sums; ledger: summed rows (only for small, non-day-aligned matches) */
  source: 'rollups' | 'ledger';
}

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Tokens and requests for a usage filter. From the rollups whenever the
 * filter is one they can answer (organization, user, key, model, whole UTC
 * days), the coarsest table that holds its columns; otherwise from the
 * ledger, but only when the caller's capped count says the match is small
 * (`matched` below COUNT_CAP); else null. Never a sum over the whole ledger.
 */
export async function usageTotals(db: PrismaClient, reads: SqlReader, actor: Actor, input: { filter: UsageFilter; matched?: number }): Promise<UsageTotals | null> {
  const f = input.filter;
  const wholeDays = (!f.from || f.from.getTime() % DAY === 0) && (!f.to || (f.to.getTime() + 1) % DAY === 0);
  if (!f.realmId && wholeDays) {
    const scope = scopeWhere(actor, 'UsageDailyRollup', 'read');
    if (!scope) return null;
    const day = f.from || f.to ? { day: { ...(f.from ? { gte: isoDay(f.from) } : {}), ...(f.to ? { lte: isoDay(f.to) } : {}) } } : {};
    const where = andWhere(scope, Object.fromEntries(Object.entries({ organizationId: f.organizationId, userId: f.userId, apiKeyId: f.apiKeyId, modelId: f.modelId }).filter(([, v]) => v)), day);
    // The coarsest rollups that hold the filter's columns (rollup-tables.ts): an unfiltered
    // superadmin's total sums the model rollups, not the 1.45M daily rows of a 10M-row ledger.
    return { ...(await readOne(reads, rollupSumRead(where))), source: 'rollups' };
  }
  if (input.matched === undefined || input.matched >= COUNT_CAP) return null;
  const scope = scopeWhere(actor, 'UsageEvent', 'read');
  const owned = scope && (await withOwnerOrganization(reads, scope, f));
  if (!scope) return null;
  if (!owned) return { tokens: '0', requests: '0', source: 'ledger' };
  const sum = await db.usageEvent.aggregate({ where: andWhere(scope, usageWhere(owned)), _sum: { totalTokens: true, requests: true } });
  return { tokens: String(sum._sum.totalTokens ?? 0), requests: String(sum._sum.requests ?? 0), source: 'ledger' };
}
