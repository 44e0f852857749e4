import type { PrismaClient } from '@prisma/client';
import { isSystem, type Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { asSystem } from '../seed/system-transaction.js';
import { listUsagePartitions } from './usage-partitions.js';

export interface RebuildResult {
  from: string;
  to: string;
  days: number;
  rollupRows: number;
  /** Set when `from` was moved forward to the oldest ledger month still kept. */
  clampedFrom?: string;
}

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/**
 * Recomputes usage_daily_rollups for the UTC days [from, to] from the ledger
 * (and the coarse rollups of those days from them, rg_refresh_usage_coarse_rollups),
 * one day per transaction (each day's rollups are replaced atomically, and a
 * stopped run can simply be run again). Days whose ledger partition was
 * dropped by retention are never touched: their rollups are all that is left.
 */
export async function rebuildUsageRollups(db: PrismaClient, actor: Actor, input: { from?: Date; to?: Date } = {}): Promise<RebuildResult> {
  if (!isSystem(actor)) throw new AppError('FORBIDDEN', 'Rebuilding rollups is a system task');
  const partitions = await asSystem(db, (tx) => listUsagePartitions(tx));
  if (!partitions.length) throw new AppError('CONFLICT', 'usage_events has no partitions');
  const oldest = partitions[0]!.from;
  let from = utcDay(input.from ?? oldest);
  const to = utcDay(input.to ?? new Date());
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new AppError('INVALID', 'from and to must be dates (YYYY-MM-DD)');
  if (to < from) throw new AppError('INVALID', 'to must not be before from');
  let clampedFrom: string | undefined;
  if (from < oldest) {
    from = oldest;
    clampedFrom = isoDay(oldest);
  }
  let rollupRows = 0;
  let days = 0;
  for (let day = from; day <= to; day = new Date(day.getTime() + DAY)) {
    const next = new Date(day.getTime() + DAY);
    rollupRows += await asSystem(db, async (tx) => {
      await tx.$executeRaw`DELETE FROM usage_daily_rollups WHERE day = ${isoDay(day)}::date`;
      const rows = await tx.$executeRaw`
        INSERT INTO usage_daily_rollups (organization_id, day, model_id, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events, updated_at)
        SELECT organization_id, ${isoDay(day)}::date, model_id, user_id, api_key_id,
               sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(requests), count(*), now()
          FROM usage_events
         WHERE occurred_at >= ${day} AND occurred_at < ${next}
         GROUP BY organization_id, model_id, user_id, api_key_id`;
      // The dashboard's coarse rollups of the day (migration 0019), from the daily ones just written.
      await tx.$queryRaw`SELECT rg_refresh_usage_coarse_rollups(${isoDay(day)}::date, ${isoDay(day)}::date)`;
      return rows;
    }, { timeout: 120_000 });
    days += 1;
  }
  return { from: isoDay(from), to: isoDay(to), days, rollupRows, ...(clampedFrom ? { clampedFrom } : {}) };
}
