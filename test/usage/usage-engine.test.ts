import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneOf } from '../../src/domain/usage/usage-engine.js';
import { UsageEngine, recordUsage, holdReservation, extendReservation, settleReservation, releaseReservation } from '../../src/domain/usage/index.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { coarseRollupMismatches, ledgerAndCounters, usageTenant } from '../support/usage-fixtures.js';

let t: AppDatabase;
let engine: UsageEngine;
let engine2: UsageEngine; // a second "instance" on the same database

beforeAll(async () => {
  t = await appDatabase('usage_engine');
  engine = new UsageEngine({ databaseUrl: t.systemUrl, reservationTtlSeconds: 300 });
  engine2 = new UsageEngine({ databaseUrl: t.systemUrl, reservationTtlSeconds: 300 });
});
afterAll(async () => {
  await engine?.close();
  await engine2?.close();
  await t?.drop();
});

const code = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : `ERR ${String(e)}`));
const idem = () => crypto.randomUUID();

describe('recordUsage', () => {
  it('moves every counter, writes one ledger row and one rollup, and a replay answers the same without counting', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 1000n, monthlyApiCallQuota: 10 });
    const key = await tenant.key({ owned: true, maxTokens: 500 });
    const body = { model: tenant.model.providerModelId, inputTokens: 30, outputTokens: 12, idempotencyKey: 'req-1' };
    const first = await recordUsage(engine, key, body);
    expect(first.replayed).toBe(false);
    expect(first.value.totalTokens).toBe(42);
    const again = await recordUsage(engine2, key, body);
    expect(again.replayed).toBe(true);
    expect(again.value).toEqual(first.value);
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.ledgerRows).toBe(1);
    expect(s.ledgerTokens).toBe(42);
    expect(s.rollupTokens).toBe(42);
    // The dashboard's coarse rollups (0019) moved in the same batch write.
    expect(await coarseRollupMismatches(t.db, tenant.org.id)).toEqual([]);
    expect((await t.db.usageDailyModelRollup.findMany({ where: { organizationId: tenant.org.id } })).map((r) => [r.modelId, r.totalTokens, r.requests])).toEqual([[tenant.model.id, 42n, 1n]]);
    expect(s.orgTokens!.used).toBe(42n);
    expect(s.orgCalls!.used).toBe(1n);
    expect(s.keyTokens[0]!.used).toBe(42n);
    expect(s.userTokens[0]!.used).toBe(42n);
    const names = first.value.limits.map((l) => l.limit).sort();
    expect(names).toEqual(['apiKey.monthlyRequests', 'apiKey.monthlyTokens', 'organization.monthlyApiCalls', 'organization.monthlyTokens', 'user.modelTokens']);
    expect(first.value.limits.find((l) => l.limit === 'apiKey.monthlyTokens')!.remaining).toBe(458);
  });

  it('never passes a limit under 400 racing calls on two instances, refuses only what does not fit, and the ledger equals the counters', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 2000n });
    const keys = [await tenant.key(), await tenant.key({ maxTokens: 700 })];
    const calls = Array.from({ length: 400 }, (_, i) => ({ key: keys[i % 2]!, n: 1 + (i % 13) }));
    const results = await Promise.all(calls.map((c, i) => (i % 2 ? engine : engine2) === engine
      ? recordUsage(engine, c.key, { model: tenant.model.id, inputTokens: c.n, outputTokens: 0, idempotencyKey: idem() }).then((r) => ({ ok: true as const, n: c.n, key: c.key.id, r }), (e: AppError) => ({ ok: false as const, n: c.n, key: c.key.id, e }))
      : recordUsage(engine2, c.key, { model: tenant.model.id, inputTokens: c.n, outputTokens: 0, idempotencyKey: idem() }).then((r) => ({ ok: true as const, n: c.n, key: c.key.id, r }), (e: AppError) => ({ ok: false as const, n: c.n, key: c.key.id, e }))));
    const accepted = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    const grantedTokens = accepted.reduce((a, r) => a + r.n, 0);
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(grantedTokens).toBeLessThanOrEqual(2000);
    expect(s.ledgerTokens).toBe(grantedTokens);
    expect(s.ledgerRows).toBe(accepted.length);
    expect(Number(s.orgTokens!.used)).toBe(grantedTokens);
    expect(s.rollupTokens).toBe(grantedTokens);
    // Two instances' batches racing on the same coarse rollup rows: still the daily rollups summed.
    expect(await coarseRollupMismatches(t.db, tenant.org.id)).toEqual([]);
    const key1Granted = accepted.filter((r) => r.key === keys[1]!.id).reduce((a, r) => a + r.n, 0);
    expect(key1Granted).toBeLessThanOrEqual(700);
    expect(Number(s.keyTokens.find((c) => c.subjectId === keys[1]!.id)!.used)).toBe(key1Granted);
    // Every refusal is QUOTA_EXCEEDED and really did not fit when decided.
    for (const r of refused) {
      expect((r as { e: AppError }).e.code).toBe('QUOTA_EXCEEDED');
      const d = (r as { e: AppError }).e.details as { remaining: number; requested: number; periodEnd: string };
      expect(d.remaining).toBeLessThan(d.requested);
      expect(Date.parse(d.periodEnd)).toBeGreaterThan(Date.now());
    }
    expect(refused.length).toBeGreaterThan(0);
    // The limit was reached: nothing that fits was left unused beyond the smallest refusal.
    expect(2000 - grantedTokens).toBeLessThan(13);
  });

  it('replays raced at the same time count once and all get the first answer', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 100000n });
    const key = await tenant.key();
    const ids = Array.from({ length: 40 }, idem);
    const results = await Promise.all(ids.flatMap((id) => Array.from({ length: 5 }, (_, j) =>
      recordUsage(j % 2 ? engine : engine2, key, { model: tenant.model.providerModelId, inputTokens: 10, outputTokens: 5, idempotencyKey: id }))));
    const byKey = new Map<string, Set<string>>();
    results.forEach((r, i) => {
      const id = ids[Math.floor(i / 5)]!;
      byKey.set(id, (byKey.get(id) ?? new Set()).add(r.value.eventId));
    });
    for (const set of byKey.values()) expect(set.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(40);
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.ledgerRows).toBe(40);
    expect(Number(s.orgTokens!.used)).toBe(600);
  });

  it('free models skip token limits but count calls; the API call quota and requests per minute refuse with their names', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 10n, monthlyApiCallQuota: 25 }, { isFree: true });
    const key = await tenant.key({ rateLimitPerMinute: 20 });
    const results = await Promise.all(Array.from({ length: 30 }, () =>
      code(recordUsage(engine, key, { model: tenant.model.id, inputTokens: 100, outputTokens: 100, idempotencyKey: idem() }))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(20);
    expect(results.filter((r) => r === 'RATE_LIMITED')).toHaveLength(10);
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.orgTokens).toBeUndefined();
    expect(Number(s.orgCalls!.used)).toBe(20);
    expect(s.ledgerTokens).toBe(4000);
    const err = await recordUsage(engine, key, { model: tenant.model.id, inputTokens: 1, outputTokens: 0, idempotencyKey: idem() }).catch((e: AppError) => e);
    expect((err as AppError).code).toBe('RATE_LIMITED');
    expect((err as AppError).details).toMatchObject({ limit: 'apiKey.requestsPerMinute', limitValue: 20, remaining: 0 });
  });

  it('counts every refusal (429) per organization, day and limit in the batch that refused it, for the dashboard', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 50n, monthlyApiCallQuota: 1000 });
    const key = await tenant.key({ rateLimitPerMinute: 12 });
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      code(recordUsage(engine, key, { model: tenant.model.id, inputTokens: 10, outputTokens: 0, idempotencyKey: idem() }))));
    const count = (c: string) => results.filter((r) => r === c).length;
    expect(count('OK')).toBe(5);
    expect(count('QUOTA_EXCEEDED') + count('RATE_LIMITED')).toBe(15);
    const rows = await t.db.$queryRaw<{ code: string; count: bigint }[]>`
      SELECT code, count FROM usage_refusals WHERE organization_id = ${tenant.org.id}::uuid AND day = (now() AT TIME ZONE 'UTC')::date ORDER BY code`;
    const byCode = Object.fromEntries(rows.map((r) => [r.code, Number(r.count)]));
    expect(byCode['organization.monthlyTokens'] ?? 0).toBe(count('QUOTA_EXCEEDED'));
    expect(byCode['apiKey.requestsPerMinute'] ?? 0).toBe(count('RATE_LIMITED'));
    expect(Object.keys(byCode).every((c) => c === 'organization.monthlyTokens' || c === 'apiKey.requestsPerMinute')).toBe(true);
  });

  it("makes sure of next month's ledger partition when it writes near a month's end", async () => {
    const nearEnd = new Date(Date.UTC(2031, 0, 30, 12)); // two days before February 2031
    const late = new UsageEngine({ databaseUrl: t.systemUrl, now: () => nearEnd });
    try {
      const exists = async (name: string) => (await t.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_class WHERE relname = ${name}`)[0]!.n === 1;
      expect(await exists('usage_events_p203102')).toBe(false);
      const tenant = await usageTenant(t.db, { monthlyTokenQuota: 1000n });
      const key = await tenant.key();
      const r = await recordUsage(late, key, { model: tenant.model.id, inputTokens: 3, outputTokens: 4, idempotencyKey: idem() });
      expect(r.value.occurredAt).toBe(nearEnd.toISOString());
      expect(await exists('usage_events_p203101')).toBe(true);
      expect(await exists('usage_events_p203102')).toBe(true);
    } finally {
      await late.close();
    }
  });

  it("applies the user's per-model limit, and a revoked key or disabled user stops at once", async () => {
    const tenant = await usageTenant(t.db, {}, { tokenLimitAmount: 100, tokenLimitPeriod: 'DAILY' });
    const key = await tenant.key({ owned: true });
    const use = (n: number) => code(recordUsage(engine, key, { model: tenant.model.id, inputTokens: n, outputTokens: 0, idempotencyKey: idem() }));
    expect(await use(60)).toBe('OK');
    const err = await recordUsage(engine, key, { model: tenant.model.id, inputTokens: 41, outputTokens: 0, idempotencyKey: idem() }).catch((e: AppError) => e);
    expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { limit: 'user.modelTokens', period: 'DAILY', remaining: 40, limitValue: 100 } });
    expect(await use(40)).toBe('OK');
    await t.db.user.update({ where: { id: tenant.user.id }, data: { status: 'INACTIVE' } });
    expect(await use(1)).toBe('UNAUTHENTICATED');
    await t.db.user.update({ where: { id: tenant.user.id }, data: { status: 'ACTIVE' } });
    await t.db.userModelLimit.create({ data: { organizationId: tenant.org.id, userId: tenant.user.id, modelId: tenant.model.id, tokenLimit: 1000 } });
    await new Promise((r) => setTimeout(r, 1100)); // the catalog cache lives at most a second
    expect(await use(500)).toBe('OK');
    await t.db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    expect(await use(1)).toBe('UNAUTHENTICATED');
  });

  it('refuses unknown and not-allowed models, other organizations\' users and realms, writing nothing', async () => {
    const tenant = await usageTenant(t.db);
    const other = await usageTenant(t.db);
    const key = await tenant.key({ allowedModelIds: [other.model.id] });
    const base = { inputTokens: 1, outputTokens: 1, idempotencyKey: idem() };
    expect(await code(recordUsage(engine, key, { ...base, model: 'no-such-model' }))).toBe('INVALID');
    expect(await code(recordUsage(engine, key, { ...base, model: tenant.model.id }))).toBe('INVALID'); // not in allowed models
    const open = await tenant.key();
    expect(await code(recordUsage(engine, open, { ...base, model: other.model.id }))).toBe('INVALID');
    expect(await code(recordUsage(engine, open, { ...base, model: tenant.model.id, userId: other.user.id }))).toBe('INVALID');
    const realm = await t.db.realm.create({ data: { organizationId: other.org.id, ownerId: other.user.id, name: 'r' } });
    expect(await code(recordUsage(engine, open, { ...base, model: tenant.model.id, realmId: realm.id }))).toBe('INVALID');
    expect(await code(recordUsage(engine, open, { ...base, model: tenant.model.id, inputTokens: -1 }))).toBe('INVALID');
    expect(await code(recordUsage(engine, open, { ...base, model: tenant.model.id, inputTokens: 1.5 }))).toBe('INVALID');
    expect(await code(recordUsage(engine, open, { ...base, model: tenant.model.id, inputTokens: 0, outputTokens: 0 }))).toBe('INVALID');
    expect(await code(recordUsage(engine, open, { ...base, model: tenant.model.id, idempotencyKey: 'x'.repeat(201) }))).toBe('INVALID');
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.ledgerRows).toBe(0);
  });
});

describe('reservations', () => {
  it('holds race exactly; settle replaces the hold, release gives it back, extend is refused past the limit', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 1000n });
    const key = await tenant.key();
    const holds = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      holdReservation(i % 2 ? engine : engine2, key, { model: tenant.model.id, estimatedTokens: 50 }).then((r) => r.value, () => null)));
    const held = holds.filter((h) => h !== null);
    expect(held).toHaveLength(20);
    let s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(Number(s.orgTokens!.reserved)).toBe(1000);
    expect(Number(s.orgTokens!.used)).toBe(0);
    // settle 10 with 30 tokens each, release 5, extend the other 5: only 5 x 40 fit back... check exactly
    const [toSettle, toRelease, toExtend] = [held.slice(0, 10), held.slice(10, 15), held.slice(15)];
    const settled = await Promise.all(toSettle.map((h) => settleReservation(engine, key, { reservationId: h.id, inputTokens: 20, outputTokens: 10 })));
    expect(settled.every((r) => r.value.status === 'SETTLED')).toBe(true);
    await Promise.all(toRelease.map((h) => releaseReservation(engine2, key, { reservationId: h.id })));
    s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(Number(s.orgTokens!.used)).toBe(300);
    expect(Number(s.orgTokens!.reserved)).toBe(250);
    // 1000 - 300 - 250 = 450 left: 5 extends of 100 → exactly 4 fit
    const ext = await Promise.all(toExtend.map((h) => code(extendReservation(engine, key, { reservationId: h.id, additionalTokens: 100 }))));
    expect(ext.filter((x) => x === 'OK')).toHaveLength(4);
    expect(ext.filter((x) => x === 'QUOTA_EXCEEDED')).toHaveLength(1);
    // settling again answers the first settlement; settle after release is a conflict; another org's key sees nothing
    const again = await settleReservation(engine2, key, { reservationId: toSettle[0]!.id, inputTokens: 999, outputTokens: 0 });
    expect(again.replayed).toBe(true);
    expect(again.value.usage!.totalTokens).toBe(30);
    expect(await code(settleReservation(engine, key, { reservationId: toRelease[0]!.id, inputTokens: 1, outputTokens: 0 }))).toBe('CONFLICT');
    const stranger = await (await usageTenant(t.db)).key();
    expect(await code(releaseReservation(engine, stranger, { reservationId: toExtend[0]!.id }))).toBe('NOT_FOUND');
    // settle more than held: recorded
    const big = await settleReservation(engine, key, { reservationId: toExtend[0]!.id, inputTokens: 500, outputTokens: 0 });
    expect(big.value.usage!.totalTokens).toBe(500);
    s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.ledgerRows).toBe(11);
    expect(Number(s.orgTokens!.used)).toBe(s.ledgerTokens);
    const live = await t.db.usageReservation.findMany({ where: { organizationId: tenant.org.id, status: 'HELD' } });
    expect(Number(s.orgTokens!.reserved)).toBe(live.reduce((a, r) => a + Number(r.heldTokens), 0));
  });

  it('an unsettled hold expires by itself: the next batch of the organization gives it back', async () => {
    const fast = new UsageEngine({ databaseUrl: t.systemUrl, reservationTtlSeconds: 1 });
    try {
      const tenant = await usageTenant(t.db, { monthlyTokenQuota: 100n });
      const key = await tenant.key();
      const h = await holdReservation(fast, key, { model: tenant.model.id, estimatedTokens: 100, idempotencyKey: 'stream-1' });
      expect(await code(recordUsage(fast, key, { model: tenant.model.id, inputTokens: 1, outputTokens: 0, idempotencyKey: idem() }))).toBe('QUOTA_EXCEEDED');
      const replay = await holdReservation(engine, key, { model: tenant.model.id, estimatedTokens: 100, idempotencyKey: 'stream-1' });
      expect(replay).toMatchObject({ replayed: true, value: { id: h.value.id } });
      await new Promise((r) => setTimeout(r, 1200));
      expect(await code(recordUsage(engine, key, { model: tenant.model.id, inputTokens: 100, outputTokens: 0, idempotencyKey: idem() }))).toBe('OK');
      const row = await t.db.usageReservation.findFirst({ where: { organizationId: tenant.org.id, id: h.value.id } });
      expect(row!.status).toBe('EXPIRED');
      expect(await code(extendReservation(fast, key, { reservationId: h.value.id, additionalTokens: 1 }))).toBe('CONFLICT');
      // the stream did run: settling an expired hold still records it
      const late = await settleReservation(fast, key, { reservationId: h.value.id, inputTokens: 5, outputTokens: 0 });
      expect(late.value.status).toBe('SETTLED');
      const s = await ledgerAndCounters(t.db, tenant.org.id);
      expect(Number(s.orgTokens!.used)).toBe(105);
      expect(Number(s.orgTokens!.reserved)).toBe(0);
    } finally {
      await fast.close();
    }
  });
});

describe('lanes', () => {
  it("an organization's batches run one at a time in its lane; another lane's organization is not held up by them", async () => {
    const lanes = 4;
    const lanesEngine = new UsageEngine({ databaseUrl: t.systemUrl, maxInFlight: lanes, reservationTtlSeconds: 300 });
    const locker = new pg.Client({ connectionString: t.systemUrl });
    await locker.connect();
    try {
      const a = await usageTenant(t.db, { monthlyTokenQuota: 10_000n });
      let b = await usageTenant(t.db, { monthlyTokenQuota: 10_000n });
      while (laneOf(b.org.id, lanes) === laneOf(a.org.id, lanes)) b = await usageTenant(t.db, { monthlyTokenQuota: 10_000n });
      const [keyA, keyB] = [await a.key(), await b.key()];
      const use = (key: typeof keyA, model: string) => recordUsage(lanesEngine, key, { model, inputTokens: 1, outputTokens: 0, idempotencyKey: idem() });
      await Promise.all([use(keyA, a.model.id), use(keyB, b.model.id)]); // rows exist from here on

      // Another transaction holds organization A's counters: A's batch waits on them.
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM quota_counters WHERE organization_id = $1 FOR UPDATE', [a.org.id]);
      const settled = new Set<string>();
      const firstA = use(keyA, a.model.id).finally(() => settled.add('firstA'));
      const waitingOnLock = async () => (await locker.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'realmgate-usage' AND wait_event_type = 'Lock'`)).rows[0]!.n;
      await expect.poll(waitingOnLock, { timeout: 10_000 }).toBe(1);
      const secondA = use(keyA, a.model.id).finally(() => settled.add('secondA'));

      // B's lane is free: its call is answered while A's lane is held.
      const answerB = await use(keyB, b.model.id);
      expect(answerB.replayed).toBe(false);
      expect(settled.size).toBe(0);
      // A's second call waits in its lane, not on a second locked transaction.
      await new Promise((r) => setTimeout(r, 200));
      expect(await waitingOnLock()).toBe(1);

      await locker.query('ROLLBACK');
      await Promise.all([firstA, secondA]);
      const s = await ledgerAndCounters(t.db, a.org.id);
      expect(s.ledgerRows).toBe(3);
      expect(Number(s.orgTokens!.used)).toBe(3);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
      await lanesEngine.close();
    }
  });

  it('sends every operation of one organization to the same lane, and spreads organizations over all lanes', () => {
    const ids = Array.from({ length: 400 }, () => crypto.randomUUID());
    for (const id of ids) expect(laneOf(id, 4)).toBe(laneOf(id, 4));
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[laneOf(id, 4)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(50);
    expect(laneOf('not-a-uuid', 4)).toBe(0);
  });
});

