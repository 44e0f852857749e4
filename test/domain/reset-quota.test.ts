import type { QuotaMetric, QuotaSubject } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkResetQuotas } from '../../src/domain/quotas/bulk-reset-quotas.js';
import { consumeQuota, consumeQuotas, type QuotaSlot } from '../../src/domain/quotas/consume-quota.js';
import { resetQuota } from '../../src/domain/quotas/reset-quota.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { inActorTransaction } from '../../src/domain/shared/actor-transaction.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';

let t: AppDatabase;
let orgA: { id: string };
let orgB: { id: string };
let superadmin: Actor;
let adminA: Actor;
let userA: Actor;
let viewerA: Actor;
let userAId: string;
let userBId: string;
let keyAId: string;

beforeAll(async () => {
  t = await appDatabase('reset_quota');
  orgA = await createOrg(t.db, { monthlyTokenQuota: 1_000_000n });
  orgB = await createOrg(t.db);
  superadmin = await actorFor(t.db, await createUser(t.db, null, 'SUPERADMIN'));
  adminA = await actorFor(t.db, await createUser(t.db, orgA, 'ADMIN'));
  const u = await createUser(t.db, orgA, 'USER');
  userAId = u.id;
  userA = await actorFor(t.db, u);
  viewerA = await actorFor(t.db, await createUser(t.db, orgA, 'VIEWER'));
  userBId = (await createUser(t.db, orgB, 'USER')).id;
  keyAId = (await t.db.apiKey.create({ data: { organizationId: orgA.id, userId: userAId, name: 'k', prefix: 'rgk_test', keyHash: 'a'.repeat(64) } })).id;
});
afterAll(async () => t?.drop());

const TX = { maxWait: 60_000, timeout: 60_000 };
const code = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));

let seq = 0;
async function counter(subjectType: QuotaSubject, subjectId: string, used: bigint, opts: { org?: string; metric?: QuotaMetric; limit?: bigint | null } = {}) {
  return t.db.quotaCounter.create({
    data: {
      organizationId: opts.org ?? orgA.id,
      subjectType,
      subjectId,
      metric: opts.metric ?? 'TOKENS',
      period: 'MONTHLY',
      // a distinct (past) period per counter keeps slots apart; resets do not care about the period
      periodStart: new Date(Date.UTC(2001, 0, 1 + seq++)),
      limitValue: opts.limit === undefined ? null : opts.limit,
      used,
    },
  });
}

