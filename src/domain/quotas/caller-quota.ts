import type { PrismaClient, QuotaMetric, QuotaPeriod, QuotaSubject } from '@prisma/client';
import { z } from 'zod';
import { loadModelCatalog, prismaQuery, usableModels, usableModelSubject, type SqlQuery, type UsableModel } from '../model-access/usable-models.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { parseInput } from '../shared/parse-input.js';
import type { LimitName } from '../usage/usage-ops.js';
import { periodEnd, periodStart } from './period.js';

export interface CallerLimit {
  limit: LimitName;
  subjectType: QuotaSubject;
  subjectId: string;
  modelId: string | null;
  modelName: string | null;
  period: QuotaPeriod | 'MINUTE';
  periodStart: Date;
  periodEnd: Date | null;
  /** null = unlimited (usage is still counted) */
  limitValue: number | null;
  used: number;
  reserved: number;
  remaining: number | null;
}

export interface CallerQuota {
  organizationId: string;
  apiKeyId: string | null;
  userId: string | null;
  at: Date;
  limits: CallerLimit[];
}

export const callerQuotaInput = z.object({ now: z.coerce.date().optional() }).strict();
export type CallerQuotaInput = z.input<typeof callerQuotaInput>;

interface Wanted {
  limit: LimitName;
  subjectType: QuotaSubject;
  subjectId: string;
  metric: QuotaMetric;
  modelId: string | null;
  modelName: string | null;
  period: QuotaPeriod;
  limitValue: number | null;
}

/** Reads the current-period counters of `wanted` (absent = nothing used yet) into limits. */
export async function readLimits(query: SqlQuery, organizationId: string, wanted: Wanted[], now: Date): Promise<CallerLimit[]> {
  const starts = wanted.map((w) => periodStart(w.period, now));
  // Every subject wanted is the caller organization's (it, its key, its user): the counters'
  // unique index leads with organization_id (0012_scale). rg_caller_counters (migration 0020)
  // keeps its plan: planning was most of this read.
  const rows = wanted.length ? await query<{ subject_type: string; subject_id: string; metric: string; model_id: string | null; period_start: Date; used: number; reserved: number }>(
    'SELECT * FROM rg_caller_counters($1::uuid, $2::"QuotaSubject"[], $3::uuid[], $4::"QuotaMetric"[], $5::timestamptz[])',
    [organizationId, wanted.map((w) => w.subjectType), wanted.map((w) => w.subjectId), wanted.map((w) => w.metric), starts]) : [];
  const key = (st: string, sid: string, m: string, model: string | null, ps: Date) => `${st}|${sid}|${m}|${model ?? ''}|${ps.toISOString()}`;
  const byKey = new Map(rows.map((r) => [key(r.subject_type, r.subject_id, r.metric, r.model_id, r.period_start), r]));
  return wanted.map((w, i) => {
    const c = byKey.get(key(w.subjectType, w.subjectId, w.metric, w.modelId, starts[i]!));
    const used = c?.used ?? 0;
    const reserved = c?.reserved ?? 0;
    return {
      limit: w.limit, subjectType: w.subjectType, subjectId: w.subjectId, modelId: w.modelId, modelName: w.modelName, period: w.period,
      periodStart: starts[i]!, periodEnd: periodEnd(w.period, now), limitValue: w.limitValue, used, reserved,
      remaining: w.limitValue === null ? null : Math.max(0, w.limitValue - used - reserved),
    };
  });
}

/** The per-model user limits the hot path applies, as Wanted rows. */
export const userModelWanted = (userId: string, models: UsableModel[]): Wanted[] =>
  models.filter((m) => !m.isFree).map((m) => ({
    limit: 'user.modelTokens', subjectType: 'USER', subjectId: userId, metric: 'TOKENS', modelId: m.id, modelName: m.name,
    period: m.userPeriod, limitValue: m.userLimit ? Number(m.userLimit.amount) : null,
  }));

/**
 * GET /quota: every limit the hot path applies to this caller (the
 * organization's monthly tokens and API calls; an API key's monthly token
 * budget, requests and requests per minute; the user's limit on each usable
 * model), each with used, reserved, remaining and its period.
 */
export async function callerQuota(db: PrismaClient, actor: Actor, rawInput: CallerQuotaInput = {}): Promise<CallerQuota> {
  const input = parseInput(callerQuotaInput, rawInput);
  const now = input.now ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const query = prismaQuery(tx);
    const { organizationId, subject } = await usableModelSubject(query, actor);
    const [org] = await query<{ monthly_token_quota: number | null; monthly_api_call_quota: number | null }>(
      'SELECT monthly_token_quota::float8 AS monthly_token_quota, monthly_api_call_quota FROM organizations WHERE id = $1::uuid', [organizationId]);
    const wanted: Wanted[] = [
      { limit: 'organization.monthlyTokens', subjectType: 'ORGANIZATION', subjectId: organizationId, metric: 'TOKENS', modelId: null, modelName: null, period: 'MONTHLY', limitValue: org?.monthly_token_quota ?? null },
      { limit: 'organization.monthlyApiCalls', subjectType: 'ORGANIZATION', subjectId: organizationId, metric: 'API_CALLS', modelId: null, modelName: null, period: 'MONTHLY', limitValue: org?.monthly_api_call_quota ?? null },
    ];
    const apiKeyId = actor.kind === 'api-key' ? actor.apiKeyId : null;
    let rate: CallerLimit | null = null;
    if (apiKeyId) {
      const [key] = await query<{ max_tokens: number | null; rate_limit_per_minute: number | null; window_start: Date | null; requests: number | null }>(`
        SELECT k.max_tokens, k.rate_limit_per_minute, w.window_start, w.requests
          FROM api_keys k LEFT JOIN api_key_rate_windows w ON w.organization_id = k.organization_id AND w.api_key_id = k.id
         WHERE k.id = $1::uuid`, [apiKeyId]);
      wanted.push(
        { limit: 'apiKey.monthlyTokens', subjectType: 'API_KEY', subjectId: apiKeyId, metric: 'TOKENS', modelId: null, modelName: null, period: 'MONTHLY', limitValue: key?.max_tokens ?? null },
        { limit: 'apiKey.monthlyRequests', subjectType: 'API_KEY', subjectId: apiKeyId, metric: 'REQUESTS', modelId: null, modelName: null, period: 'MONTHLY', limitValue: null },
      );
      if (key?.rate_limit_per_minute != null) {
        const start = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
        const used = key.window_start?.getTime() === start.getTime() ? key.requests ?? 0 : 0;
        rate = {
          limit: 'apiKey.requestsPerMinute', subjectType: 'API_KEY', subjectId: apiKeyId, modelId: null, modelName: null, period: 'MINUTE', periodStart: start,
          periodEnd: new Date(start.getTime() + 60_000), limitValue: key.rate_limit_per_minute, used, reserved: 0, remaining: Math.max(0, key.rate_limit_per_minute - used),
        };
      }
    }
    if (subject.userId) {
      const catalog = await loadModelCatalog(query, organizationId);
      if (catalog) wanted.push(...userModelWanted(subject.userId, usableModels(catalog, subject, now)));
    }
    const limits = await readLimits(query, organizationId, wanted, now);
    if (rate) limits.push(rate);
    return { organizationId, apiKeyId, userId: subject.userId, at: now, limits };
  });
}
