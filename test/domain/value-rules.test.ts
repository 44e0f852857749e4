import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/domain/api-keys/issue-api-key.js';
import { updateApiKey } from '../../src/domain/api-keys/update-api-key.js';
import { consumeQuota } from '../../src/domain/quotas/consume-quota.js';
import { periodStart } from '../../src/domain/quotas/period.js';
import { inActorTransaction } from '../../src/domain/shared/actor-transaction.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/domain/shared/actor.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import { AdminClient } from '../support/admin-client.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createModel, createOrg, createUser } from '../support/factories.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/** Issue #7, value rules on every write path. */
const PEPPER = 'test-pepper-0123456789-0123456789-xx';
let t: AppDatabase;
let app: RunningApp;
let org: { id: string };
let admin: { id: string; email: string };
let adminActor: Actor;

beforeAll(async () => {
  t = await appDatabase('value_rules');
  org = await createOrg(t.db, { type: 'MARKETING', pricingPlan: 'PRO' });
  admin = await createUser(t.db, org, 'ADMIN');
  adminActor = await actorFor(t.db, admin as never);
  app = await startRunningApp(t);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? `${e.code} ${e.message}` : String(e)));

describe('editing an API key applies the rules of issuing one', () => {
  it('updateApiKey refuses zero or negative limits and a past expiry, and writes nothing', async () => {
    const { apiKey } = await issueApiKey(t.app, adminActor, { name: 'edit me', maxTokens: 100, rateLimitPerMinute: 10 }, { pepper: PEPPER });
    const before = await t.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    for (const bad of [{ maxTokens: 0 }, { maxTokens: -5 }, { rateLimitPerMinute: 0 }, { rateLimitPerMinute: -1 }, { maxTokens: 1.5 }, { expiresAt: new Date(Date.now() - 60_000) }]) {
      expect(await codeOf(updateApiKey(t.app, adminActor, { apiKeyId: apiKey.id, name: 'changed', ...bad })), JSON.stringify(bad)).toMatch(/^INVALID/);
    }
    expect(await t.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).toEqual(before);
    // Issuing refuses the same values (one copy of the rules).
    for (const bad of [{ maxTokens: 0 }, { rateLimitPerMinute: -1 }, { expiresAt: new Date(Date.now() - 60_000) }]) {
      expect(await codeOf(issueApiKey(t.app, adminActor, { name: 'bad', ...bad }, { pepper: PEPPER })), JSON.stringify(bad)).toMatch(/^INVALID/);
    }
    // Valid changes apply; null lifts a limit.
    const future = new Date(Date.now() + 86_400_000);
    const after = await updateApiKey(t.app, adminActor, { apiKeyId: apiKey.id, maxTokens: 500, rateLimitPerMinute: null, expiresAt: future });
    expect(after).toMatchObject({ maxTokens: 500, rateLimitPerMinute: null });
    expect((await t.db.auditLog.findMany({ where: { recordId: apiKey.id, action: 'api-key.update' } })).length).toBe(1);
  });

  it('the panel edit form is held to the same rules', async () => {
    const { apiKey } = await issueApiKey(t.app, adminActor, { name: 'panel edit', maxTokens: 100 }, { pepper: PEPPER });
    const client = await AdminClient.signIn(app.baseUrl, admin.email);
    for (const bad of [{ maxTokens: -5 }, { maxTokens: 0 }, { rateLimitPerMinute: 0 }, { expiresAt: new Date(Date.now() - 86_400_000) }]) {
      const res = await client.editLikeTheForm('ApiKey', apiKey.id, bad);
      expect(res.outcome, JSON.stringify(bad)).toBe('invalid');
    }
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row).toMatchObject({ maxTokens: 100, rateLimitPerMinute: null, expiresAt: null });
    expect((await client.editLikeTheForm('ApiKey', apiKey.id, { maxTokens: 250 })).outcome).toBe('ok');
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).maxTokens).toBe(250);
  });
});

