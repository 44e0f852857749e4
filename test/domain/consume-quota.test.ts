import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeQuota, consumeQuotas, type QuotaSlot } from '../../src/domain/quotas/consume-quota.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { inActorTransaction } from '../../src/domain/shared/actor-transaction.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createOrg, createUser } from '../support/factories.js';

let t: AppDatabase;
let org: { id: string };
let otherOrg: { id: string };
let gateway: Actor; // what an authenticated API key acts as: a USER-level tenant of its organization
let userId: string;

beforeAll(async () => {
  t = await appDatabase('consume_quota');
  org = await createOrg(t.db);
  otherOrg = await createOrg(t.db);
  userId = (await createUser(t.db, org, 'USER')).id;
  gateway = { kind: 'api-key', apiKeyId: crypto.randomUUID(), organizationId: org.id, userId, scopes: ['usage:write'] };
});
afterAll(async () => t?.drop());

const TX = { maxWait: 60_000, timeout: 60_000 };
const consume = (slot: QuotaSlot, n: number, now?: Date, actor: Actor = gateway) => inActorTransaction(t.app, actor, (tx) => consumeQuota(tx, slot, n, { now }), TX);
const outcome = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));
const slotFor = (extra: Partial<QuotaSlot> = {}): QuotaSlot => ({
  organizationId: org.id,
  subjectType: 'ORGANIZATION',
  subjectId: org.id,
  metric: 'TOKENS',
  period: 'MONTHLY',
  limit: 20,
  ...extra,
  // a fresh subject per test keeps counters apart
  ...(extra.subjectId ? {} : { subjectType: 'API_KEY' as const, subjectId: crypto.randomUUID() }),
});

describe('consumeQuota', () => {
  it('never overspends: 50 concurrent consumers of 1 against a limit of 20 → exactly 20 succeed', async () => {
    const slot = slotFor();
    const results = await Promise.all(Array.from({ length: 50 }, () => outcome(consume(slot, 1))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(20);
    expect(results.filter((r) => r === 'QUOTA_EXCEEDED')).toHaveLength(30);
    const rows = await t.db.quotaCounter.findMany({ where: { subjectId: slot.subjectId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.used).toBe(20n);
  });

  it('checks used + reserved + amount against the limit, and an amount bigger than what is left fails whole', async () => {
    const slot = slotFor({ limit: 100 });
    await consume(slot, 60);
    expect(await outcome(consume(slot, 41))).toBe('QUOTA_EXCEEDED');
    await t.db.quotaCounter.updateMany({ where: { subjectId: slot.subjectId }, data: { reserved: 30 } });
    expect(await outcome(consume(slot, 11))).toBe('QUOTA_EXCEEDED');
    const r = await consume(slot, 10);
    expect(r.used).toBe(70n);
    expect(r.limit).toBe(100n);
  });

  it('applies the limit configured now, and keeps the stored one when none is given', async () => {
    const slot = slotFor({ limit: 10 });
    await consume(slot, 10);
    expect(await outcome(consume({ ...slot, limit: undefined }, 1))).toBe('QUOTA_EXCEEDED');
    expect((await consume({ ...slot, limit: 15 }, 5)).used).toBe(15n); // the plan was raised
    expect((await consume({ ...slot, limit: null }, 1000)).limit).toBeNull(); // now unlimited
  });

  it('keeps model slots and the all-models slot apart (NULLS NOT DISTINCT)', async () => {
    const model = await t.db.aiModel.create({ data: { name: `m-${crypto.randomUUID()}`, provider: 'p', providerModelId: 'x', role: 'r' } });
    const base = slotFor({ limit: 5 });
    await consume(base, 5);
    await consume({ ...base, modelId: model.id }, 5);
    await Promise.all([outcome(consume(base, 1)), outcome(consume(base, 1))]);
    expect(await t.db.quotaCounter.count({ where: { subjectId: base.subjectId } })).toBe(2);
  });

  it('rolls over at the UTC month boundary by itself: the new period row is created exactly once under concurrency', async () => {
    const slot = slotFor({ limit: 20 });
    const jan = new Date('2025-01-31T23:59:59.900Z');
    const feb = new Date('2025-02-01T00:00:00.100Z');
    await consume(slot, 15, jan);
    // Consumers on both sides of midnight at once: January has 5 left, February a fresh 20.
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => outcome(consume(slot, 1, i % 2 ? feb : jan)).then((r) => ({ r, month: i % 2 ? 'feb' : 'jan' }))),
    );
    expect(results.filter((x) => x.month === 'jan' && x.r === 'OK')).toHaveLength(5);
    expect(results.filter((x) => x.month === 'feb' && x.r === 'OK')).toHaveLength(20);
    const rows = await t.db.quotaCounter.findMany({ where: { subjectId: slot.subjectId }, orderBy: { periodStart: 'asc' } });
    expect(rows.map((r) => [r.periodStart.toISOString(), r.used])).toEqual([
      ['2025-01-01T00:00:00.000Z', 20n],
      ['2025-02-01T00:00:00.000Z', 20n],
    ]);
  });

  it('aligns daily, weekly (ISO Monday) and lifetime periods', async () => {
    const at = new Date('2025-03-05T13:00:00Z'); // a Wednesday
    const id = crypto.randomUUID();
    const s = (metric: QuotaSlot['metric'], period: QuotaSlot['period']) => ({ ...slotFor({ subjectId: id, subjectType: 'API_KEY', metric, period, limit: null }) });
    expect((await consume(s('REQUESTS', 'DAILY'), 1, at)).periodStart.toISOString()).toBe('2025-03-05T00:00:00.000Z');
    expect((await consume(s('TOKENS', 'WEEKLY'), 1, at)).periodStart.toISOString()).toBe('2025-03-03T00:00:00.000Z');
    expect((await consume(s('DOCUMENTS', 'LIFETIME'), 1, at)).periodStart.toISOString()).toBe('1970-01-01T00:00:00.000Z');
  });

  it('consumeQuotas is all-or-nothing across slots', async () => {
    const orgSlot = slotFor({ limit: 100 });
    const userSlot = slotFor({ limit: 3 });
    const both = (n: number) => inActorTransaction(t.app, gateway, (tx) => consumeQuotas(tx, [orgSlot, userSlot], n), TX);
    const [a, b] = await both(3);
    expect([a!.used, b!.used]).toEqual([3n, 3n]); // results in the caller's order
    expect(await outcome(both(1))).toBe('QUOTA_EXCEEDED');
    expect((await t.db.quotaCounter.findFirstOrThrow({ where: { subjectId: orgSlot.subjectId } })).used).toBe(3n);
  });

  it('rejects non-positive or fractional amounts, and row-level security keeps counters in their organization', async () => {
    expect(await outcome(consume(slotFor(), 0))).toBe('INVALID');
    expect(await outcome(consume(slotFor(), 1.5))).toBe('INVALID');
    const foreign = slotFor({ organizationId: otherOrg.id });
    expect(await outcome(consume(foreign, 1))).toMatch(/row-level security|policy/i);
    expect(await t.db.quotaCounter.count({ where: { subjectId: foreign.subjectId } })).toBe(0);
  });
});
