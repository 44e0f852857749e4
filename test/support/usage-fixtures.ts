import crypto from 'node:crypto';
import type { Prisma, PrismaClient } from '@prisma/client';
import type { Actor } from '../../src/domain/shared/actor.js';
import { generateApiKeySecret, hashApiKey } from '../../src/domain/api-keys/api-key-secret.js';
import { createModel, createOrg, createUser } from './factories.js';

/** The pepper test/support/running-app.ts gives the app, so keys made here authenticate over HTTP. */
export const TEST_PEPPER = 'test-api-key-pepper-0123456789abcdef0123456789';

/** A tenant ready to record usage: organization, user, an enabled model, and API keys made on demand. */
export interface UsageTenant {
  org: { id: string };
  user: { id: string };
  model: { id: string; providerModelId: string };
  key(data?: Partial<Prisma.ApiKeyUncheckedCreateInput> & { owned?: boolean }): Promise<Extract<Actor, { kind: 'api-key' }> & { id: string; secret: string }>;
}

export async function usageTenant(
  db: PrismaClient,
  org: Partial<Prisma.OrganizationUncheckedCreateInput> = {},
  model: Partial<Prisma.AiModelUncheckedCreateInput> = {},
): Promise<UsageTenant> {
  const o = await createOrg(db, { pricingPlan: 'ENTERPRISE', ...org });
  const user = await createUser(db, o, 'USER');
  const m = await createModel(db, { providerModelId: `pm-${crypto.randomBytes(4).toString('hex')}`, ...model });
  if (m.organizationId === null) {
    await db.organizationModelAccess.create({ data: { organizationId: o.id, modelId: m.id, isEnabledForUsers: true, firstEnabledAt: new Date() } });
  }
  return {
    org: o,
    user,
    model: m,
    async key({ owned = false, ...data } = {}) {
      const secret = generateApiKeySecret();
      const k = await db.apiKey.create({
        data: {
          organizationId: o.id, userId: owned ? user.id : null, name: 'gateway', prefix: 'rgk_test',
          keyHash: hashApiKey(TEST_PEPPER, secret), type: 'GATEWAY', scopes: ['usage:write', 'usage:read', 'models:read'], ...data,
        },
      });
      return { id: k.id, secret, kind: 'api-key', apiKeyId: k.id, organizationId: o.id, userId: k.userId, scopes: k.scopes };
    },
  };
}

/**
 * The coarse rollups (migration 0019) of one organization that differ from the
 * daily rollups summed the same way: [] when the batch write kept them alike.
 */
export async function coarseRollupMismatches(db: PrismaClient, orgId: string): Promise<unknown[]> {
  return db.$queryRaw<unknown[]>`
    SELECT 'model' AS grain, coalesce(f.day, c.day)::text AS day, coalesce(f.model_id, c.model_id)::text AS slot, f.tokens::text AS daily, c.total_tokens::text AS coarse
      FROM (SELECT day, model_id, sum(total_tokens) AS tokens, sum(requests) AS requests, sum(events) AS events
              FROM usage_daily_rollups WHERE organization_id = ${orgId}::uuid GROUP BY 1, 2) f
      FULL JOIN (SELECT * FROM usage_daily_model_rollups WHERE organization_id = ${orgId}::uuid) c ON c.day = f.day AND c.model_id IS NOT DISTINCT FROM f.model_id
     WHERE (f.tokens, f.requests, f.events) IS DISTINCT FROM (c.total_tokens, c.requests, c.events)
    UNION ALL
    SELECT 'key', coalesce(f.day, c.day)::text, concat(coalesce(f.user_id, c.user_id), '/', coalesce(f.api_key_id, c.api_key_id)), f.tokens::text, c.total_tokens::text
      FROM (SELECT day, user_id, api_key_id, sum(total_tokens) AS tokens, sum(requests) AS requests, sum(events) AS events
              FROM usage_daily_rollups WHERE organization_id = ${orgId}::uuid GROUP BY 1, 2, 3) f
      FULL JOIN (SELECT * FROM usage_daily_key_rollups WHERE organization_id = ${orgId}::uuid) c
        ON c.day = f.day AND c.user_id IS NOT DISTINCT FROM f.user_id AND c.api_key_id IS NOT DISTINCT FROM f.api_key_id
     WHERE (f.tokens, f.requests, f.events) IS DISTINCT FROM (c.total_tokens, c.requests, c.events)`;
}

/** Sums the ledger and reads the counters of one organization, for comparing them. */
export async function ledgerAndCounters(db: PrismaClient, orgId: string) {
  const events = await db.usageEvent.aggregate({ where: { organizationId: orgId }, _sum: { totalTokens: true }, _count: true });
  const counters = await db.quotaCounter.findMany({ where: { organizationId: orgId } });
  const rollups = await db.usageDailyRollup.aggregate({ where: { organizationId: orgId }, _sum: { totalTokens: true, requests: true } });
  const get = (subjectType: string, metric: string) => counters.filter((c) => c.subjectType === subjectType && c.metric === metric);
  return {
    ledgerTokens: events._sum.totalTokens ?? 0,
    ledgerRows: events._count,
    rollupTokens: Number(rollups._sum.totalTokens ?? 0n),
    rollupRequests: Number(rollups._sum.requests ?? 0n),
    orgTokens: get('ORGANIZATION', 'TOKENS')[0],
    orgCalls: get('ORGANIZATION', 'API_CALLS')[0],
    keyTokens: get('API_KEY', 'TOKENS'),
    userTokens: get('USER', 'TOKENS'),
  };
}
