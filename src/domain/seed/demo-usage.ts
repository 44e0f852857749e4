import type { Prisma } from '@prisma/client';
import { demoId, mulberry32, seedFrom } from './deterministic-id.js';
import { DEMO_MODELS, isEligible } from './demo-models.js';
import { DEMO_ORGS, DEMO_USERS, effectiveUserLimit, orgId, userId } from './demo-tenants.js';
import { realmId, type UsageKey } from './demo-realm-data.js';

export const USAGE_DAYS = 90;
const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface UsagePlan {
  events: Prisma.UsageEventCreateManyInput[];
  rollups: Prisma.UsageDailyRollupCreateManyInput[];
  /** api key id → its latest event */
  lastUsed: Map<string, Date>;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const isoMonth = (d: Date) => d.toISOString().slice(0, 7);

interface Actor {
  userKey: string;
  key: UsageKey | null;
}

/**
 * Synthetic usage for the last USAGE_DAYS days ending at `now` (UTC), the same
 * for the same date. Events respect the targeting rules, per-user monthly model
 * limits (spilling over to the free model, as a gateway would suggest) and the
 * org's monthly token quota, so the counters built from it are never overspent
 * (the seed builds them with buildCountersFromLedger, src/domain/quotas).
 */
export function planUsage(now: Date, modelIdFor: (key: string) => string, keys: UsageKey[]): UsagePlan {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const plan: UsagePlan = { events: [], rollups: [], lastUsed: new Map() };
  const rollups = new Map<string, Prisma.UsageDailyRollupCreateManyInput & { inputTokens: bigint; outputTokens: bigint; totalTokens: bigint; requests: bigint; events: bigint }>();

  for (const org of DEMO_ORGS) {
    const models = DEMO_MODELS.filter((m) => isEligible(m, org));
    const specialty = models.filter((m) => !m.isFree).map((m) => m.key);
    const fallback = models.find((m) => m.isFree && m.tokenLimitAmount === null)?.key ?? null;
    const people: Actor[] = DEMO_USERS.filter((u) => u.org === org.key && u.status === 'ACTIVE' && (u.role === 'ADMIN' || u.role === 'USER')).map((u) => ({ userKey: u.key, key: null }));
    const viaKeys: Actor[] = keys.filter((k) => k.orgKey === org.key).map((k) => ({ userKey: k.userKey, key: k }));
    const perUserModel = new Map<string, number>(); // user|model|month → tokens
    const perMonth = new Map<string, number>(); // month → org tokens
    const quota = org.monthlyTokenQuota === null ? Infinity : Number(org.monthlyTokenQuota);
    const avgEvents = (org.eventsPerDay[0] + org.eventsPerDay[1]) / 2;

    for (let d = USAGE_DAYS - 1; d >= 0; d--) {
      const dayStart = new Date(today.getTime() - d * DAY);
      const day = isoDay(dayStart);
      const month = isoMonth(dayStart);
      const rand = mulberry32(seedFrom(`${org.key}/${day}`));
      const weekend = dayStart.getUTCDay() === 0 || dayStart.getUTCDay() === 6;
      const trend = 0.7 + (0.3 * (USAGE_DAYS - 1 - d)) / (USAGE_DAYS - 1); // business grows over the quarter
      let count = org.eventsPerDay[0] + Math.floor(rand() * (org.eventsPerDay[1] - org.eventsPerDay[0] + 1));
      if (weekend) count = Math.ceil(count / 3);
      const span = d === 0 ? now.getTime() - dayStart.getTime() : DAY;

      for (let i = 0; i < count; i++) {
        const actor = viaKeys.length && rand() < 0.6 ? viaKeys[Math.floor(rand() * viaKeys.length)]! : people[Math.floor(rand() * people.length)]!;
        const allowed = actor.key?.models.length ? actor.key.models : models.map((m) => m.key);
        const wanted = specialty.filter((k) => allowed.includes(k));
        let modelKey = wanted.length && rand() < 0.65 ? wanted[Math.floor(rand() * wanted.length)]! : fallback && allowed.includes(fallback) ? fallback : allowed[0]!;
        const total = Math.max(50, Math.round((org.dailyTokens / avgEvents) * trend * (0.35 + rand() * 1.3)));
        const input = Math.round(total * (0.55 + rand() * 0.25));
        // Business hours, mostly; today's events stay in the past.
        const offset = Math.floor(d === 0 ? rand() * span : 7 * HOUR + rand() * 12 * HOUR);

        const limitFor = (m: string) => effectiveUserLimit(actor.userKey, org.key, m);
        const usedKey = (m: string) => `${actor.userKey}|${m}|${month}`;
        const fits = (m: string) => {
          const limit = limitFor(m);
          return limit === null || (perUserModel.get(usedKey(m)) ?? 0) + total <= limit;
        };
        if (!fits(modelKey)) {
          if (!fallback || !allowed.includes(fallback)) continue; // the gateway would refuse: no event
          modelKey = fallback;
        }
        if ((perMonth.get(month) ?? 0) + total > quota) continue;
        perUserModel.set(usedKey(modelKey), (perUserModel.get(usedKey(modelKey)) ?? 0) + total);
        perMonth.set(month, (perMonth.get(month) ?? 0) + total);

        const idempotencyKey = `demo-seed:${org.key}:${day}:${i}`;
        const occurredAt = new Date(dayStart.getTime() + offset);
        const event = {
          id: demoId('usage-event', idempotencyKey),
          occurredAt,
          organizationId: orgId(org.key),
          userId: userId(actor.userKey),
          apiKeyId: actor.key?.id ?? null,
          realmId: actor.key?.realmId ?? realmId(actor.userKey, 'Default'),
          modelId: modelIdFor(modelKey),
          idempotencyKey,
          inputTokens: input,
          outputTokens: total - input,
          totalTokens: total,
          requests: 1,
          metadata: { source: 'demo-seed', via: actor.key ? 'api-key' : 'session' },
        } satisfies Prisma.UsageEventCreateManyInput;
        plan.events.push(event);
        if (event.apiKeyId && (plan.lastUsed.get(event.apiKeyId)?.getTime() ?? 0) < occurredAt.getTime()) plan.lastUsed.set(event.apiKeyId, occurredAt);

        const slot = [event.organizationId, day, event.modelId, event.userId, event.apiKeyId ?? '-'].join('|');
        let r = rollups.get(slot);
        if (!r) {
          r = { id: demoId('usage-rollup', slot), organizationId: event.organizationId, day: dayStart, modelId: event.modelId, userId: event.userId, apiKeyId: event.apiKeyId, inputTokens: 0n, outputTokens: 0n, totalTokens: 0n, requests: 0n, events: 0n };
          rollups.set(slot, r);
        }
        r.inputTokens += BigInt(event.inputTokens);
        r.outputTokens += BigInt(event.outputTokens);
        r.totalTokens += BigInt(event.totalTokens);
        r.requests += BigInt(event.requests);
        r.events += 1n;
      }
    }

  }
  plan.rollups = [...rollups.values()];
  return plan;
}

/**
 * Writes a plan. The ledger and rollups go in as column arrays through unnest():
 * one statement per table instead of Prisma's row-by-row parameters, which took
 * seconds for a few thousand rows. ON CONFLICT DO NOTHING keeps it idempotent.
 */
export async function insertUsage(tx: Prisma.TransactionClient, plan: UsagePlan): Promise<void> {
  const e = plan.events;
  const col = <K extends keyof (typeof e)[number]>(k: K) => e.map((r) => r[k] ?? null);
  await tx.$executeRaw`
    INSERT INTO usage_events (id, occurred_at, organization_id, user_id, api_key_id, realm_id, model_id, idempotency_key, input_tokens, output_tokens, total_tokens, requests, metadata)
    SELECT * FROM unnest(${col('id')}::uuid[], ${e.map((r) => (r.occurredAt as Date).toISOString())}::timestamptz[], ${col('organizationId')}::uuid[],
      ${col('userId')}::uuid[], ${col('apiKeyId')}::uuid[], ${col('realmId')}::uuid[], ${col('modelId')}::uuid[], ${col('idempotencyKey')}::varchar[],
      ${col('inputTokens')}::int[], ${col('outputTokens')}::int[], ${col('totalTokens')}::int[], ${col('requests')}::int[], ${e.map((r) => JSON.stringify(r.metadata))}::jsonb[])
    ON CONFLICT DO NOTHING`;
  const r = plan.rollups;
  const big = (k: 'inputTokens' | 'outputTokens' | 'totalTokens' | 'requests' | 'events') => r.map((x) => String(x[k]));
  await tx.$executeRaw`
    INSERT INTO usage_daily_rollups (id, organization_id, day, model_id, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
    SELECT * FROM unnest(${r.map((x) => x.id)}::uuid[], ${r.map((x) => x.organizationId)}::uuid[], ${r.map((x) => (x.day as Date).toISOString().slice(0, 10))}::date[],
      ${r.map((x) => x.modelId ?? null)}::uuid[], ${r.map((x) => x.userId ?? null)}::uuid[], ${r.map((x) => x.apiKeyId ?? null)}::uuid[],
      ${big('inputTokens')}::bigint[], ${big('outputTokens')}::bigint[], ${big('totalTokens')}::bigint[], ${big('requests')}::bigint[], ${big('events')}::bigint[])
    ON CONFLICT DO NOTHING`;
  // The dashboard's coarse rollups of those days (migration 0019), from the daily ones.
  const days = r.map((x) => (x.day as Date).toISOString().slice(0, 10)).sort();
  if (days.length) await tx.$queryRaw`SELECT rg_refresh_usage_coarse_rollups(${days[0]}::date, ${days[days.length - 1]}::date)`;
}
