import type { PrismaClient, QuotaMetric, QuotaPeriod, QuotaSubject } from '@prisma/client';
import { z } from 'zod';
import { keyModelsAllowed, loadModelCatalog, prismaQuery, usableKeyNow, usableModels, usableModelSubject, type ApiKeyNowRow, type KeyModelSource, type SqlQuery, type UsableModel } from '../model-access/usable-models.js';
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

/** A row of rg_caller_counters (migration 0020); its period start as a Date or as JSON's string. */
type CounterRead = { subject_type: string; subject_id: string; metric: string; model_id: string | null; period_start: Date | string; used: number; reserved: number };

/**
 * Reads the current-period counters of `wanted` (absent = nothing used yet)
 * into limits; `read`: counters already read, a superset of those wanted.
 */
export async function readLimits(query: SqlQuery, organizationId: string, wanted: Wanted[], now: Date, read?: CounterRead[]): Promise<CallerLimit[]> {
  const starts = wanted.map((w) => periodStart(w.period, now));
  // Every subject wanted is the caller organization's (it, its key, its user): the counters'
  // unique index leads with organization_id (0012_scale). rg_caller_counters (migration 0020)
  // keeps its plan: planning was most of this read.
  const rows = read ?? (wanted.length ? await query<CounterRead>(
    'SELECT * FROM rg_caller_counters($1::uuid, $2::"QuotaSubject"[], $3::uuid[], $4::"QuotaMetric"[], $5::timestamptz[])',
    [organizationId, wanted.map((w) => w.subjectType), wanted.map((w) => w.subjectId), wanted.map((w) => w.metric), starts]) : []);
  const key = (st: string, sid: string, m: string, model: string | null, ps: Date | string) => `${st}|${sid}|${m}|${model ?? ''}|${new Date(ps).toISOString()}`;
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
 * model), each with used, reserved, remaining and its period. Read through
 * Prisma in the caller's tenant transaction (row-level security); a key's own
 * GET /quota is keyQuota.
 */
export async function callerQuota(db: PrismaClient, actor: Actor, rawInput: CallerQuotaInput = {}): Promise<CallerQuota> {
  const input = parseInput(callerQuotaInput, rawInput);
  const now = input.now ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const query = prismaQuery(tx);
    const { organizationId, subject } = await usableModelSubject(query, actor);
    const models = async () => {
      const catalog = await loadModelCatalog(query, organizationId);
      return catalog ? usableModels(catalog, subject, now) : [];
    };
    return quotaOf(query, { organizationId, apiKeyId: actor.kind === 'api-key' ? actor.apiKeyId : null, userId: subject.userId, models }, now);
  });
}

/** Every period a user's per-model limit may have: a key's GET /quota reads the owner's counters of all their current periods. */
const USER_LIMIT_PERIODS: QuotaPeriod[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'LIFETIME'];

/**
 * GET /quota for an API key, read as the usage check reads (as listKeyModels
 * for GET /models), in ONE statement on the hot path's pool, scoped by the key
 * itself: the key's state now (so a revoked key or a disabled owner is refused
 * at once), what is configured for it, and the counters of the current
 * periods of its organization, itself and its owner. Which of the owner's
 * per-model limits apply depends on the models the key may use (the engine's
 * cached catalog and user rules, with the key's allowed models read here), so
 * the owner's token counters are read for every current period and matched.
 */
