import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { ApiClient, type ApiAnswer } from '../support/api-client.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { ledgerAndCounters, usageTenant, type UsageTenant } from '../support/usage-fixtures.js';
import { callerQuota } from '../../src/domain/quotas/caller-quota.js';

/** POST /usage, reservations, GET /models and GET /quota over HTTP, on two app instances sharing one database. */
let t: AppDatabase;
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  t = await appDatabase('usage_http');
  [a, b] = await Promise.all([startRunningApp(t), startRunningApp(t)]);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await t?.drop();
});

const uuid = () => crypto.randomUUID();

describe('POST /usage over HTTP', () => {
  it('300 racing requests on two instances against small limits: 201s fit exactly, 429s name the limit, ledger = counters = answers', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 1500n, monthlyApiCallQuota: 250 });
    const key = await tenant.key({ maxTokens: 1200 });
    const clients = [new ApiClient(a.baseUrl, key.secret), new ApiClient(b.baseUrl, key.secret)];
    const sent = Array.from({ length: 300 }, (_, i) => ({ n: 1 + (i % 9), id: uuid() }));
    // A gateway retries a request whose connection failed with the same idempotency key: safe, it counts once.
    const post = async (client: ApiClient, body: unknown, attempt = 1): Promise<ApiAnswer> =>
      client.post('/usage', body).catch((e) => (attempt < 4 ? post(client, body, attempt + 1) : Promise.reject(e)));
    const res = await Promise.all(sent.map((s, i) => post(clients[i % 2]!, { model: tenant.model.providerModelId, inputTokens: s.n, outputTokens: 0, idempotencyKey: s.id })));
    const ok = res.filter((r) => r.status === 201);
    const refused = res.filter((r) => r.status === 429);
    expect(ok.length + refused.length).toBe(300);
    const granted = ok.reduce((sum, r) => sum + r.body.totalTokens, 0);
    expect(granted).toBeLessThanOrEqual(1200);
    for (const r of refused) {
      expect(r.body.error.code).toBe('QUOTA_EXCEEDED');
      expect(['apiKey.monthlyTokens', 'organization.monthlyApiCalls']).toContain(r.body.error.details.limit);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.body.error.details.remaining).toBeLessThan(r.body.error.details.requested);
    }
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.ledgerRows).toBe(ok.length);
    expect(s.ledgerTokens).toBe(granted);
    expect(Number(s.orgTokens!.used)).toBe(granted);
    expect(Number(s.orgCalls!.used)).toBe(ok.length);
    expect(Number(s.keyTokens[0]!.used)).toBe(granted);
    expect(s.rollupTokens).toBe(granted);
    expect(s.rollupRequests).toBe(ok.length);
    const events = await t.db.usageEvent.findMany({ where: { organizationId: tenant.org.id }, select: { id: true, occurredAt: true } });
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(ok.map((r) => r.body.eventId)));
    // Ledger ids are time-ordered (UUID v7) and name the instant the row records.
    for (const e of events) {
      expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect(Number.parseInt(e.id.slice(0, 8) + e.id.slice(9, 13), 16)).toBe(e.occurredAt.getTime());
    }
    // Each instance's /metrics counts its batches and the operations they decided.
    let operations = 0;
    for (const app of [a, b]) {
      const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
      expect(value('realmgate_usage_batches_total')).toBeGreaterThan(0);
      expect(value('realmgate_usage_batch_operations_total')).toBeGreaterThanOrEqual(value('realmgate_usage_batches_total'));
      expect(value('realmgate_usage_batch_retries_total')).toBeGreaterThanOrEqual(0);
      operations += value('realmgate_usage_batch_operations_total');
    }
    expect(operations).toBeGreaterThanOrEqual(300);
  });

  it("a user's key: usage and the listings work without loading the owner per request, and an inactive owner or organization stops them at once", async () => {
    const tenant = await usageTenant(t.db);
    const key = await tenant.key({ owned: true });
    const client = new ApiClient(a.baseUrl, key.secret);
    const body = () => ({ model: tenant.model.id, inputTokens: 3, outputTokens: 4, idempotencyKey: uuid() });
    const first = await client.post('/usage', body());
    expect(first.status).toBe(201);
    expect((await client.get('/models')).status).toBe(200);
    expect((await client.get('/quota')).status).toBe(200);
    // Well inside the key lookup cache's second: the batch, and the listings' own
    // transaction, re-read the owner themselves.
    await t.db.user.update({ where: { id: tenant.user.id }, data: { status: 'INACTIVE' } });
    const disabled = await client.post('/usage', body());
    expect(disabled.status).toBe(401);
    expect(disabled.body.error.code).toBe('UNAUTHENTICATED');
    expect((await client.get('/models')).status).toBe(401);
    expect((await client.get('/quota')).status).toBe(401);
    await t.db.user.update({ where: { id: tenant.user.id }, data: { status: 'ACTIVE' } });
    // Active again: the key lookup may have cached the inactive owner for up to a second.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await client.post('/usage', body())).status).toBe(201);
    expect((await client.get('/models')).body.items.map((m: { id: string }) => m.id)).toContain(tenant.model.id);
    await t.db.organization.update({ where: { id: tenant.org.id }, data: { isActive: false } });
    expect((await client.post('/usage', body())).status).toBe(401);
    expect((await client.get('/models')).status).toBe(401);
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.ledgerRows).toBe(2);
    expect(s.ledgerTokens).toBe(14);
  });

  it('a replay answers the first answer with replayed: true; a revoked key stops within a second on every instance', async () => {
    const tenant = await usageTenant(t.db);
    const key = await tenant.key();
    const body = { model: tenant.model.id, inputTokens: 5, outputTokens: 5, idempotencyKey: 'same' };
    const first = await new ApiClient(a.baseUrl, key.secret).post('/usage', body);
    const again = await new ApiClient(b.baseUrl, key.secret).post('/usage', { ...body, inputTokens: 99 });
    expect(first.status).toBe(201);
    expect(again.body).toEqual({ ...first.body, replayed: true });
    await t.db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    const [ra, rb] = await Promise.all([a, b].map((app) => new ApiClient(app.baseUrl, key.secret).post('/usage', { ...body, idempotencyKey: uuid() })));
    expect([ra!.status, rb!.status]).toEqual([401, 401]);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await new ApiClient(a.baseUrl, key.secret).get('/models')).status).toBe(401);
  });

  it('bad input is refused with 400 and writes nothing (property-based)', async () => {
    const tenant = await usageTenant(t.db);
    const other = await usageTenant(t.db);
    const otherRealm = await t.db.realm.create({ data: { organizationId: other.org.id, ownerId: other.user.id, name: 'theirs' } });
    const key = await tenant.key();
    const api = new ApiClient(a.baseUrl, key.secret);
    const badTokens = fc.oneof(
      fc.integer({ max: -1 }), fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)), fc.constant(2 ** 53 + 2), fc.constant(1e300),
      fc.string(), fc.constant(null), fc.boolean(), fc.constant('12'), fc.array(fc.nat(), { maxLength: 2 }),
    );
    const good = { model: tenant.model.id, inputTokens: 1, outputTokens: 1 };
    const badBody = fc.oneof(
      badTokens.map((v) => ({ ...good, inputTokens: v })),
      badTokens.map((v) => ({ ...good, outputTokens: v })),
      fc.constant({ ...good, inputTokens: 0, outputTokens: 0 }),
      fc.string({ minLength: 1, maxLength: 40 }).filter((m) => m !== tenant.model.id && m !== tenant.model.providerModelId).map((m) => ({ ...good, model: m })),
      fc.constant({ ...good, model: other.model.id }),
      fc.constant({ ...good, userId: other.user.id }),
      fc.constant({ ...good, realmId: otherRealm.id }),
      fc.string({ minLength: 201, maxLength: 300 }).map((k) => ({ ...good, idempotencyKey: k })),
      fc.constant({ ...good, unknownField: 1 }),
    );
    await fc.assert(fc.asyncProperty(badBody, async (body) => {
      const res = await api.post('/usage', { idempotencyKey: uuid(), ...body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID');
    }), { numRuns: 120 });
    const held = await api.post('/usage/reservations', { model: tenant.model.id, estimatedTokens: 1.5 });
    expect(held.status).toBe(400);
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.ledgerRows).toBe(0);
    expect(s.orgTokens?.used ?? 0n).toBe(0n);
    expect(await t.db.usageReservation.count({ where: { organizationId: tenant.org.id } })).toBe(0);
  });
});

