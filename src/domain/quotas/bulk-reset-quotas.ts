import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { authorizeQuotaReset } from './quota-subject.js';
import { casReset, resetQuotaInput, type QuotaResetResult } from './reset-quota.js';

export const bulkResetQuotasInput = z.object({
  counters: z
    .array(resetQuotaInput)
    .min(1)
    .max(1000)
    .refine((cs) => new Set(cs.map((c) => c.counterId)).size === cs.length, 'each counter once'),
});
export type BulkResetQuotasInput = z.input<typeof bulkResetQuotasInput>;

export interface BulkResetResult {
  reset: QuotaResetResult[];
  /** counters someone else reset since the confirmation was shown: left as they are */
  alreadyReset: string[];
}

/**
 * Resets many counters (the organizations, users or keys picked in a list, or
 * every quota of one subject) in one compare-and-set UPDATE: every counter must
 * be the actor's to reset or nothing happens (NOT_FOUND / FORBIDDEN); counters
 * already reset since they were shown are reported, not reset twice.
 */
export async function bulkResetQuotas(db: PrismaClient, actor: Actor, rawInput: BulkResetQuotasInput, meta: RequestMeta = {}): Promise<BulkResetResult> {
  const input = parseInput(bulkResetQuotasInput, rawInput);
  const readScope = requireScope(actor, 'QuotaCounter', 'read');
  return inActorTransaction(db, actor, async (tx) => {
    const ids = input.counters.map((c) => c.counterId);
    const counters = await tx.quotaCounter.findMany({ where: { AND: [{ id: { in: ids } }, readScope] } });
    if (counters.length !== ids.length) {
      const found = new Set(counters.map((c) => c.id));
      throw new AppError('NOT_FOUND', 'Some quota counters were not found', { missing: ids.filter((id) => !found.has(id)) });
    }
    // One check per subject and metric kind: a list of 50 organizations costs 50 lookups, not one per counter.
    const checked = new Set<string>();
    for (const c of counters) {
      const k = `${c.subjectType}|${c.subjectId}|${c.subjectType === 'ORGANIZATION' ? c.metric : ''}`;
      if (checked.has(k)) continue;
      await authorizeQuotaReset(tx, actor, c);
      checked.add(k);
    }
    const rows = await casReset(tx, input.counters);
    const byId = new Map(counters.map((c) => [c.id, c]));
    const reset: QuotaResetResult[] = [];
    for (const row of rows) {
      const c = byId.get(row.id)!;
      const expected = input.counters.find((w) => w.counterId === row.id)!.expectedGeneration;
      await recordAudit(tx, actor, {
        action: 'quota.reset',
        resource: 'QuotaCounter',
        recordId: row.id,
        organizationId: row.organization_id,
        // The audit keeps changed fields only; the counter row names subject, metric and period.
        before: { used: row.used_before.toString(), generation: expected },
        after: { used: '0', generation: row.generation, via: `bulk reset of ${c.subjectType.toLowerCase()} quotas` },
      }, meta);
      reset.push({ counterId: row.id, organizationId: row.organization_id, usedBefore: row.used_before, generation: row.generation, lastResetAt: row.last_reset_at });
    }
    const done = new Set(rows.map((r) => r.id));
    return { reset, alreadyReset: ids.filter((id) => !done.has(id)) };
  });
}
