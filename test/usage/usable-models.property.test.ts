import fc from 'fast-check';
import type { OrganizationType, PricingPlan } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUsableModels } from '../../src/domain/model-access/usable-models.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import { recordUsage, UsageEngine } from '../../src/domain/usage/index.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createOrg, createUser } from '../support/factories.js';

/**
 * Issue 8: one function decides both GET /models and whether a model may be
 * used. Over random organizations, users, keys, models and grants, every
 * listed model is accepted by the usage check and every other is refused.
 */
let t: AppDatabase;
let engine: UsageEngine;

beforeAll(async () => {
  t = await appDatabase('usable_models_prop');
  engine = new UsageEngine({ databaseUrl: t.appUrl });
});
afterAll(async () => {
  await engine?.close();
  await t?.drop();
});

const TYPES: OrganizationType[] = ['GENERAL', 'RETAIL', 'FINANCE'];
const PLANS: PricingPlan[] = ['FREE', 'STARTER', 'PRO', 'ENTERPRISE'];

const modelArb = fc.record({
  own: fc.boolean(),
  isActive: fc.boolean(),
  types: fc.subarray(TYPES),
  requiredPlan: fc.constantFrom(...PLANS),
  isFree: fc.boolean(),
  trial: fc.option(fc.record({ days: fc.integer({ min: 1, max: 30 }), startedDaysAgo: fc.integer({ min: 0, max: 40 }) }), { nil: null }),
  access: fc.constantFrom('none', 'enabled', 'withdrawn'),
  userRule: fc.constantFrom('none', 'enabled', 'disabled'),
  allowed: fc.boolean(),
  tokenLimit: fc.option(fc.integer({ min: 10, max: 1000 }), { nil: null }),
});

const worldArb = fc.record({
  type: fc.constantFrom(...TYPES),
  plan: fc.constantFrom(...PLANS),
  ownedKey: fc.boolean(),
  restrictKey: fc.boolean(),
  models: fc.array(modelArb, { minLength: 1, maxLength: 5 }),
});

describe('usableModels', () => {
  it('every listed model is accepted by the usage check and every other model is refused', async () => {
    const seen = { listed: 0, refused: 0 };
    await fc.assert(fc.asyncProperty(worldArb, async (w) => {
      const org = await createOrg(t.db, { type: w.type, pricingPlan: w.plan });
      const user = await createUser(t.db, org, 'USER');
      const models = [];
      for (const [i, m] of w.models.entries()) {
        const model = await t.db.aiModel.create({
          data: {
            organizationId: m.own ? org.id : null, name: `m${i} ${crypto.randomUUID()}`, provider: 'p', providerModelId: `pm-${crypto.randomUUID()}`, role: 'chat',
            isActive: m.isActive, organizationTypes: m.types, requiredPlan: m.requiredPlan, isFree: m.isFree,
            isTrial: m.trial !== null, trialDays: m.trial?.days ?? null, tokenLimitAmount: m.tokenLimit,
          },
        });
        if (m.access !== 'none' || m.trial) {
          await t.db.organizationModelAccess.create({
            data: {
              organizationId: org.id, modelId: model.id, isEnabledForUsers: m.access === 'enabled',
              firstEnabledAt: m.trial ? new Date(Date.now() - m.trial.startedDaysAgo * 86_400_000) : new Date(),
            },
          });
        }
        if (m.userRule !== 'none') {
          await t.db.userModelLimit.create({ data: { organizationId: org.id, userId: user.id, modelId: model.id, isEnabled: m.userRule === 'enabled' } });
        }
        models.push({ spec: m, model });
      }
      const allowed = w.restrictKey ? models.filter((m) => m.spec.allowed).map((m) => m.model.id) : [];
      const key = await t.db.apiKey.create({
        data: { organizationId: org.id, userId: w.ownedKey ? user.id : null, name: 'k', prefix: 'rgk_', keyHash: crypto.randomUUID().replace(/-/g, '').repeat(2), scopes: ['usage:write'], allowedModelIds: allowed },
      });
      const actor = { kind: 'api-key' as const, apiKeyId: key.id, organizationId: org.id, userId: key.userId, scopes: key.scopes };
      const listed = new Set((await listUsableModels(t.app, actor)).map((m) => m.id));
      for (const { model } of models) {
        const outcome = await recordUsage(engine, actor, { model: model.id, inputTokens: 1, outputTokens: 0, idempotencyKey: crypto.randomUUID() })
          .then(() => 'OK', (e) => (e instanceof AppError ? `${e.code}:${String(e.details?.field)}` : String(e)));
        expect(outcome, `model ${model.name}`).toBe(listed.has(model.id) ? 'OK' : 'INVALID:model');
        seen[listed.has(model.id) ? 'listed' : 'refused']++;
      }
    }), { numRuns: 25 });
    // Both sides of the property were exercised.
    expect(seen.listed).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
