import { modelSql } from '../../db/model-sql.js';
import { noRead, type PreparedRead } from '../../db/tenant-sql-reads.js';
import { whereSql } from '../../db/where-sql.js';
import type { Actor } from '../shared/actor.js';
import { scopeWhere } from '../access/scope.js';
import { periodStart } from '../quotas/period.js';
import { quotaLevel } from '../quotas/quota-level.js';

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
const PERIODS = ['DAILY', 'WEEKLY', 'MONTHLY'] as const;

type GaugeRow = { subjectType: string; subjectId: string; metric: string; period: string; used: string; limitValue: string; modelName: string | null; subjectName: string | null };

/**
 * The quotas nearest to (or past) their limit in the current periods, from
 * quota counters (never the ledger), within the actor's scope: warnings at 80%
 * and 100%. Of the counters that have a limit, the CANDIDATES most used,
 * then the SHOWN highest by percent, each named by its subject (an
 * organization, user or key the viewer may read) and its model.
 */
export function quotaGaugesRead(actor: Actor, input: { now?: Date } = {}): PreparedRead<QuotaGauge[]> {
  const scope = scopeWhere(actor, 'QuotaCounter', 'read');
  if (!scope) return noRead([]);
  const now = input.now ?? new Date();
  const counters = modelSql('QuotaCounter');
  const values: unknown[] = [];
  const periods = PERIODS.map((p) => {
    values.push(p, periodStart(p, now));
    return `("period" = $${values.length - 1}::"QuotaPeriod" AND "period_start" = $${values.length}::timestamptz)`;
  });
  const condition = `${whereSql(scope, counters.columns, values)} AND "limit_value" IS NOT NULL AND (${periods.join(' OR ')})`;
  const [orgs, users, keys, models] = ['Organization', 'User', 'ApiKey', 'AiModel'].map((m) => modelSql(m).table);
  const percent = `CASE WHEN "limit_value" = 0 THEN 1000 ELSE "used" * 1000 / "limit_value" END`;
  const text = `SELECT c."subject_type"::text AS "subjectType", c."subject_id" AS "subjectId", c."metric"::text AS "metric", c."period"::text AS "period",
           c."used"::text AS "used", c."limit_value"::text AS "limitValue", m."name" AS "modelName", coalesce(o."name", u."email", k."name") AS "subjectName"
      FROM (SELECT * FROM (SELECT "subject_type", "subject_id", "metric", "period", "used", "limit_value", "model_id" FROM "${counters.table}"
                            WHERE ${condition} ORDER BY "used" DESC LIMIT ${CANDIDATES}) AS top
             ORDER BY ${percent} DESC, "used" DESC LIMIT ${SHOWN}) AS c
      LEFT JOIN "${models}" AS m ON m."id" = c."model_id"
      LEFT JOIN "${orgs}" AS o ON c."subject_type" = 'ORGANIZATION' AND o."id" = c."subject_id"
      LEFT JOIN "${users}" AS u ON c."subject_type" = 'USER' AND u."id" = c."subject_id"
      LEFT JOIN "${keys}" AS k ON c."subject_type" = 'API_KEY' AND k."id" = c."subject_id"`;
  return {
    statements: [{ text, values }],
    parse: ([rows]) =>
      (rows as GaugeRow[])
        .map((c) => {
          const [used, limit] = [BigInt(c.used), BigInt(c.limitValue)];
          return { c, percent: limit === 0n ? 100 : Number((used * 1000n) / limit) / 10 };
        })
        .sort((a, b) => b.percent - a.percent)
        .map(({ c, percent }) => ({
          subjectType: c.subjectType,
          subjectId: c.subjectId,
          name: `${c.subjectName ?? c.subjectId.slice(0, 8)}${c.modelName ? ` · ${c.modelName}` : ''}`,
          metric: c.metric,
          period: c.period,
          used: c.used,
          limit: c.limitValue,
          percent,
          level: quotaLevel(percent),
        })),
  };
}
