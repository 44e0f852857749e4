import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeQuota } from '../../src/domain/quotas/consume-quota.js';
import { quotaStats } from '../../src/domain/quotas/quota-stats.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { inActorTransaction } from '../../src/domain/shared/actor-transaction.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createModel, createOrg, createUser } from '../support/factories.js';

let t: AppDatabase;
let orgA: { id: string };
let superadmin: Actor;
let adminA: Actor;
let adminB: Actor;
let userA: Actor;
let viewerA: Actor;
let userAId: string;
let keyId: string;
let paid: { id: string };
let free: { id: string };
let overridden: { id: string };
let hidden: { id: string };

const NOW = new Date('2025-06-15T12:00:00Z');
const code = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));

beforeAll(async () => {
  t = await appDatabase('quota_stats');
  orgA = await createOrg(t.db, { type: 'MARKETING', pricingPlan: 'PRO', monthlyTokenQuota: 1000n, documentQuota: 10, monthlyApiCallQuota: 100 });
  const orgB = await createOrg(t.db);
  superadmin = await actorFor(t.db, await createUser(t.db, null, 'SUPERADMIN'));
  adminA = await actorFor(t.db, await createUser(t.db, orgA, 'ADMIN'));
  adminB = await actorFor(t.db, await createUser(t.db, orgB, 'ADMIN'));
  const u = await createUser(t.db, orgA, 'USER');
  userAId = u.id;
  userA = await actorFor(t.db, u);
  viewerA = await actorFor(t.db, await createUser(t.db, orgA, 'VIEWER'));
  keyId = (await t.db.apiKey.create({ data: { organizationId: orgA.id, userId: userAId, name: 'k', prefix: 'rgk_x', keyHash: 'c'.repeat(64) } })).id;

  paid = await createModel(t.db, { name: 'Blog Writer', organizationTypes: ['MARKETING'], requiredPlan: 'PRO', tokenLimitPeriod: 'MONTHLY', tokenLimitAmount: 500, sortOrder: 1 });
  free = await createModel(t.db, { name: 'Basic', isFree: true, sortOrder: 2 });
  overridden = await createModel(t.db, { name: 'Daily', tokenLimitPeriod: 'DAILY', tokenLimitAmount: 300, sortOrder: 3 });
  hidden = await createModel(t.db, { name: 'Off for this user', tokenLimitAmount: 10, sortOrder: 4 });
  const notEnabled = await createModel(t.db, { name: 'Not enabled', tokenLimitAmount: 10 });
  for (const [m, limit] of [[paid, 200], [free, null], [overridden, null], [hidden, null]] as const) {
    await t.db.organizationModelAccess.create({ data: { organizationId: orgA.id, modelId: m.id, isEnabledForUsers: true, tokenLimitPerUser: limit, firstEnabledAt: NOW } });
  }
  await t.db.userModelLimit.create({ data: { organizationId: orgA.id, userId: userAId, modelId: overridden.id, tokenLimit: 50 } });
  await t.db.userModelLimit.create({ data: { organizationId: orgA.id, userId: userAId, modelId: hidden.id, isEnabled: false } });

  const gateway: Actor = { kind: 'api-key', apiKeyId: keyId, organizationId: orgA.id, userId: userAId, scopes: ['usage:write'] };
  await inActorTransaction(t.app, gateway, async (tx) => {
    await consumeQuota(tx, { organizationId: orgA.id, subjectType: 'ORGANIZATION', subjectId: orgA.id, metric: 'TOKENS', period: 'MONTHLY', limit: 1000 }, 250, { now: NOW });
    await consumeQuota(tx, { organizationId: orgA.id, subjectType: 'USER', subjectId: userAId, metric: 'TOKENS', modelId: paid.id, period: 'MONTHLY', limit: 200 }, 150, { now: NOW });
    await consumeQuota(tx, { organizationId: orgA.id, subjectType: 'API_KEY', subjectId: keyId, metric: 'TOKENS', period: 'MONTHLY', limit: null }, 400, { now: NOW });
    // last month: must not show
    await consumeQuota(tx, { organizationId: orgA.id, subjectType: 'ORGANIZATION', subjectId: orgA.id, metric: 'TOKENS', period: 'MONTHLY', limit: 1000 }, 999, { now: new Date('2025-05-31T23:00:00Z') });
    // a quota no longer configured, still counted this period
    await consumeQuota(tx, { organizationId: orgA.id, subjectType: 'ORGANIZATION', subjectId: orgA.id, metric: 'REQUESTS', period: 'DAILY', limit: 40 }, 10, { now: NOW });
    // a model's quota the user no longer has (the model is not enabled for the organization now): named still
    await consumeQuota(tx, { organizationId: orgA.id, subjectType: 'USER', subjectId: userAId, metric: 'TOKENS', modelId: notEnabled.id, period: 'MONTHLY', limit: 10 }, 4, { now: NOW });
  });
});
afterAll(async () => t?.drop());

