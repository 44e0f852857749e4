import type { PrismaClient, QuotaMetric, QuotaPeriod, QuotaSubject } from '@prisma/client';
import { z } from 'zod';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { parseInput } from '../shared/parse-input.js';
import { periodEnd, periodStart } from './period.js';
import { loadQuotaSubject, quotaSubjectInput } from './quota-subject.js';

/** Seed 000's QuotaStats, per metric: used, limit, remaining and percent used in the current period. */
export interface QuotaStat {
  /** null until the period's first use creates the counter */
  counterId: string | null;
  /** pass back to resetQuota as expectedGeneration */
  generation: number | null;
  metric: QuotaMetric;
  period: QuotaPeriod;
  periodStart: Date;
  /** null for LIFETIME */
  periodEnd: Date | null;
  modelId: string | null;
  modelName: string | null;
  used: number;
  reserved: number;
  /** null = unlimited */
  limit: number | null;
  remaining: number | null;
  /** one decimal; may pass 100 when a limit was lowered below what was already used */
  percentUsed: number | null;
}

export interface QuotaStats {
  subject: { subjectType: QuotaSubject; subjectId: string; organizationId: string; name: string };
  at: Date;
  metrics: QuotaStat[];
}

export const quotaStatsInput = quotaSubjectInput.extend({ now: z.coerce.date().optional() });
export type QuotaStatsInput = z.input<typeof quotaStatsInput>;

const PERIODS: QuotaPeriod[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'LIFETIME'];

function stat(base: Omit<QuotaStat, 'remaining' | 'percentUsed' | 'periodEnd'>, now: Date): QuotaStat {
  const { limit, used, reserved } = base;
  return {
    ...base,
    periodEnd: periodEnd(base.period, now),
    remaining: limit === null ? null : Math.max(0, limit - used - reserved),
    percentUsed: limit === null ? null : limit === 0 ? 100 : Math.round((used * 1000) / limit) / 10,
  };
}

/**
 * Usage against every quota of an organization, user or API key for the
 * period containing `now`: configured quotas appear even before their first
 * use (used 0), and counters whose quota is no longer configured still show.
 */
export async function quotaStats(db: PrismaClient, actor: Actor, rawInput: QuotaStatsInput): Promise<QuotaStats> {
  const input = parseInput(quotaStatsInput, rawInput);
  const now = input.now ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const subject = await loadQuotaSubject(tx, actor, input, now);
    const counters = await tx.quotaCounter.findMany({
      where: {
        AND: [
          { subjectType: subject.subjectType, subjectId: subject.subjectId },
          { OR: PERIODS.map((p) => ({ period: p, periodStart: periodStart(p, now) })) },
          subject.counterScope,
        ],
      },
    });
    const key = (metric: string, modelId: string | null, period: string) => `${metric}|${modelId ?? ''}|${period}`;
    const byKey = new Map(counters.map((c) => [key(c.metric, c.modelId, c.period), c]));
    const metrics: QuotaStat[] = subject.definitions.map((d) => {
      const c = byKey.get(key(d.metric, d.modelId, d.period));
      byKey.delete(key(d.metric, d.modelId, d.period));
      return stat({
        counterId: c?.id ?? null,
        generation: c?.generation ?? null,
        metric: d.metric,
        period: d.period,
        periodStart: periodStart(d.period, now),
        modelId: d.modelId,
        modelName: d.modelName,
        used: Number(c?.used ?? 0n),
        reserved: Number(c?.reserved ?? 0n),
        // The configured limit is the one the next consumption applies.
        limit: d.limit === null ? null : Number(d.limit),
      }, now);
    });
    // Counters left from a quota no longer configured: their models' names, read only when there are some
    // (the configured ones came with theirs; an include would ask for every page's counters' models).
    const leftModelIds = [...new Set([...byKey.values()].map((c) => c.modelId).filter((id): id is string => id !== null))];
    const modelNames = new Map(leftModelIds.length ? (await tx.aiModel.findMany({ where: { id: { in: leftModelIds } }, select: { id: true, name: true } })).map((m) => [m.id, m.name]) : []);
    for (const c of byKey.values()) {
      metrics.push(stat({
        counterId: c.id,
        generation: c.generation,
        metric: c.metric,
        period: c.period,
        periodStart: c.periodStart,
        modelId: c.modelId,
        modelName: c.modelId ? (modelNames.get(c.modelId) ?? null) : null,
        used: Number(c.used),
        reserved: Number(c.reserved),
        limit: c.limitValue === null ? null : Number(c.limitValue),
      }, now));
    }
    const { subjectType, subjectId, organizationId, name } = subject;
    return { subject: { subjectType, subjectId, organizationId, name }, at: now, metrics };
  });
}
