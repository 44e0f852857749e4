import type { PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import type { Tx } from '../shared/actor-transaction.js';

type Raw = Pick<PrismaClient, '$queryRaw'> | Tx;

/** Months created ahead of the current one at start. */
export const MONTHS_AHEAD = 3;
/** A batch writing this close to the end of a month makes sure next month's partition exists. */
const NEAR_MONTH_END_MS = 3 * 86_400_000;

const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const addMonths = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Creates the monthly partitions of usage_events for `months` months from the
 * month of `from` that do not exist yet; returns how many it created.
 * Idempotent and safe between racing instances: the SQL function
 * (0012_scale) takes a transaction-scoped advisory lock and runs with the
 * table owner's rights, so the app login may call it (PgBouncer-safe).
 */
export async function ensureUsagePartitions(db: Raw, _actor: Actor, input: { from?: Date; months?: number } = {}): Promise<number> {
  const months = input.months ?? MONTHS_AHEAD + 1;
  if (!Number.isInteger(months) || months < 1 || months > 24) throw new AppError('INVALID', 'months must be an integer from 1 to 24');
  const from = monthStart(input.from ?? new Date());
  const [row] = await (db as Pick<PrismaClient, '$queryRaw'>).$queryRaw<{ created: number }[]>`
    SELECT rg_ensure_usage_partitions(${isoDay(from)}::date, ${months}::int) AS created`;
  return Number(row?.created ?? 0);
}

/**
 * For the hot path: call inside a batch's transaction with the batch's
 * latest occurred_at. Near a month's end it makes sure the next month's
 * partition exists (one cheap catalog check when it does); otherwise nothing.
 */
export async function ensurePartitionAhead(tx: Tx, actor: Actor, latest: Date): Promise<void> {
  const from = partitionMonthAhead(latest);
  if (from) await ensureUsagePartitions(tx, actor, { from: new Date(`${from}T00:00:00Z`), months: 2 });
}

/**
 * The rule behind ensurePartitionAhead, for callers that send the SQL
 * themselves (the hot path's engine): near a month's end, the first day of
 * that month (make sure of it and the next); otherwise null.
 */
export function partitionMonthAhead(latest: Date): string | null {
  const next = addMonths(latest, 1);
  return next.getTime() - latest.getTime() > NEAR_MONTH_END_MS ? null : isoDay(monthStart(latest));
}

/** The monthly partitions of usage_events, oldest first, with their bounds. */
export async function listUsagePartitions(db: Raw): Promise<{ name: string; from: Date; to: Date }[]> {
  const rows = await (db as Pick<PrismaClient, '$queryRaw'>).$queryRaw<{ name: string; bound: string }[]>`
    SELECT c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'usage_events'::regclass`;
  return rows
    .map((r) => {
      const m = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(r.bound);
      return m ? { name: r.name, from: new Date(m[1]!), to: new Date(m[2]!) } : null;
    })
    .filter((p): p is { name: string; from: Date; to: Date } => !!p)
    .sort((a, b) => a.from.getTime() - b.from.getTime());
}

export { monthStart, addMonths };
