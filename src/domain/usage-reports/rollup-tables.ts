import { modelSql } from '../../db/model-sql.js';
import type { PreparedRead } from '../../db/tenant-sql-reads.js';
import { whereSql } from '../../db/where-sql.js';
import type { Where } from '../access/scope.js';

/**
 * The rollup table that answers a usage question from the fewest rows.
 * usage_daily_rollups has one row per organization, day, model, user and key
 * and answers everything; the coarse rollups of migration 0019 hold the same
 * sums over fewer dimensions (kept by the same batch write, rebuilt with it),
 * so a question that filters and groups only on their columns reads them:
 * the dashboard of a superadmin or an org admin over 30 days reads tens of
 * thousands of rows instead of hundreds of thousands at 10M ledger rows.
 * A USER's scope (their own user id) and a realm's keys by model still need
 * the daily rollups, which their indexes narrow to a few rows.
 */
const COARSE = [
  // Usually the smaller one: organizations use a handful of models through many keys.
  { delegate: 'usageDailyModelRollup', columns: new Set(['organizationId', 'day', 'modelId']) },
  { delegate: 'usageDailyKeyRollup', columns: new Set(['organizationId', 'day', 'userId', 'apiKeyId']) },
] as const;

/** Every field a Prisma `where` names, at any depth of AND / OR / NOT. */
function fieldsOf(where: Where, into = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(where)) {
    if (key === 'AND' || key === 'OR' || key === 'NOT') for (const w of [value].flat()) fieldsOf(w as Where, into);
    else into.add(key);
  }
  return into;
}

const TABLE_NAMES = { usageDailyModelRollup: 'usage_daily_model_rollups', usageDailyKeyRollup: 'usage_daily_key_rollups', usageDailyRollup: 'usage_daily_rollups' } as const;

/** The delegate name of the coarsest rollup table holding every field of `where` and of `by` (the group-by fields). */
function pick(where: Where, by: readonly string[]): keyof typeof TABLE_NAMES {
  const needed = [...fieldsOf(where), ...by];
  return COARSE.find((t) => needed.every((f) => t.columns.has(f)))?.delegate ?? 'usageDailyRollup';
}

/** Which table answers `where` grouped by `by`, by name (tests check the choice). */
export function rollupTableFor(where: Where, by: readonly string[] = []): (typeof TABLE_NAMES)[keyof typeof TABLE_NAMES] {
  return TABLE_NAMES[pick(where, by)];
}

const MODEL_NAMES = { usageDailyModelRollup: 'UsageDailyModelRollup', usageDailyKeyRollup: 'UsageDailyKeyRollup', usageDailyRollup: 'UsageDailyRollup' } as const;

/** The Prisma model of that table (for SQL readers: modelSql). */
export function rollupModelFor(where: Where, by: readonly string[] = []): (typeof MODEL_NAMES)[keyof typeof MODEL_NAMES] {
  return MODEL_NAMES[pick(where, by)];
}

/**
 * Tokens and requests of the rollups matching `where` (a Prisma-shaped where
 * on rollup fields; days as 'YYYY-MM-DD'), summed from the coarsest rollup
 * table that holds its fields: the dashboard's month and the usage list's
 * totals line.
 */
export function rollupSumRead(where: Where): PreparedRead<{ tokens: string; requests: string }> {
  const { table, columns } = modelSql(rollupModelFor(where));
  const values: unknown[] = [];
  const text = `SELECT coalesce(sum("total_tokens"), 0)::text AS "tokens", coalesce(sum("requests"), 0)::text AS "requests" FROM "${table}" WHERE ${whereSql(where, columns, values)}`;
  return { statements: [{ text, values }], parse: ([rows]) => rows![0] as { tokens: string; requests: string } };
}
