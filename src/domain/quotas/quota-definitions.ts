import type { Organization, QuotaMetric, QuotaPeriod } from '@prisma/client';
import { modelEligibility } from '../model-access/model-eligibility.js';
import type { Tx } from '../shared/actor-transaction.js';

/** A quota a subject has by configuration, whether or not a counter row exists yet. */
export interface QuotaDefinition {
  metric: QuotaMetric;
  period: QuotaPeriod;
  modelId: string | null;
  modelName: string | null;
  /** null = unlimited (usage is still counted) */
  limit: bigint | null;
}

/** The organization field that holds each organization-level limit. */
export const ORGANIZATION_QUOTA_FIELDS = {
  TOKENS: 'monthlyTokenQuota',
  API_CALLS: 'monthlyApiCallQuota',
  DOCUMENTS: 'documentQuota',
  STORAGE_BYTES: 'storageQuotaBytes',
} as const satisfies Partial<Record<QuotaMetric, keyof Organization>>;

const big = (v: bigint | number | null) => (v === null ? null : BigInt(v));

/** Monthly tokens and API calls; documents and storage are lifetime totals (seed 004's resource quotas). */
export function organizationQuotaDefinitions(org: Pick<Organization, 'monthlyTokenQuota' | 'monthlyApiCallQuota' | 'documentQuota' | 'storageQuotaBytes'>): QuotaDefinition[] {
  const d = (metric: QuotaMetric, period: QuotaPeriod, limit: bigint | number | null): QuotaDefinition => ({ metric, period, modelId: null, modelName: null, limit: big(limit) });
  return [
    d('TOKENS', 'MONTHLY', org.monthlyTokenQuota),
    d('API_CALLS', 'MONTHLY', org.monthlyApiCallQuota),
    d('DOCUMENTS', 'LIFETIME', org.documentQuota),
    d('STORAGE_BYTES', 'LIFETIME', org.storageQuotaBytes),
  ];
}

/** What an API key's counters track: its monthly token budget (maxTokens, per UTC calendar month, like the organization's) and its monthly requests. */
export function apiKeyQuotaDefinitions(key: { maxTokens: number | null }): QuotaDefinition[] {
  return [
    { metric: 'TOKENS', period: 'MONTHLY', modelId: null, modelName: null, limit: big(key.maxTokens) },
    { metric: 'REQUESTS', period: 'MONTHLY', modelId: null, modelName: null, limit: null },
  ];
}

/**
 * A user's token limit on a model: their own override, else the organization's
 * per-user limit, else the model's (free models: none).
 */
export function effectiveUserModelLimit(
  model: { isFree: boolean; tokenLimitAmount: number | null },
  access: { tokenLimitPerUser: number | null } | null,
  userLimit: { tokenLimit: number | null } | null,
): bigint | null {
  return big(userLimit?.tokenLimit ?? access?.tokenLimitPerUser ?? (model.isFree ? null : model.tokenLimitAmount));
}

/** Per-model token quotas of the models enabled for a user at `now`, in the model's limit period. */
export async function userQuotaDefinitions(tx: Tx, user: { id: string; organizationId: string }, now: Date): Promise<QuotaDefinition[]> {
  const org = await tx.organization.findUniqueOrThrow({ where: { id: user.organizationId }, select: { id: true, type: true, pricingPlan: true } });
  const [models, limits] = await Promise.all([
    tx.aiModel.findMany({
      where: { isActive: true, OR: [{ organizationId: org.id }, { organizationId: null, access: { some: { organizationId: org.id, isEnabledForUsers: true } } }] },
      select: {
        id: true, name: true, organizationId: true, isActive: true, organizationTypes: true, requiredPlan: true, isTrial: true, trialDays: true,
        isFree: true, tokenLimitAmount: true, tokenLimitPeriod: true, sortOrder: true,
        access: { where: { organizationId: org.id }, select: { tokenLimitPerUser: true, firstEnabledAt: true } },
      },
      orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }],
    }),
    tx.userModelLimit.findMany({ where: { userId: user.id }, select: { modelId: true, isEnabled: true, tokenLimit: true } }),
  ]);
  const byModel = new Map(limits.map((l) => [l.modelId, l]));
  return models
    .filter((m) => byModel.get(m.id)?.isEnabled !== false && modelEligibility(m, org, m.access[0]?.firstEnabledAt ?? null, now).eligible)
    .map((m) => ({
      metric: 'TOKENS' as const,
      period: m.tokenLimitPeriod ?? 'MONTHLY',
      modelId: m.id,
      modelName: m.name,
      limit: effectiveUserModelLimit(m, m.access[0] ?? null, byModel.get(m.id) ?? null),
    }));
}