export async function keyQuota(source: KeyModelSource, actor: Extract<Actor, { kind: 'api-key' }>, rawInput: CallerQuotaInput = {}): Promise<CallerQuota> {
  const input = parseInput(callerQuotaInput, rawInput);
  const now = input.now ?? source.clock();
  const month = periodStart('MONTHLY', now);
  const probe: [QuotaSubject, string, QuotaMetric, Date][] = [
    ['ORGANIZATION', actor.organizationId, 'TOKENS', month], ['ORGANIZATION', actor.organizationId, 'API_CALLS', month],
    ['API_KEY', actor.apiKeyId, 'TOKENS', month], ['API_KEY', actor.apiKeyId, 'REQUESTS', month],
    ...(actor.userId ? USER_LIMIT_PERIODS.map((p): [QuotaSubject, string, QuotaMetric, Date] => ['USER', actor.userId!, 'TOKENS', periodStart(p, now)]) : []),
  ];
  const [row] = await source.query<ApiKeyNowRow & Configured & { counters: CounterRead[] }>(
    `SELECT k.*, l.*, (SELECT coalesce(json_agg(c), '[]'::json)
                         FROM rg_caller_counters($1::uuid, $3::"QuotaSubject"[], $4::uuid[], $5::"QuotaMetric"[], $6::timestamptz[]) c) AS counters
       FROM rg_api_key_now($2::uuid) k CROSS JOIN rg_caller_limits($1::uuid, $2::uuid) l`,
    [actor.organizationId, actor.apiKeyId, probe.map((x) => x[0]), probe.map((x) => x[1]), probe.map((x) => x[2]), probe.map((x) => x[3])]);
  const { allowedModelIds } = usableKeyNow(row, now);
  const models = () => keyModelsAllowed(source, actor, allowedModelIds, now);
  return quotaOf(source.query, { organizationId: actor.organizationId, apiKeyId: actor.apiKeyId, userId: actor.userId, models }, now, row, row!.counters);
}

/** A row of rg_caller_limits (migration 0021): the organization's quotas, the key's limits and its rate window. */
type Configured = { monthly_token_quota: number | null; monthly_api_call_quota: number | null; max_tokens: number | null; rate_limit_per_minute: number | null; window_start: Date | null; requests: number | null };

/** Both paths once the caller is known: the limits that apply, with their counters now. */
async function quotaOf(
  query: SqlQuery,
  caller: { organizationId: string; apiKeyId: string | null; userId: string | null; models: () => UsableModel[] | Promise<UsableModel[]> },
  now: Date,
  /** What is configured, when the caller's read already holds it. */
  known?: Configured,
  /** The counters, when the caller's read already holds them (a superset of those wanted). */
  counters?: CounterRead[],
): Promise<CallerQuota> {
  const { organizationId, apiKeyId, userId } = caller;
  // What is configured (rg_caller_limits, migration 0021: one statement, its plan kept): the organization's quotas, the key's limits and rate window.
  const configured = known ?? (await query<Configured>('SELECT * FROM rg_caller_limits($1::uuid, $2::uuid)', [organizationId, apiKeyId]))[0];
  const wanted: Wanted[] = [
    { limit: 'organization.monthlyTokens', subjectType: 'ORGANIZATION', subjectId: organizationId, metric: 'TOKENS', modelId: null, modelName: null, period: 'MONTHLY', limitValue: configured?.monthly_token_quota ?? null },
    { limit: 'organization.monthlyApiCalls', subjectType: 'ORGANIZATION', subjectId: organizationId, metric: 'API_CALLS', modelId: null, modelName: null, period: 'MONTHLY', limitValue: configured?.monthly_api_call_quota ?? null },
  ];
  let rate: CallerLimit | null = null;
  if (apiKeyId) {
    wanted.push(
      { limit: 'apiKey.monthlyTokens', subjectType: 'API_KEY', subjectId: apiKeyId, metric: 'TOKENS', modelId: null, modelName: null, period: 'MONTHLY', limitValue: configured?.max_tokens ?? null },
      { limit: 'apiKey.monthlyRequests', subjectType: 'API_KEY', subjectId: apiKeyId, metric: 'REQUESTS', modelId: null, modelName: null, period: 'MONTHLY', limitValue: null },
    );
    if (configured?.rate_limit_per_minute != null) {
      const start = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
      const used = configured.window_start?.getTime() === start.getTime() ? configured.requests ?? 0 : 0;
      rate = {
        limit: 'apiKey.requestsPerMinute', subjectType: 'API_KEY', subjectId: apiKeyId, modelId: null, modelName: null, period: 'MINUTE', periodStart: start,
        periodEnd: new Date(start.getTime() + 60_000), limitValue: configured.rate_limit_per_minute, used, reserved: 0, remaining: Math.max(0, configured.rate_limit_per_minute - used),
      };
    }
  }
  if (userId) wanted.push(...userModelWanted(userId, await caller.models()));
  const limits = await readLimits(query, organizationId, wanted, now, counters);
  if (rate) limits.push(rate);
  return { organizationId, apiKeyId, userId, at: now, limits };
}
