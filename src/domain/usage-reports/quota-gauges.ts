import type { PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { scopeWhere } from '../access/scope.js';
import { periodStart } from '../quotas/period.js';
import { quotaLevel } from '../quotas/quota-level.js';
import { andWhere } from './list-ledger-page.js';

export interface QuotaGauge {
  subjectType: string;
  subjectId: string;
  name: string;
  metric: string;
  period: string;
  used: string;
  limit: string;
  percent: number;
  /** ok below 80%, warning from 80%, exceeded from 100% */
  level: 'ok' | 'warning' | 'exceeded';
}

const CANDIDATES = 500;
const SHOWN = 8;

/**
 * The quotas nearest to (or past) their limit in the current periods, from
 * quota counters (never the ledger), within the actor's scope: warnings at 80%
 * and 100%.
 */
export async function quotaGauges(db: PrismaClient, actor: Actor, input: { now?: Date } = {}): Promise<QuotaGauge[]> {
  const scope = scopeWhere(actor, 'QuotaCounter', 'read');
  if (!scope) return [];
  const now = input.now ?? new Date();
  const counters = await db.quotaCounter.findMany({
    where: andWhere(scope, {
      limitValue: { not: null },
      OR: (['DAILY', 'WEEKLY', 'MONTHLY'] as const).map((p) => ({ period: p, periodStart: periodStart(p, now) })),
    }),
    orderBy: { used: 'desc' },
    take: CANDIDATES,
    select: { subjectType: true, subjectId: true, metric: true, period: true, used: true, limitValue: true, model: { select: { name: true } } },
  });
  const gauges = counters
    .map((c) => {
      const limit = c.limitValue!;
      const percent = limit === 0n ? 100 : Number((c.used * 1000n) / limit) / 10;
      return { c, percent };
    })
    .sort((a, b) => b.percent - a.percent)
    .slice(0, SHOWN);
  const ids = (type: string) => gauges.filter((g) => g.c.subjectType === type).map((g) => g.c.subjectId);
  const [orgs, users, keys] = await Promise.all([
    db.organization.findMany({ where: { id: { in: ids('ORGANIZATION') } }, select: { id: true, name: true } }),
    db.user.findMany({ where: { id: { in: ids('USER') } }, select: { id: true, email: true } }),
    db.apiKey.findMany({ where: { id: { in: ids('API_KEY') } }, select: { id: true, name: true } }),
  ]);
  const names = new Map<string, string>([...orgs.map((o) => [o.id, o.name] as const), ...users.map((u) => [u.id, u.email] as const), ...keys.map((k) => [k.id, k.name] as const)]);
  return gauges.map(({ c, percent }) => ({
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    name: `${names.get(c.subjectId) ?? c.subjectId.slice(0, 8)}${c.model ? ` · ${c.model.name}` : ''}`,
    metric: c.metric,
    period: c.period,
    used: String(c.used),
    limit: String(c.limitValue),
    percent,
    level: quotaLevel(percent),
  }));
}
