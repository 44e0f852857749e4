import { modelSql } from '../../db/model-sql.js';
import { noRead, readOne, type PreparedRead, type SqlReader } from '../../db/tenant-sql-reads.js';
import { whereSql } from '../../db/where-sql.js';
import type { Actor } from '../shared/actor.js';
import { scopeWhere, type Where } from '../access/scope.js';
import { AppError } from '../shared/app-error.js';
import { andWhere } from './list-ledger-page.js';
import { rollupModelFor } from './rollup-tables.js';

/** Whose usage a chart shows; none = everything the actor may see. */
export interface UsageSubject {
  organizationId?: string;
  userId?: string;
  apiKeyId?: string;
  /** A realm's usage is the usage through its API keys (rollups have no realm). */
  realmId?: string;
}

export interface UsageSeries {
  days: string[];
  /** One series per model (tokens and requests per day), largest first. */
  models: { id: string | null; name: string; tokens: number[]; requests: number[] }[];
}

export interface TopEntry {
  id: string | null;
  name: string;
  tokens: string;
  requests: string;
}

const DAY = 86_400_000;
export const CHART_WINDOWS = [7, 30, 90] as const;
const MAX_MODELS = 8;

function windowStart(days: number, now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY);
}

/** A Prisma-shaped `where` on a rollup model as SQL, with `extra` conditions (already SQL) appended. */
function rollupCondition(model: string, where: Where, values: unknown[], extra: string[] = []): string {
  return [whereSql(where, modelSql(model).columns, values), ...extra].join(' AND ');
}

/**
 * The rollups of `subject` within the actor's scope: its `where`, the fields
 * that pick the rollup table (rollupModelFor: a realm's rows are picked by
 * key) and, for a realm, the SQL that names its keys (rollups have no realm:
 * a realm's usage is its keys', at most 1000, those the actor may read).
 * Null when the actor may read no rollups.
 */
function subjectWhere(actor: Actor, s: UsageSubject, values: unknown[]): { where: Where; picks: Where; extra: string[] } | null {
  const scope = scopeWhere(actor, 'UsageDailyRollup', 'read');
  if (!scope) return null;
  const own: Where = {};
  if (s.organizationId) own.organizationId = s.organizationId;
  if (s.userId) own.userId = s.userId;
  if (s.apiKeyId) own.apiKeyId = s.apiKeyId;
  const extra: string[] = [];
  if (s.realmId) {
    const keyScope = scopeWhere(actor, 'ApiKey', 'read');
    const keys = modelSql('ApiKey');
    extra.push(keyScope ? `"api_key_id" IN (SELECT "id" FROM "${keys.table}" WHERE ${whereSql(andWhere(keyScope, { realmId: s.realmId }), keys.columns, values)} LIMIT 1000)` : 'FALSE');
    return { where: andWhere(scope, own), picks: andWhere(scope, { ...own, apiKeyId: s.realmId }), extra };
  }
  return { where: andWhere(scope, own), picks: andWhere(scope, own), extra };
}

type SeriesRow = { day: string; modelId: string | null; name: string | null; tokens: string; requests: string };

/**
 * Tokens and requests per UTC day for the last `days` days, one series per
 * model, from rollups only (never the ledger; the coarsest that holds the
 * scope's and subject's columns, rollup-tables.ts), within the actor's scope.
 * Model names are read by id only: a model the viewer may no longer open
 * still has a name in their usage history (row-level security still decides).
 */
export function usageSeriesRead(actor: Actor, input: { days: number; subject?: UsageSubject; now?: Date }): PreparedRead<UsageSeries> {
  if (!(CHART_WINDOWS as readonly number[]).includes(input.days)) throw new AppError('INVALID', `days must be one of ${CHART_WINDOWS.join(', ')}`);
  const start = windowStart(input.days, input.now ?? new Date());
  const days = Array.from({ length: input.days }, (_, i) => new Date(start.getTime() + i * DAY).toISOString().slice(0, 10));
  const values: unknown[] = [];
  const subject = subjectWhere(actor, input.subject ?? {}, values);
  if (!subject) return noRead({ days, models: [] });
  const model = rollupModelFor(andWhere(subject.picks, { day: { gte: start } }), ['day', 'modelId']);
  values.push(days[0]);
  const condition = rollupCondition(model, subject.where, values, [...subject.extra, `"day" >= $${values.length}::date`]);
  const text = `SELECT to_char(s."day", 'YYYY-MM-DD') AS "day", s."model_id" AS "modelId", m."name", s."tokens"::text AS "tokens", s."requests"::text AS "requests"
    FROM (SELECT "day", "model_id", sum("total_tokens") AS "tokens", sum("requests") AS "requests" FROM "${modelSql(model).table}" WHERE ${condition} GROUP BY "day", "model_id") AS s
    LEFT JOIN "${modelSql('AiModel').table}" AS m ON m."id" = s."model_id"`;
  return { statements: [{ text, values }], parse: ([rows]) => seriesOf(days, rows as SeriesRow[]) };
}