describe('quotaStats', () => {
  it("shows an organization's used, limit, remaining and percent for the current period", async () => {
    const s = await quotaStats(t.app, adminA, { subjectType: 'ORGANIZATION', subjectId: orgA.id, now: NOW });
    expect(s.subject).toMatchObject({ subjectType: 'ORGANIZATION', organizationId: orgA.id });
    const by = Object.fromEntries(s.metrics.map((m) => [m.metric, m]));
    expect(by.TOKENS).toMatchObject({ used: 250, limit: 1000, remaining: 750, percentUsed: 25, generation: 0, periodStart: new Date('2025-06-01T00:00:00Z'), periodEnd: new Date('2025-07-01T00:00:00Z') });
    expect(by.TOKENS!.counterId).toBeTruthy();
    expect(by.DOCUMENTS).toMatchObject({ used: 0, limit: 10, remaining: 10, percentUsed: 0, counterId: null, period: 'LIFETIME', periodEnd: null });
    expect(by.API_CALLS).toMatchObject({ used: 0, limit: 100 });
    expect(by.STORAGE_BYTES).toMatchObject({ limit: null, remaining: null, percentUsed: null });
    expect(by.REQUESTS).toMatchObject({ used: 10, limit: 40, percentUsed: 25, period: 'DAILY' });
    // the same for a superadmin and a viewer of the org
    expect((await quotaStats(t.app, superadmin, { subjectType: 'ORGANIZATION', subjectId: orgA.id, now: NOW })).metrics).toEqual(s.metrics);
    expect((await quotaStats(t.app, viewerA, { subjectType: 'ORGANIZATION', subjectId: orgA.id, now: NOW })).metrics).toEqual(s.metrics);
  });

  it('starts the next period at zero with no job', async () => {
    const s = await quotaStats(t.app, adminA, { subjectType: 'ORGANIZATION', subjectId: orgA.id, now: new Date('2025-07-01T00:00:00Z') });
    expect(s.metrics.find((m) => m.metric === 'TOKENS')).toMatchObject({ used: 0, remaining: 1000, counterId: null });
  });

  it("lists a user's per-model quotas with effective limits: user override, else org per-user limit, else the model's", async () => {
    const s = await quotaStats(t.app, userA, { subjectType: 'USER', subjectId: userAId, now: NOW });
    const rows = s.metrics.map((m) => [m.modelName, m.period, m.used, m.limit]);
    expect(rows).toEqual([
      ['Blog Writer', 'MONTHLY', 150, 200],
      ['Basic', 'MONTHLY', 0, null],
      ['Daily', 'DAILY', 0, 50],
      ['Not enabled', 'MONTHLY', 4, 10],
    ]);
    expect(s.metrics[0]).toMatchObject({ remaining: 50, percentUsed: 75 });
    expect((await quotaStats(t.app, adminA, { subjectType: 'USER', subjectId: userAId, now: NOW })).metrics).toEqual(s.metrics);
  });

  it("shows an API key's usage to those who may read the key's counters", async () => {
    const s = await quotaStats(t.app, adminA, { subjectType: 'API_KEY', subjectId: keyId, now: NOW });
    expect(s.metrics.find((m) => m.metric === 'TOKENS')).toMatchObject({ used: 400, limit: null });
    expect(s.metrics.find((m) => m.metric === 'REQUESTS')).toMatchObject({ used: 0, counterId: null });
  });

  it('answers NOT_FOUND across organizations and where the matrix hides the counters', async () => {
    expect(await code(quotaStats(t.app, adminB, { subjectType: 'ORGANIZATION', subjectId: orgA.id }))).toBe('NOT_FOUND');
    expect(await code(quotaStats(t.app, adminB, { subjectType: 'USER', subjectId: userAId }))).toBe('NOT_FOUND');
    expect(await code(quotaStats(t.app, adminB, { subjectType: 'API_KEY', subjectId: keyId }))).toBe('NOT_FOUND');
    // a USER reads their own user counters and their own keys' (issue #10: the key page shows its quota panel to its owner), no one else's
    expect(await code(quotaStats(t.app, userA, { subjectType: 'ORGANIZATION', subjectId: orgA.id }))).toBe('NOT_FOUND');
    expect(await code(quotaStats(t.app, userA, { subjectType: 'API_KEY', subjectId: keyId }))).toBe('OK');
    const peer = await createUser(t.db, orgA, 'USER');
    const peersKey = (await t.db.apiKey.create({ data: { organizationId: orgA.id, userId: peer.id, name: 'peer', prefix: 'rgk_p', keyHash: 'd'.repeat(64) } })).id;
    expect(await code(quotaStats(t.app, userA, { subjectType: 'API_KEY', subjectId: peersKey }))).toBe('NOT_FOUND');
    expect(await code(quotaStats(t.app, userA, { subjectType: 'PLANET' as never, subjectId: keyId }))).toBe('INVALID');
  });
});
