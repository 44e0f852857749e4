import { modelSql } from '../../db/model-sql.js';
import { noRead, readAll, readOne, type PreparedRead, type SqlReader } from '../../db/tenant-sql-reads.js';
import { whereSql } from '../../db/where-sql.js';
import type { Actor } from '../shared/actor.js';
import { scopeWhere, type Where } from '../access/scope.js';
import { COUNT_CAP } from './ledger-cursor.js';
import type { UsageFilter } from './ledger-filters.js';
import { andWhere, ledgerCountRead, usageLedgerWhere, type LedgerCount } from './list-ledger-page.js';
import { rollupSumRead } from './rollup-tables.js';

export interface UsageTotals {
  tokens: string;
  requests: string;
  /** rollups: daily sums; ledger: summed rows (only for small, non-day-aligned matches) */
  source: 'rollups' | 'ledger';
}

/** The usage list's totals line: how many rows a filter matches (capped), and their tokens and requests. */
export interface UsageSummary extends LedgerCount {
  totals: UsageTotals | null;
}

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The sum of the rollups for a filter they can answer (organization, user,
 * key, model, whole UTC days), from the coarsest table that holds its columns
 * (rollup-tables.ts: an unfiltered superadmin's total sums the model rollups,
 * not the 1.45M daily rows of a 10M-row ledger); null when the viewer may not
 * read rollups. Undefined when the rollups cannot answer the filter (a realm,
 * part of a day).
 */
function rollupTotalsRead(actor: Actor, f: UsageFilter): PreparedRead<UsageTotals | null> | undefined {
  const wholeDays = (!f.from || f.from.getTime() % DAY === 0) && (!f.to || (f.to.getTime() + 1) % DAY === 0);
  if (f.realmId || !wholeDays) return undefined;
  const scope = scopeWhere(actor, 'UsageDailyRollup', 'read');
  if (!scope) return noRead(null);
  const day = f.from || f.to ? { day: { ...(f.from ? { gte: isoDay(f.from) } : {}), ...(f.to ? { lte: isoDay(f.to) } : {}) } } : {};
  const where = andWhere(scope, Object.fromEntries(Object.entries({ organizationId: f.organizationId, userId: f.userId, apiKeyId: f.apiKeyId, modelId: f.modelId }).filter(([, v]) => v)), day);
  const sum = rollupSumRead(where);
  return { statements: sum.statements, parse: (rows) => ({ ...sum.parse(rows), source: 'rollups' }) };
}

function ledgerSumRead(where: Where): PreparedRead<UsageTotals> {
  const { table, columns } = modelSql('UsageEvent');
  const values: unknown[] = [];
  const text = `SELECT coalesce(sum("total_tokens"), 0)::text AS "tokens", coalesce(sum("requests"), 0)::text AS "requests" FROM "${table}" WHERE ${whereSql(where, columns, values)}`;
  return { statements: [{ text, values }], parse: ([rows]) => ({ ...(rows![0] as { tokens: string; requests: string }), source: 'ledger' }) };
}

/**
 * The totals line of a usage filter within the actor's scope: the matching
 * rows counted no further than COUNT_CAP, and their tokens and requests. The
 * count and the rollups' sum go in one round trip; a filter the rollups
 * cannot answer is summed from the ledger only when the count says the match
 * is small (below COUNT_CAP), else its totals are null. Never a sum over the
 * whole ledger.
 */
export async function usageSummary(reads: SqlReader, actor: Actor, f: UsageFilter): Promise<UsageSummary> {
  const scope = scopeWhere(actor, 'UsageEvent', 'read');
  const where = scope && (await usageLedgerWhere(reads, scope, f));
  const rollups = rollupTotalsRead(actor, f);
  const [count, rolled] = await readAll(reads, [ledgerCountRead('UsageEvent', where), rollups ?? noRead(null)] as const, { sort: false });
  if (rollups) return { ...count, totals: rolled };
  if (!scope) return { ...count, totals: null };
  if (!where) return { ...count, totals: { tokens: '0', requests: '0', source: 'ledger' } };
  if (count.totalCapped || count.total >= COUNT_CAP) return { ...count, totals: null };
  return { ...count, totals: await readOne(reads, ledgerSumRead(where), { sort: false }) };
}