describe('resetQuota', () => {
  it('zeroes the counter once, bumps the generation, reports what it wiped, and is audited', async () => {
    const c = await counter('ORGANIZATION', orgA.id, 500n);
    const r = await resetQuota(t.app, superadmin, { counterId: c.id, expectedGeneration: 0 }, { ip: '198.51.100.7' });
    expect(r).toMatchObject({ counterId: c.id, usedBefore: 500n, generation: 1 });
    const row = await t.db.quotaCounter.findUniqueOrThrow({ where: { id: c.id } });
    expect([row.used, row.generation, row.lastResetAt !== null]).toEqual([0n, 1, true]);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { recordId: c.id, action: 'quota.reset' } });
    expect(audit).toMatchObject({ organizationId: orgA.id, ip: '198.51.100.7', actorRole: 'SUPERADMIN' });
    expect(audit.changes).toMatchObject({ before: { used: '500', generation: 0 }, after: { used: '0', generation: 1 } });
    // The same confirmation submitted again: already reset, nothing changes.
    await t.db.quotaCounter.update({ where: { id: c.id }, data: { used: 9n } });
    const again = await resetQuota(t.app, superadmin, { counterId: c.id, expectedGeneration: 0 }).catch((e) => e);
    expect(again).toBeInstanceOf(AppError);
    expect(again).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already reset/) });
    expect((await t.db.quotaCounter.findUniqueOrThrow({ where: { id: c.id } })).used).toBe(9n);
  });

  it('10 concurrent resets with the same expected generation: exactly one wins', async () => {
    const c = await counter('USER', userAId, 77n);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => code(resetQuota(t.app, i % 2 ? superadmin : adminA, { counterId: c.id, expectedGeneration: 0 }))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(1);
    expect(results.filter((r) => r === 'CONFLICT')).toHaveLength(9);
    expect(await t.db.quotaCounter.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ used: 0n, generation: 1 });
    expect(await t.db.auditLog.count({ where: { recordId: c.id, action: 'quota.reset' } })).toBe(1);
  });

  it('resets racing 200 consumes lose nothing: usage lands before the reset (and is wiped) or after it (and counts)', async () => {
    const subjectId = crypto.randomUUID();
    const slot = { organizationId: orgA.id, subjectType: 'API_KEY' as const, subjectId, metric: 'REQUESTS' as const, period: 'MONTHLY' as const, limit: null };
    const gateway: Actor = { kind: 'api-key', apiKeyId: subjectId, organizationId: orgA.id, userId: userAId, scopes: ['usage:write'] };
    const consume = () => inActorTransaction(t.app, gateway, (tx) => consumeQuota(tx, slot, 1), TX);
    const first = await consume(); // the row exists, at generation 0, used 1
    // resetting a key's counters needs the key
    await t.db.apiKey.create({ data: { id: subjectId, organizationId: orgA.id, userId: userAId, name: 'race', prefix: 'rgk_race', keyHash: 'b'.repeat(64) } });

    // Six consumers in a loop, 200 consumptions in all; five resets fire mid-way. The
    // pool has 8 connections: bounded consumers leave room for the resets to start.
    const generations: number[] = [];
    const resets: Promise<string>[] = [];
    let issued = 0;
    const worker = async () => {
      while (issued < 200) {
        if (++issued === 100) for (let j = 0; j < 5; j++) resets.push(code(resetQuota(t.app, adminA, { counterId: first.counterId, expectedGeneration: 0 })));
        generations.push((await consume()).generation);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const outcomes = await Promise.all(resets);
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    const before = generations.filter((g) => g === 0).length;
    const after = generations.filter((g) => g === 1).length;
    expect(before + after).toBe(200);
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
    const row = await t.db.quotaCounter.findUniqueOrThrow({ where: { id: first.counterId } });
    expect(row.generation).toBe(1);
    expect(row.used).toBe(BigInt(after));
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { recordId: first.counterId, action: 'quota.reset' } });
    expect((audit.changes as { before: { used: string } }).before.used).toBe(String(1 + before));
  });

  it('follows the matrix: only platform staff reset organization quotas; admins reset their users and keys; others cannot', async () => {
    const orgCounter = await counter('ORGANIZATION', orgA.id, 5n);
    expect(await code(resetQuota(t.app, adminA, { counterId: orgCounter.id, expectedGeneration: 0 }))).toBe('FORBIDDEN');
    const userCounter = await counter('USER', userAId, 5n, { metric: 'REQUESTS' });
    expect(await code(resetQuota(t.app, viewerA, { counterId: userCounter.id, expectedGeneration: 0 }))).toBe('FORBIDDEN');
    expect(await code(resetQuota(t.app, userA, { counterId: userCounter.id, expectedGeneration: 0 }))).toBe('FORBIDDEN');
    expect(await code(resetQuota(t.app, adminA, { counterId: userCounter.id, expectedGeneration: 0 }))).toBe('OK');
    const keyCounter = await counter('API_KEY', keyAId, 5n);
    expect(await code(resetQuota(t.app, userA, { counterId: keyCounter.id, expectedGeneration: 0 }))).toBe('NOT_FOUND'); // a USER sees only their own user counters
    expect(await code(resetQuota(t.app, adminA, { counterId: keyCounter.id, expectedGeneration: 0 }))).toBe('OK');
    const foreign = await counter('USER', userBId, 5n, { org: orgB.id });
    expect(await code(resetQuota(t.app, adminA, { counterId: foreign.id, expectedGeneration: 0 }))).toBe('NOT_FOUND');
    expect(await code(resetQuota(t.app, adminA, { counterId: 'not-a-uuid', expectedGeneration: 0 }))).toBe('INVALID');
    expect((await t.db.quotaCounter.findUniqueOrThrow({ where: { id: foreign.id } })).used).toBe(5n);
    expect((await t.db.quotaCounter.findUniqueOrThrow({ where: { id: orgCounter.id } })).used).toBe(5n);
  });
});

