import type { PrismaClient } from '@prisma/client';
import { isSystem, type Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { asSystem } from '../seed/system-transaction.js';
import { addMonths, monthStart } from './usage-partitions.js';

export interface RetentionSettings {
  /** Whole months of ledger kept before the current one; null keeps everything. */
  usageRetentionMonths: number | null;
  /** Chat message text kept this many days; null keeps it forever. */
  chatContentRetentionDays: number | null;
  now?: Date;
}

export interface RetentionResult {
  droppedPartitions: string[];
  blankedMessages: number;
}

const CHAT_BATCH = 5_000;

/**
 * Applies retention: drops whole monthly ledger partitions older than the
 * kept months (never a DELETE of rows; rollups stay), and blanks the text of
 * chat messages older than the kept days (rows, token counts and usage stay).
 * System work: it must run on the owner's connection (only a table's owner
 * may drop its partitions). Safe to run from several instances at once.
 */
export async function applyRetention(ownerDb: PrismaClient, actor: Actor, settings: RetentionSettings): Promise<RetentionResult> {
  if (!isSystem(actor)) throw new AppError('FORBIDDEN', 'Retention is a system task');
  const now = settings.now ?? new Date();
  const result: RetentionResult = { droppedPartitions: [], blankedMessages: 0 };

  if (settings.usageRetentionMonths != null) {
    const months = settings.usageRetentionMonths;
    if (!Number.isInteger(months) || months < 1) throw new AppError('INVALID', 'USAGE_RETENTION_MONTHS must be a whole number of months, at least 1');
    const before = addMonths(monthStart(now), -months);
    const rows = await ownerDb.$queryRaw<{ name: string }[]>`SELECT name::text FROM rg_drop_usage_partitions(${before.toISOString().slice(0, 10)}::date) AS name`;
    result.droppedPartitions = rows.map((r) => r.name);
  }

  if (settings.chatContentRetentionDays != null) {
    const days = settings.chatContentRetentionDays;
    if (!Number.isInteger(days) || days < 1) throw new AppError('INVALID', 'CHAT_CONTENT_RETENTION_DAYS must be a whole number of days, at least 1');
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    // Short batches: no long lock on busy chat tables, and SKIP LOCKED lets two instances share the work.
    for (;;) {
      const n = await asSystem(ownerDb, (tx) => tx.$executeRaw`
        UPDATE chat_messages m SET content = '' FROM (
          SELECT organization_id, id FROM chat_messages
           WHERE created_at < ${cutoff} AND content <> '' LIMIT ${CHAT_BATCH} FOR UPDATE SKIP LOCKED) old
         WHERE m.organization_id = old.organization_id AND m.id = old.id`);
      result.blankedMessages += n;
      if (n < CHAT_BATCH) break;
    }
  }
  return result;
}