describe('the database refuses negative limits, quotas and counters whatever writes them', () => {
  it('CHECK constraints on every limit, quota and counter column', async () => {
    const user = await createUser(t.db, org, 'USER');
    const model = await createModel(t.db);
    const realm = await t.db.realm.create({ data: { organizationId: org.id, ownerId: user.id, name: 'checks' } });
    const key = await t.db.apiKey.create({ data: { organizationId: org.id, userId: user.id, realmId: realm.id, name: 'k', prefix: 'rg_', keyHash: `h${Date.now()}` } });
    const counter = await t.db.quotaCounter.create({ data: { organizationId: org.id, subjectType: 'ORGANIZATION', subjectId: org.id, metric: 'TOKENS', period: 'MONTHLY', periodStart: new Date() } });
    const access = await t.db.organizationModelAccess.create({ data: { organizationId: org.id, modelId: model.id } });
    const cases: Array<[string, string, unknown[]]> = [
      ['organizations.monthly_token_quota', 'UPDATE organizations SET monthly_token_quota = -1 WHERE id = $1', [org.id]],
      ['organizations.document_quota', 'UPDATE organizations SET document_quota = -1 WHERE id = $1', [org.id]],
      ['organizations.storage_quota_bytes', 'UPDATE organizations SET storage_quota_bytes = -1 WHERE id = $1', [org.id]],
      ['organizations.monthly_api_call_quota', 'UPDATE organizations SET monthly_api_call_quota = -1 WHERE id = $1', [org.id]],
      ['users.failed_login_attempts', 'UPDATE users SET failed_login_attempts = -1 WHERE id = $1', [user.id]],
      ['api_keys.max_tokens = 0', 'UPDATE api_keys SET max_tokens = 0 WHERE id = $1', [key.id]],
      ['api_keys.max_tokens < 0', 'UPDATE api_keys SET max_tokens = -10 WHERE id = $1', [key.id]],
      ['api_keys.rate_limit_per_minute', 'UPDATE api_keys SET rate_limit_per_minute = 0 WHERE id = $1', [key.id]],
      ['ai_models.max_tokens', 'UPDATE ai_models SET max_tokens = 0 WHERE id = $1', [model.id]],
      ['ai_models.token_limit_amount', 'UPDATE ai_models SET token_limit_amount = -1 WHERE id = $1', [model.id]],
      ['ai_models.trial_days', 'UPDATE ai_models SET trial_days = -1 WHERE id = $1', [model.id]],
      ['organization_model_access.token_limit_per_user', 'UPDATE organization_model_access SET token_limit_per_user = -1 WHERE id = $1', [access.id]],
      ['quota_counters.limit_value', 'UPDATE quota_counters SET limit_value = -1 WHERE id = $1', [counter.id]],
      ['quota_counters.used', 'UPDATE quota_counters SET used = -1 WHERE id = $1', [counter.id]],
      ['quota_counters.reserved', 'UPDATE quota_counters SET reserved = -1 WHERE id = $1', [counter.id]],
      ['usage_events tokens', 'INSERT INTO usage_events (organization_id, total_tokens) VALUES ($1, -5)', [org.id]],
      ['usage_daily_rollups tokens', 'INSERT INTO usage_daily_rollups (organization_id, day, total_tokens) VALUES ($1, current_date, -5)', [org.id]],
      ['login_throttle.attempts', `INSERT INTO login_throttle (ip, attempts) VALUES ('192.0.2.250', -1)`, []],
    ];
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    try {
      for (const [label, sql, params] of cases) {
        await expect(c.query(sql, params), label).rejects.toMatchObject({ code: '23514' });
      }
      // Zero where zero makes sense, and NULL for "no limit", still pass.
      await c.query('UPDATE quota_counters SET limit_value = 0, used = 0 WHERE id = $1', [counter.id]);
      await c.query('UPDATE api_keys SET max_tokens = NULL, rate_limit_per_minute = NULL WHERE id = $1', [key.id]);
    } finally {
      await c.end();
    }
  });
});

describe('quota counters: the slot includes the period', () => {
  it('changing a limit period in the middle of a period does not meet the old period\'s row', async () => {
    // 2026-06-01 starts both a month and an ISO week: MONTHLY and WEEKLY periods share the start.
    expect(periodStart('MONTHLY', new Date('2026-06-01T12:00:00Z')).getTime()).toBe(periodStart('WEEKLY', new Date('2026-06-01T12:00:00Z')).getTime());
    const at = new Date('2026-06-01T12:00:00Z');
    const model = await createModel(t.db);
    const slot = { organizationId: org.id, subjectType: 'ORGANIZATION' as const, subjectId: org.id, metric: 'TOKENS' as const, modelId: model.id };
    await inActorTransaction(t.app, SYSTEM_ACTOR, (tx) => consumeQuota(tx, { ...slot, period: 'MONTHLY', limit: 100 }, 90, { now: at }));
    // The model's period becomes WEEKLY with a limit of 50: a fresh counter, not the monthly one at 90.
    const weekly = await inActorTransaction(t.app, SYSTEM_ACTOR, (tx) => consumeQuota(tx, { ...slot, period: 'WEEKLY', limit: 50 }, 40, { now: at }));
    expect(weekly.used).toBe(40n);
    const rows = await t.db.quotaCounter.findMany({ where: { subjectId: org.id, modelId: model.id } });
    expect(Object.fromEntries(rows.map((r) => [r.period, r.used]))).toEqual({ MONTHLY: 90n, WEEKLY: 40n });
  });
});