describe('bulkResetQuotas', () => {
  it('resets many counters in one compare-and-set, reporting those already reset', async () => {
    const a = await counter('ORGANIZATION', orgA.id, 10n);
    const b = await counter('ORGANIZATION', orgB.id, 20n, { org: orgB.id });
    const stale = await counter('ORGANIZATION', orgB.id, 30n, { org: orgB.id });
    await t.db.quotaCounter.update({ where: { id: stale.id }, data: { generation: 3 } });
    const r = await bulkResetQuotas(t.app, superadmin, { counters: [{ counterId: a.id, expectedGeneration: 0 }, { counterId: b.id, expectedGeneration: 0 }, { counterId: stale.id, expectedGeneration: 2 }] });
    expect(r.reset.map((x) => [x.counterId, x.usedBefore]).sort()).toEqual([[a.id, 10n], [b.id, 20n]].sort());
    expect(r.alreadyReset).toEqual([stale.id]);
    expect((await t.db.quotaCounter.findUniqueOrThrow({ where: { id: stale.id } })).used).toBe(30n);
    expect(await t.db.auditLog.count({ where: { recordId: { in: [a.id, b.id] }, action: 'quota.reset' } })).toBe(2);
  });

  it('is all-or-nothing on scope: one foreign counter and nothing is reset', async () => {
    const mine = await counter('USER', userAId, 10n, { metric: 'API_CALLS' });
    const foreign = await counter('USER', userBId, 10n, { org: orgB.id, metric: 'API_CALLS' });
    const both = [{ counterId: mine.id, expectedGeneration: 0 }, { counterId: foreign.id, expectedGeneration: 0 }];
    expect(await code(bulkResetQuotas(t.app, adminA, { counters: both }))).toBe('NOT_FOUND');
    expect(await code(bulkResetQuotas(t.app, viewerA, { counters: both.slice(0, 1) }))).toBe('FORBIDDEN');
    expect((await t.db.quotaCounter.findUniqueOrThrow({ where: { id: mine.id } })).used).toBe(10n);
    expect(await code(bulkResetQuotas(t.app, adminA, { counters: [both[0]!, both[0]!] }))).toBe('INVALID');
  });

  it('concurrent bulk resets of overlapping sets reset each counter once and do not deadlock', async () => {
    const cs = await Promise.all(Array.from({ length: 6 }, () => counter('ORGANIZATION', orgA.id, 4n)));
    const want = cs.map((c) => ({ counterId: c.id, expectedGeneration: 0 }));
    const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => bulkResetQuotas(t.app, superadmin, { counters: i % 2 ? [...want].reverse() : want })));
    const resetCount = new Map<string, number>();
    for (const r of runs) for (const x of r.reset) resetCount.set(x.counterId, (resetCount.get(x.counterId) ?? 0) + 1);
    expect([...resetCount.values()]).toEqual(cs.map(() => 1));
  });

  it('multi-slot consumers racing bulk resets of the same counters neither deadlock nor lose usage', async () => {
    const gateway: Actor = { kind: 'api-key', apiKeyId: keyAId, organizationId: orgA.id, userId: userAId, scopes: ['usage:write'] };
    const slots: QuotaSlot[] = [
      { organizationId: orgA.id, subjectType: 'API_KEY', subjectId: keyAId, metric: 'API_CALLS', period: 'DAILY', limit: null },
      { organizationId: orgA.id, subjectType: 'USER', subjectId: userAId, metric: 'API_CALLS', period: 'DAILY', limit: null },
      { organizationId: orgA.id, subjectType: 'ORGANIZATION', subjectId: orgA.id, metric: 'API_CALLS', period: 'DAILY', limit: null },
    ];
    const consume = () => inActorTransaction(t.app, gateway, (tx) => consumeQuotas(tx, slots, 1), TX);
    const ids = (await consume()).map((c) => c.counterId);
    const want = ids.map((counterId) => ({ counterId, expectedGeneration: 0 }));
    const work: Promise<unknown>[] = [];
    let issued = 0;
    const worker = async () => {
      while (issued < 60) {
        const i = issued++;
        if (i % 10 === 5) work.push(bulkResetQuotas(t.app, superadmin, { counters: i % 20 === 5 ? want : [...want].reverse() }));
        await consume();
      }
    };
    await Promise.all(Array.from({ length: 5 }, worker));
    const settled = await Promise.allSettled(work);
    expect(settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
    const rows = await t.db.quotaCounter.findMany({ where: { id: { in: ids } } });
    for (const row of rows) expect(row.generation).toBe(1);
    // All three counters saw the same consumptions, and each was reset once: what is left is what came after.
    const audits = await t.db.auditLog.findMany({ where: { recordId: { in: ids }, action: 'quota.reset' } });
    expect(audits).toHaveLength(3);
    for (const row of rows) {
      const before = Number((audits.find((a) => a.recordId === row.id)!.changes as { before: { used: string } }).before.used);
      expect(before + Number(row.used)).toBe(61);
    }
  });
});