function seriesOf(days: string[], rows: SeriesRow[]): UsageSeries {
  const index = new Map(days.map((d, i) => [d, i]));
  const byModel = new Map<string | null, { name: string | null; tokens: number[]; requests: number[]; total: number }>();
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    let m = byModel.get(r.modelId);
    if (!m) byModel.set(r.modelId, (m = { name: r.name, tokens: Array(days.length).fill(0), requests: Array(days.length).fill(0), total: 0 }));
    m.tokens[i] += Number(r.tokens);
    m.requests[i] += Number(r.requests);
    m.total += Number(r.tokens);
  }
  const sorted = [...byModel.entries()].sort((a, b) => b[1].total - a[1].total);
  const models = sorted.slice(0, MAX_MODELS).map(([id, m]) => ({ id, name: id ? (m.name ?? 'Other model') : 'No model', tokens: m.tokens, requests: m.requests }));
  // The long tail folds into one series so the chart stays readable.
  const rest = sorted.slice(MAX_MODELS);
  if (rest.length) {
    models.push({
      id: null,
      name: `${rest.length} more models`,
      tokens: days.map((_, i) => rest.reduce((a, [, m]) => a + m.tokens[i]!, 0)),
      requests: days.map((_, i) => rest.reduce((a, [, m]) => a + m.requests[i]!, 0)),
    });
  }
  return { days, models };
}

/** usageSeriesRead, read on its own. */
export function usageSeries(reads: SqlReader, actor: Actor, input: { days: number; subject?: UsageSubject; now?: Date }): Promise<UsageSeries> {
  return readOne(reads, usageSeriesRead(actor, input));
}

/**
 * The models that used the most tokens in a series (most first, at most
 * `take`): the series already sums every model's days, so a dashboard need
 * not scan the same rollups again for its top models (70 ms of a superadmin's
 * 90 days at 10M ledger rows). The series keeps its MAX_MODELS largest models
 * by name before folding the rest, so any `take` up to that is exact.
 */
export function topModelsOf(series: UsageSeries, take = 5): TopEntry[] {
  if (take > MAX_MODELS) throw new Error(`topModelsOf: at most ${MAX_MODELS}`);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return series.models.slice(0, take).map((m) => ({ id: m.id, name: m.name, tokens: String(sum(m.tokens)), requests: String(sum(m.requests)) }));
}

type TopBy = 'organizationId' | 'modelId' | 'userId' | 'apiKeyId';

/** Where each dimension's names live. Names come through the request's login: rows the viewer may not see stay unnamed. */
const NAMES: Record<TopBy, { model: string; field: string }> = {
  organizationId: { model: 'Organization', field: 'name' },
  modelId: { model: 'AiModel', field: 'name' },
  userId: { model: 'User', field: 'email' },
  apiKeyId: { model: 'ApiKey', field: 'name' },
};

/** The largest users of tokens over the last `days` days by one dimension, from the coarsest rollups that hold it. */
export function topUsageRead(actor: Actor, input: { by: TopBy; days: number; take?: number; now?: Date }): PreparedRead<TopEntry[]> {
  const scope = scopeWhere(actor, 'UsageDailyRollup', 'read');
  if (!scope) return noRead([]);
  const start = windowStart(input.days, input.now ?? new Date());
  const model = rollupModelFor(andWhere(scope, { day: { gte: start } }), [input.by]);
  const rollups = modelSql(model);
  const names = modelSql(NAMES[input.by].model);
  const values: unknown[] = [];
  values.push(start.toISOString().slice(0, 10));
  const condition = rollupCondition(model, scope, values, [`"day" >= $1::date`]);
  const column = rollups.columns[input.by]!.column;
  const text = `SELECT s."id", n."${names.columns[NAMES[input.by].field]!.column}" AS "name", s."tokens"::text AS "tokens", s."requests"::text AS "requests"
    FROM (SELECT "${column}" AS "id", sum("total_tokens") AS "tokens", sum("requests") AS "requests" FROM "${rollups.table}" WHERE ${condition}
          GROUP BY "${column}" ORDER BY sum("total_tokens") DESC LIMIT ${input.take ?? 5}) AS s
    LEFT JOIN "${names.table}" AS n ON n."id" = s."id" ORDER BY s."tokens" DESC`;
  return {
    statements: [{ text, values }],
    parse: ([rows]) =>
      (rows as { id: string | null; name: string | null; tokens: string; requests: string }[]).map((r) => ({
        id: r.id,
        name: r.id ? (r.name ?? r.id.slice(0, 8)) : 'None',
        tokens: r.tokens,
        requests: r.requests,
      })),
  };
}

/** Refused requests (429) per limit over the last `days` days, from usage_refusals. */
export function refusalCountsRead(actor: Actor, input: { days: number; now?: Date }): PreparedRead<{ code: string; count: string }[]> {
  const scope = scopeWhere(actor, 'UsageDailyRollup', 'read');
  if (!scope) return noRead([]);
  // Refusals are per organization: a USER sees their organization's, as on its quota panel.
  const orgOnly = typeof scope.organizationId === 'string' ? { organizationId: scope.organizationId } : {};
  const refusals = modelSql('UsageRefusal');
  const values: unknown[] = [];
  const condition = whereSql(andWhere(orgOnly, { day: { gte: windowStart(input.days, input.now ?? new Date()).toISOString().slice(0, 10) } }), refusals.columns, values);
  const text = `SELECT "code", sum("count")::text AS "count" FROM "${refusals.table}" WHERE ${condition} GROUP BY "code" ORDER BY sum("count") DESC`;
  return { statements: [{ text, values }], parse: ([rows]) => rows as { code: string; count: string }[] };
}
