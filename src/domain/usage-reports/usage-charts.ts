import type { PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { scopeWhere, type Where } from '../access/scope.js';
import { AppError } from '../shared/app-error.js';
import { andWhere } from './list-ledger-page.js';
import { rollupsFor } from './rollup-tables.js';

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

async function subjectWhere(db: PrismaClient, actor: Actor, s: UsageSubject): Promise<Where | null> {
  const scope = scopeWhere(actor, 'UsageDailyRollup', 'read');
  if (!scope) return null;
  const own: Where = {};
  if (s.organizationId) own.organizationId = s.organizationId;
  if (s.userId) own.userId = s.userId;
  if (s.apiKeyId) own.apiKeyId = s.apiKeyId;
  if (s.realmId) {
    const keyScope = scopeWhere(actor, 'ApiKey', 'read');
    const keys = keyScope ? await db.apiKey.findMany({ where: andWhere(keyScope, { realmId: s.realmId }), select: { id: true }, take: 1000 }) : [];
    own.apiKeyId = { in: keys.map((k) => k.id) };
  }
  return andWhere(scope, own);
}

/**
 * Tokens and requests per UTC day for the last `days` days, one series per
 * model, from rollups only (never the ledger; the coarsest that holds the
 * scope's and subject's columns, rollup-tables.ts), within the actor's scope.
 */
export async function usageSeries(db: PrismaClient, actor: Actor, input: { days: number; subject?: UsageSubject; now?: Date }): Promise<UsageSeries> {
  if (!(CHART_WINDOWS as readonly number[]).includes(input.days)) throw new AppError('INVALID', `days must be one of ${CHART_WINDOWS.join(', ')}`);
  const now = input.now ?? new Date();
  const start = windowStart(input.days, now);
  const days = Array.from({ length: input.days }, (_, i) => new Date(start.getTime() + i * DAY).toISOString().slice(0, 10));
  const where = await subjectWhere(db, actor, input.subject ?? {});
  if (!where) return { days, models: [] };
  const inWindow = andWhere(where, { day: { gte: start } });
  const rows = (await rollupsFor(db, inWindow, ['day', 'modelId']).groupBy({
    by: ['day', 'modelId'],
    where: inWindow,
    _sum: { totalTokens: true, requests: true },
  })) as { day: Date; modelId: string | null; _sum: { totalTokens: bigint | null; requests: bigint | null } }[];
  const byModel = new Map<string | null, { tokens: number[]; requests: number[]; total: number }>();
  for (const r of rows) {
    const i = Math.round((r.day.getTime() - start.getTime()) / DAY);
    if (i < 0 || i >= input.days) continue;
    let m = byModel.get(r.modelId);
    if (!m) byModel.set(r.modelId, (m = { tokens: Array(input.days).fill(0), requests: Array(input.days).fill(0), total: 0 }));
    m.tokens[i] += Number(r._sum.totalTokens ?? 0n);
    m.requests[i] += Number(r._sum.requests ?? 0n);
    m.total += Number(r._sum.totalTokens ?? 0n);
  }
  const names = await modelNames(db, actor, [...byModel.keys()].filter((k): k is string => !!k));
  const sorted = [...byModel.entries()].sort((a, b) => b[1].total - a[1].total);
  const models = sorted.slice(0, MAX_MODELS).map(([id, m]) => ({ id, name: id ? (names.get(id) ?? 'Other model') : 'No model', tokens: m.tokens, requests: m.requests }));
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

async function modelNames(db: PrismaClient, actor: Actor, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length || !scopeWhere(actor, 'UsageDailyRollup', 'read')) return new Map();
  // By id only: a model the viewer may no longer open still has a name in their
  // usage history (row-level security still decides what the tenant client returns).
  const rows = await db.aiModel.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(rows.map((m) => [m.id, m.name]));
}

type TopBy = 'organizationId' | 'modelId' | 'userId' | 'apiKeyId';

/** The largest users of tokens over the last `days` days by one dimension, from the coarsest rollups that hold it. */
export async function topUsage(db: PrismaClient, actor: Actor, input: { by: TopBy; days: number; take?: number; now?: Date }): Promise<TopEntry[]> {
  const scope = scopeWhere(actor, 'UsageDailyRollup', 'read');
  if (!scope) return [];
  const start = windowStart(input.days, input.now ?? new Date());
  const where = andWhere(scope, { day: { gte: start } });
  const rows = (await rollupsFor(db, where, [input.by]).groupBy({
    by: [input.by],
    where,
    _sum: { totalTokens: true, requests: true },
    orderBy: { _sum: { totalTokens: 'desc' } },
    take: input.take ?? 5,
  })) as { _sum: { totalTokens: bigint | null; requests: bigint | null } }[];
  const ids = rows.map((r) => (r as Record<string, unknown>)[input.by] as string | null).filter((x): x is string => !!x);
  const names = await namesFor(db, input.by, ids);
  return rows.map((r) => {
    const id = (r as Record<string, unknown>)[input.by] as string | null;
    return { id, name: id ? (names.get(id) ?? id.slice(0, 8)) : 'None', tokens: String(r._sum.totalTokens ?? 0n), requests: String(r._sum.requests ?? 0n) };
  });
}

async function namesFor(db: PrismaClient, by: TopBy, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const where = { id: { in: ids } };
  // Names come through the request's tenant client: rows the viewer may not see stay unnamed.
  switch (by) {
    case 'organizationId':
      return new Map((await db.organization.findMany({ where, select: { id: true, name: true } })).map((r) => [r.id, r.name]));
    case 'modelId':
      return new Map((await db.aiModel.findMany({ where, select: { id: true, name: true } })).map((r) => [r.id, r.name]));
    case 'userId':
      return new Map((await db.user.findMany({ where, select: { id: true, email: true } })).map((r) => [r.id, r.email]));
    case 'apiKeyId':
      return new Map((await db.apiKey.findMany({ where, select: { id: true, name: true } })).map((r) => [r.id, r.name]));
  }
}

/** Refused requests (429) per limit over the last `days` days, from usage_refusals. */
export async function refusalCounts(db: PrismaClient, actor: Actor, input: { days: number; now?: Date }): Promise<{ code: string; count: string }[]> {
  const scope = scopeWhere(actor, 'UsageDailyRollup', 'read');
  if (!scope) return [];
  // Refusals are per organization: a USER sees their organization's, as on its quota panel.
  const orgOnly = typeof scope.organizationId === 'string' ? { organizationId: scope.organizationId } : {};
  const rows = await db.usageRefusal.groupBy({
    by: ['code'],
    where: { ...orgOnly, day: { gte: windowStart(input.days, input.now ?? new Date()) } },
    _sum: { count: true },
    orderBy: { _sum: { count: 'desc' } },
  });
  return rows.map((r) => ({ code: r.code, count: String(r._sum?.count ?? 0n) }));
}