describe('operations that arrive while a batch waits for its locks', () => {
  it('join it when it holds all they need (a settle once its hold is locked too), a replay among them still answers the first answer, and the rest wait for the next batch', async () => {
    const joinEngine = new UsageEngine({ databaseUrl: t.systemUrl, reservationTtlSeconds: 300 });
    const locker = new pg.Client({ connectionString: t.systemUrl });
    await locker.connect();
    try {
      const tenant = await usageTenant(t.db, { monthlyTokenQuota: 10_000n });
      const [key, otherKey] = [await tenant.key({ maxTokens: 5_000 }), await tenant.key()];
      const use = (k: typeof key, idempotencyKey: string, inputTokens = 1) =>
        recordUsage(joinEngine, k, { model: tenant.model.id, inputTokens, outputTokens: 0, idempotencyKey });
      const first = await use(key, 'first', 7);
      await use(otherKey, 'other-rows'); // the other key's rows exist: only the locks decide below
      const hold = await holdReservation(joinEngine, key, { model: tenant.model.id, estimatedTokens: 50 });

      // Another transaction holds the organization's counters: the next batch waits on them.
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM quota_counters WHERE organization_id = $1 FOR UPDATE', [tenant.org.id]);
      const waitingOnLock = async () => (await locker.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'realmgate-usage' AND wait_event_type = 'Lock'`)).rows[0]!.n;
      const before = { ...joinEngine.stats };
      const a = use(key, 'a', 2);
      await expect.poll(waitingOnLock, { timeout: 10_000 }).toBe(1);
      // While it waits: a replay of 'first' and a new call on the same key (both covered by its
      // locks), a settle of the key's hold (which it locks once it holds its counters), and a
      // call on another key of the organization, whose rate window it did not lock.
      const replay = use(key, 'first', 7);
      const c = use(key, 'c', 3);
      const settle = settleReservation(joinEngine, key, { reservationId: hold.value.id, inputTokens: 6, outputTokens: 4 });
      const other = use(otherKey, 'other', 4);
      await new Promise((r) => setTimeout(r, 100));
      await locker.query('COMMIT');
      const [ra, rReplay, rc, rSettle, rOther] = await Promise.all([a, replay, c, settle, other]);
      expect(rSettle.value).toMatchObject({ status: 'SETTLED', usage: { totalTokens: 10 } });

      expect([ra.replayed, rc.replayed, rOther.replayed]).toEqual([false, false, false]);
      expect(rReplay.replayed).toBe(true);
      expect(rReplay.value).toEqual(first.value);
      // The replay, the new call and the settle joined the waiting batch. The replay's key was not looked
      // up when it joined, so the write met the taken key and the batch ran again, with all as members.
      expect(joinEngine.stats.joined - before.joined).toBe(3);
      expect(joinEngine.stats.retries - before.retries).toBe(1);
      // The other key's call was not covered: it waited for a batch of its own.
      expect(joinEngine.stats.batches - before.batches).toBe(2);
      expect(joinEngine.stats.operations - before.operations).toBe(5);

      const s = await ledgerAndCounters(t.db, tenant.org.id);
      expect(s.ledgerRows).toBe(6);
      expect(s.ledgerTokens).toBe(7 + 1 + 2 + 3 + 10 + 4);
      expect(Number(s.orgTokens!.used)).toBe(27);
      expect(Number(s.orgTokens!.reserved)).toBe(0);
      expect(Number(s.keyTokens.find((k) => k.subjectId === key.id)!.used)).toBe(22);
      expect(await coarseRollupMismatches(t.db, tenant.org.id)).toEqual([]);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
      await joinEngine.close();
    }
  });

  it('a settle whose hold another transaction holds does not join, and is decided by the next batch', async () => {
    const joinEngine = new UsageEngine({ databaseUrl: t.systemUrl, reservationTtlSeconds: 300 });
    const [counterLocker, holdLocker] = [new pg.Client({ connectionString: t.systemUrl }), new pg.Client({ connectionString: t.systemUrl })];
    await counterLocker.connect();
    await holdLocker.connect();
    try {
      const tenant = await usageTenant(t.db, { monthlyTokenQuota: 10_000n });
      const key = await tenant.key();
      const use = (idempotencyKey: string) => recordUsage(joinEngine, key, { model: tenant.model.id, inputTokens: 1, outputTokens: 0, idempotencyKey });
      await use('rows');
      const hold = await holdReservation(joinEngine, key, { model: tenant.model.id, estimatedTokens: 40 });
      await holdLocker.query('BEGIN');
      await holdLocker.query('SELECT id FROM usage_reservations WHERE organization_id = $1 AND id = $2 FOR UPDATE', [tenant.org.id, hold.value.id]);
      await counterLocker.query('BEGIN');
      await counterLocker.query('SELECT id FROM quota_counters WHERE organization_id = $1 FOR UPDATE', [tenant.org.id]);
      const waitingOnLock = async () => (await counterLocker.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'realmgate-usage' AND wait_event_type = 'Lock'`)).rows[0]!.n;
      const before = { ...joinEngine.stats };
      const a = use('a');
      await expect.poll(waitingOnLock, { timeout: 10_000 }).toBe(1);
      let settled = false;
      const settle = settleReservation(joinEngine, key, { reservationId: hold.value.id, inputTokens: 5, outputTokens: 5 }).finally(() => { settled = true; });
      await new Promise((r) => setTimeout(r, 100));
      await counterLocker.query('COMMIT');
      expect((await a).replayed).toBe(false);
      // The batch skipped the held hold rather than wait for it out of lock order; the settle's own
      // batch now waits for it in order (its hold first), holding nothing else.
      expect(joinEngine.stats.joined - before.joined).toBe(0);
      await expect.poll(waitingOnLock, { timeout: 10_000 }).toBe(1);
      expect(settled).toBe(false);
      await holdLocker.query('COMMIT');
      expect((await settle).value).toMatchObject({ status: 'SETTLED', usage: { totalTokens: 10 } });
      expect(joinEngine.stats.batches - before.batches).toBe(2);
      const s = await ledgerAndCounters(t.db, tenant.org.id);
      expect(s.ledgerTokens).toBe(1 + 1 + 10);
      expect(Number(s.orgTokens!.used)).toBe(12);
      expect(Number(s.orgTokens!.reserved)).toBe(0);
    } finally {
      await counterLocker.query('ROLLBACK').catch(() => {});
      await holdLocker.query('ROLLBACK').catch(() => {});
      await counterLocker.end();
      await holdLocker.end();
      await joinEngine.close();
    }
  });
});
