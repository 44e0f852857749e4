import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, type World } from '../support/admin-fixtures.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * Issue #10: an action a role may not complete is not offered to it ("Reset
 * usage" on a USER's own key failed with "Quota subject not found"), and the
 * key page shows its quota panel to its owner.
 */
let t: AppDatabase;
let app: RunningApp;
let w: World;
let admin: AdminClient;
let user: AdminClient;
let keyId: string;

beforeAll(async () => {
  t = await appDatabase('admin_quota_panels');
  w = await createWorld(t.db);
  keyId = (await t.db.apiKey.create({ data: { organizationId: w.orgA.id, userId: w.user.id, name: 'own key', prefix: 'rgk_own', keyHash: 'e'.repeat(64) } })).id;
  await t.db.quotaCounter.create({ data: { organizationId: w.orgA.id, subjectType: 'API_KEY', subjectId: keyId, metric: 'TOKENS', period: 'MONTHLY', periodStart: new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)), used: 1234n } });
  app = await startRunningApp(t);
  [admin, user] = await Promise.all([w.admin, w.user].map((p) => AdminClient.signIn(app.baseUrl, p.email)));
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const actionsOn = async (client: AdminClient, id: string): Promise<string[]> => {
  const res = await client.show('ApiKey', id);
  expect(res.outcome).toBe('ok');
  return (res.body.record.recordActions as { name: string }[]).map((a) => a.name);
};

describe("an API key's quota panel and reset", () => {
  it("the owner (USER) sees the key's usage but is not offered Reset usage", async () => {
    expect(await actionsOn(user, keyId)).not.toContain('resetUsage');
    const stats = await user.get(`/resources/ApiKey/records/${keyId}/quotaStats`);
    expect(stats.outcome, JSON.stringify(stats.body?.notice)).toBe('ok');
    const tokens = stats.body.stats.metrics.find((m: { metric: string }) => m.metric === 'TOKENS');
    expect(tokens.used).toBe(1234);
    // A crafted call is refused all the same.
    expect((await user.post(`/resources/ApiKey/records/${keyId}/resetUsage`, { counters: '[]' })).outcome).not.toBe('ok');
  });

  it('an org ADMIN is offered Reset usage and can complete it', async () => {
    expect(await actionsOn(admin, keyId)).toContain('resetUsage');
    const shown = await admin.get(`/resources/ApiKey/records/${keyId}/resetUsage`);
    const counter = shown.body.stats[0].metrics.find((m: { metric: string }) => m.metric === 'TOKENS');
    const res = await admin.post(`/resources/ApiKey/records/${keyId}/resetUsage`, { counters: JSON.stringify([{ counterId: counter.counterId, expectedGeneration: counter.generation }]) });
    expect(res.body?.notice?.type, res.body?.notice?.message).toBe('success');
    expect((await t.db.quotaCounter.findFirstOrThrow({ where: { subjectId: keyId, metric: 'TOKENS' } })).used).toBe(0n);
  });
});