describe('reservations over HTTP', () => {
  it('hold, extend (429 past the limit), settle (more than held is recorded), release; another organization gets 404', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 300n });
    const key = await tenant.key();
    const api = new ApiClient(a.baseUrl, key.secret);
    const h1 = await api.post('/usage/reservations', { model: tenant.model.providerModelId, estimatedTokens: 100, idempotencyKey: 'stream-a' });
    expect(h1.status).toBe(201);
    expect(h1.body).toMatchObject({ status: 'HELD', heldTokens: 100, replayed: false });
    const h2 = await new ApiClient(b.baseUrl, key.secret).post('/usage/reservations', { model: tenant.model.id, estimatedTokens: 150 });
    expect(h2.status).toBe(201);
    const ext = await api.post(`/usage/reservations/${h1.body.id}/extend`, { additionalTokens: 60 });
    expect(ext.status).toBe(429);
    expect(ext.body.error.details).toMatchObject({ limit: 'organization.monthlyTokens', remaining: 50 });
    expect((await api.post(`/usage/reservations/${h1.body.id}/extend`, { additionalTokens: 50 })).body.heldTokens).toBe(150);
    const stranger = await (await usageTenant(t.db)).key();
    expect((await new ApiClient(a.baseUrl, stranger.secret).post(`/usage/reservations/${h1.body.id}/settle`, { inputTokens: 1, outputTokens: 1 })).status).toBe(404);
    const settled = await api.post(`/usage/reservations/${h1.body.id}/settle`, { inputTokens: 120, outputTokens: 40 });
    expect(settled.status).toBe(200);
    expect(settled.body.usage.totalTokens).toBe(160);
    const released = await api.post(`/usage/reservations/${h2.body.id}/release`, {});
    expect(released.body.status).toBe('RELEASED');
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(Number(s.orgTokens!.used)).toBe(160);
    expect(Number(s.orgTokens!.reserved)).toBe(0);
    expect(s.ledgerTokens).toBe(160);
  });
});

