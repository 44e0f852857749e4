import { Prisma, type PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction, type Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { authorizeQuotaReset } from './quota-subject.js';

export const resetQuotaInput = z.object({
  counterId: z.string().uuid(),
  /** The generation the confirmation screen showed (quotaStats). */
  expectedGeneration: z.number().int().min(0),
});
export type ResetQuotaInput = z.input<typeof resetQuotaInput>;

export interface QuotaResetResult {
  counterId: string;
  organizationId: string;
  /** usage wiped by this reset, exactly as it stood when the reset took the row */
  usedBefore: bigint;
  generation: number;
  lastResetAt: Date;
}

type Row = { id: string; organization_id: string; used_before: bigint; generation: number; last_reset_at: Date };

/**
 * Compare-and-set resets, one UPDATE for all the given counters. The CTE locks
 * each row (in consumeQuotas' slot order, so neither concurrent bulk resets
 * nor multi-slot consumers can deadlock with it)
 * and reads its latest committed usage; the UPDATE then zeroes only rows still
 * at the expected generation. A consumption racing the reset either committed
 * first (it is in used_before and wiped) or waits for the lock and lands on the
 * new generation: nothing is lost, and a second reset with the same expected
 * generation matches no row.
 */
export function casReset(tx: Tx, wanted: { counterId: string; expectedGeneration: number }[]): Promise<Row[]> {
  const ids = wanted.map((w) => w.counterId);
  const gens = wanted.map((w) => w.expectedGeneration);
  return tx.$queryRaw<Row[]>(Prisma.sql`
    WITH wanted AS (
      SELECT * FROM unnest(${ids}::uuid[], ${gens}::int[]) AS w(id, generation)
    ), prev AS MATERIALIZED (
      SELECT c.id, c.used FROM quota_counters c JOIN wanted w ON w.id = c.id AND c.generation = w.generation
      ORDER BY c.subject_type, c.subject_id, c.metric, c.model_id NULLS LAST, c.period_start FOR UPDATE OF c
    )
    UPDATE quota_counters q
       SET used = 0, generation = q.generation + 1, last_reset_at = now(), updated_at = now()
      FROM prev, wanted w
     WHERE q.id = prev.id AND w.id = q.id AND q.generation = w.generation
    RETURNING q.id, q.organization_id, prev.used AS used_before, q.generation, q.last_reset_at`);
}

/**
 * Resets one quota counter to zero for the rest of its period, once: a second
 * reset with the same expectedGeneration gets CONFLICT, and usage recorded
 * concurrently is either wiped with it or counted after it, never lost.
 */
export async function resetQuota(db: PrismaClient, actor: Actor, rawInput: ResetQuotaInput, meta: RequestMeta = {}): Promise<QuotaResetResult> {
  const input = parseInput(resetQuotaInput, rawInput);
  const readScope = requireScope(actor, 'QuotaCounter', 'read');
  return inActorTransaction(db, actor, async (tx) => {
    const counter = await tx.quotaCounter.findFirst({ where: { AND: [{ id: input.counterId }, readScope] } });
    if (!counter) throw new AppError('NOT_FOUND', 'Quota counter not found');
    await authorizeQuotaReset(tx, actor, counter);
    const [row] = await casReset(tx, [input]);
    if (!row) {
      const now = await tx.quotaCounter.findUnique({ where: { id: counter.id }, select: { generation: true } });
      throw new AppError('CONFLICT', 'This quota was already reset; review the current usage and try again', {
        counterId: counter.id,
        expectedGeneration: input.expectedGeneration,
        currentGeneration: now?.generation ?? null,
      });
    }
    await recordAudit(tx, actor, {
      action: 'quota.reset',
      resource: 'QuotaCounter',
      recordId: row.id,
      organizationId: row.organization_id,
      // The audit keeps changed fields only; the counter row names subject, metric and period.
      before: { used: row.used_before.toString(), generation: input.expectedGeneration },
      after: { used: '0', generation: row.generation },
    }, meta);
    return { counterId: row.id, organizationId: row.organization_id, usedBefore: row.used_before, generation: row.generation, lastResetAt: row.last_reset_at };
  });
}