describe('GET /models and GET /quota', () => {
  let tenant: UsageTenant;
  it('lists exactly the usable models with what is left, and every limit that applies', async () => {
    tenant = await usageTenant(t.db, { monthlyTokenQuota: 1000n, monthlyApiCallQuota: 50 }, { tokenLimitAmount: 500, tokenLimitPeriod: 'WEEKLY' });
    const hidden = await t.db.aiModel.create({ data: { name: `Hidden ${uuid()}`, provider: 'x', providerModelId: 'hidden', role: 'chat', requiredPlan: 'FREE' } });
    const key = await tenant.key({ owned: true, maxTokens: 800, rateLimitPerMinute: 60 });
    const api = new ApiClient(a.baseUrl, key.secret);
    expect((await api.post('/usage', { model: tenant.model.id, inputTokens: 100, outputTokens: 20, idempotencyKey: uuid() })).status).toBe(201);
    const models = await api.get('/models');
    expect(models.status).toBe(200);
    expect(models.body.items.map((m: { id: string }) => m.id)).toEqual([tenant.model.id]);
    expect(models.body.items.map((m: { id: string }) => m.id)).not.toContain(hidden.id);
    expect(models.body.items[0].userQuota).toMatchObject({ limit: 'user.modelTokens', period: 'WEEKLY', limitValue: 500, used: 120, remaining: 380 });
    const quota = await api.get('/quota');
    expect(quota.status).toBe(200);
    const by = Object.fromEntries(quota.body.limits.map((l: { limit: string }) => [l.limit, l]));
    expect(by['organization.monthlyTokens']).toMatchObject({ limitValue: 1000, used: 120, remaining: 880 });
    expect(by['organization.monthlyApiCalls']).toMatchObject({ limitValue: 50, used: 1 });
    expect(by['apiKey.monthlyTokens']).toMatchObject({ limitValue: 800, used: 120, remaining: 680 });
    expect(by['apiKey.requestsPerMinute']).toMatchObject({ limitValue: 60, used: 1, period: 'MINUTE' });
    expect(by['user.modelTokens']).toMatchObject({ limitValue: 500, used: 120 });
    // The key's GET /quota (keyQuota, the hot path's reads) says what the tenant-transaction read says.
    const { secret: _secret, id: _id, ...actor } = key;
    const read = await callerQuota(t.db, actor, { now: new Date(quota.body.at) });
    expect(quota.body.limits).toEqual(JSON.parse(JSON.stringify(read.limits)));
  });
});
