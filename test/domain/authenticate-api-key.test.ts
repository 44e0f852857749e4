import type { Prisma, PrismaClient } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateApiKeySecret } from '../../src/domain/api-keys/api-key-secret.js';
import { ApiKeyLookupCache, authenticateApiKey } from '../../src/domain/api-keys/authenticate-api-key.js';
import pg from 'pg';
import { issueApiKey } from '../../src/domain/api-keys/issue-api-key.js';
import { LastUsedTracker } from '../../src/domain/api-keys/last-used-tracker.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';

const PEPPER = 'test-pepper-authenticate-0123456789-xyz';
let t: AppDatabase;
let org: { id: string };
let owner: { id: string };
let admin: Actor;

beforeAll(async () => {
  t = await appDatabase('authenticate_api_key');
  org = await createOrg(t.db);
  owner = await createUser(t.db, org, 'USER');
  admin = await actorFor(t.db, await createUser(t.db, org, 'ADMIN'));
  // Test-only: log every change of last_used_at, to count the tracker's writes per key.
  await t.db.$executeRawUnsafe(`CREATE TABLE test_last_used_writes (key_id uuid, at timestamptz, written_at timestamptz DEFAULT clock_timestamp())`);
  await t.db.$executeRawUnsafe(`CREATE FUNCTION test_log_last_used() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN
      IF NEW.last_used_at IS DISTINCT FROM OLD.last_used_at THEN INSERT INTO test_last_used_writes (key_id, at) VALUES (NEW.id, NEW.last_used_at); END IF;
      RETURN NEW;
    END $$`);
  await t.db.$executeRawUnsafe(`CREATE TRIGGER test_log_last_used AFTER UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION test_log_last_used()`);
});
afterAll(async () => t?.drop());

const refusal = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? `${e.code}: ${e.message}` : String(e)));
const REFUSED = 'UNAUTHENTICATED: Invalid or expired API key';
const newKey = async (userId = owner.id, extra: Record<string, unknown> = {}) =>
  issueApiKey(t.app, admin, { name: 'k', userId, scopes: ['models:read', 'usage:write'], maxTokens: 2048, rateLimitPerMinute: 30, ...extra }, { pepper: PEPPER });
const writesFor = async (keyId: string) => (await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM test_last_used_writes WHERE key_id = $1::uuid`, keyId))[0]!.n;

describe('authenticateApiKey', () => {
  it('returns an api-key actor with the key limits', async () => {
    const { apiKey, secret } = await newKey();
    const r = await authenticateApiKey(t.app, secret, { pepper: PEPPER });
    expect(r.actor).toEqual({ kind: 'api-key', apiKeyId: apiKey.id, organizationId: org.id, userId: owner.id, scopes: ['models:read', 'usage:write'] });
    expect(r.limits).toEqual({ maxTokens: 2048, rateLimitPerMinute: 30, allowedModelIds: [] });
    expect(r.realmId).toBe(apiKey.realmId);
    expect(r.type).toBe('USER');
  });

  it('refuses garbage offline, without touching the database', async () => {
    const noDb = new Proxy({}, { get: () => { throw new Error('database touched'); } }) as PrismaClient;
    const { secret } = await newKey();
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'); // checksum no longer matches
    for (const bad of ['', 'hello', `${secret}x`, flipped, 42, null, undefined]) {
      expect(await refusal(authenticateApiKey(noDb, bad, { pepper: PEPPER }))).toBe(REFUSED);
    }
  });

  it('gives one answer for unknown, wrong-pepper, revoked, expired, inactive-owner, locked-owner and inactive-org keys', async () => {
    expect(await refusal(authenticateApiKey(t.app, generateApiKeySecret(), { pepper: PEPPER }))).toBe(REFUSED);
    const k = await newKey();
    expect(await refusal(authenticateApiKey(t.app, k.secret, { pepper: `${PEPPER}-other` }))).toBe(REFUSED);

    const expiring = await newKey(owner.id, { expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await refusal(authenticateApiKey(t.app, expiring.secret, { pepper: PEPPER, now: () => new Date(Date.now() + 3_600_001) }))).toBe(REFUSED);

    const revoked = await newKey();
    await t.db.apiKey.update({ where: { id: revoked.apiKey.id }, data: { revokedAt: new Date() } });
    expect(await refusal(authenticateApiKey(t.app, revoked.secret, { pepper: PEPPER }))).toBe(REFUSED);

    // The owner's account must be usable, as sign-in defines it (src/domain/auth/account-state.ts).
    const soon = () => new Date(Date.now() + 60_000);
    const cases: { lock: Prisma.UserUpdateInput; thenExpire?: boolean; expected: string }[] = [
      { lock: { status: 'INACTIVE' }, expected: REFUSED },
      { lock: { status: 'LOCKED' }, expected: REFUSED },
      { lock: { status: 'LOCKED', lockedUntil: soon() }, expected: REFUSED },
      { lock: { status: 'LOCKED', lockedUntil: soon() }, thenExpire: true, expected: 'OK' }, // a timed lock that ran out
    ];
    for (const c of cases) {
      const u = await createUser(t.db, org, 'USER');
      const key = await newKey(u.id);
      expect(await refusal(authenticateApiKey(t.app, key.secret, { pepper: PEPPER }))).toBe('OK');
      await t.db.user.update({ where: { id: u.id }, data: c.lock });
      if (c.thenExpire) await t.db.user.update({ where: { id: u.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
      expect(await refusal(authenticateApiKey(t.app, key.secret, { pepper: PEPPER }))).toBe(c.expected);
    }

    const org2 = await createOrg(t.db);
    const u2 = await createUser(t.db, org2, 'USER');
    const k2 = await issueApiKey(t.app, await actorFor(t.db, u2), { name: 'x' }, { pepper: PEPPER });
    await t.db.organization.update({ where: { id: org2.id }, data: { isActive: false } });
    expect(await refusal(authenticateApiKey(t.app, k2.secret, { pepper: PEPPER }))).toBe(REFUSED);
  });
});

describe('LastUsedTracker', () => {
  it('1000 authentications write last_used_at at most once per key per window, and flush() keeps the latest use', async () => {
    const keys = await Promise.all([newKey(), newKey(), newKey()]);
    let clock = Date.parse('2031-03-01T00:00:00Z');
    const now = () => new Date(clock);
    const tracker = new LastUsedTracker(t.app, { intervalSeconds: 60, now, autoFlush: false });
    const lastUse = new Map<string, number>();
    for (let i = 0; i < 1000; i += 10) {
      // ten at a time, as a busy gateway would; 10 s of simulated time per batch → 1000 s in all
      const batch = Array.from({ length: 10 }, (_, j) => keys[(i + j) % keys.length]!);
      const results = await Promise.all(batch.map((k) => authenticateApiKey(t.app, k.secret, { pepper: PEPPER, now, tracker })));
      for (const r of results) lastUse.set(r.actor.apiKeyId, clock);
      await tracker.flushDue(); // as eagerly as possible: the window alone must limit writes
      clock += 10_000;
    }
    // 1000 s of traffic, a 60 s window: at most ceil(1000 / 60) = 17 writes per key, instead of ~333.
    for (const k of keys) {
      const n = await writesFor(k.apiKey.id);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(17);
      const gaps = await t.db.$queryRawUnsafe<{ gap: number | null }[]>(
        `SELECT EXTRACT(EPOCH FROM at - lag(at) OVER (ORDER BY at))::float8 AS gap FROM test_last_used_writes WHERE key_id = $1::uuid`, k.apiKey.id);
      for (const { gap } of gaps) if (gap !== null) expect(gap).toBeGreaterThanOrEqual(60);
    }
    await tracker.stop();
    for (const k of keys) {
      const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: k.apiKey.id } });
      expect(row.lastUsedAt?.getTime()).toBe(lastUse.get(k.apiKey.id));
    }
    expect(tracker.pendingCount).toBe(0);
  }, 120_000); // 1000 round trips: slow when the box is busy

  it('never moves last_used_at backwards (another instance may have written a later use)', async () => {
    const k = await newKey();
    const later = new Date('2032-01-01T00:00:00Z');
    await t.db.apiKey.update({ where: { id: k.apiKey.id }, data: { lastUsedAt: later } });
    const tracker = new LastUsedTracker(t.app, { autoFlush: false });
    tracker.touch(k.apiKey.id, new Date('2031-12-31T00:00:00Z'));
    expect(await tracker.flush()).toBe(0);
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: k.apiKey.id } })).lastUsedAt?.getTime()).toBe(later.getTime());
  });

  it('flushes on its own timer and on stop()', async () => {
    const k = await newKey();
    const tracker = new LastUsedTracker(t.app, { intervalSeconds: 0.2 });
    for (let i = 0; i < 50; i++) await authenticateApiKey(t.app, k.secret, { pepper: PEPPER, tracker });
    await vi.waitFor(async () => expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: k.apiKey.id } })).lastUsedAt).not.toBeNull(), { timeout: 10_000, interval: 100 });
    await authenticateApiKey(t.app, k.secret, { pepper: PEPPER, tracker });
    await tracker.stop();
    expect(tracker.pendingCount).toBe(0);
  });
});

describe('ApiKeyLookupCache', () => {
  it('with a SQL runner, looks up the misses of one event-loop turn in one query, and caches each key at most a second', async () => {
    const keys = await Promise.all(Array.from({ length: 12 }, () => newKey()));
    const pool = new pg.Pool({ connectionString: t.systemUrl, max: 2 });
    try {
      const statements: unknown[][] = [];
      const query = async <T,>(text: string, values: unknown[]) => { statements.push(values); return (await pool.query(text, values)).rows as T[]; };
      let now = 1_000_000;
      const cache = new ApiKeyLookupCache(1000, query, () => now);
      const unknown = generateApiKeySecret();
      const results = await Promise.all([...keys.map((k) => authenticateApiKey(t.app, k.secret, { pepper: PEPPER, cache })), refusal(authenticateApiKey(t.app, unknown, { pepper: PEPPER, cache }))]);
      expect(statements).toHaveLength(1);
      expect((statements[0]![0] as string[]).length).toBe(13);
      expect(results.slice(0, 12).map((r) => (r as { actor: { apiKeyId: string } }).actor.apiKeyId)).toEqual(keys.map((k) => k.apiKey.id));
      expect(results[12]).toBe(REFUSED);
      // Hits within the second: no query; a revoked key is refused once the second has passed.
      await authenticateApiKey(t.app, keys[0]!.secret, { pepper: PEPPER, cache });
      expect(statements).toHaveLength(1);
      await t.db.apiKey.update({ where: { id: keys[0]!.apiKey.id }, data: { revokedAt: new Date() } });
      now += 1000;
      expect(await refusal(authenticateApiKey(t.app, keys[0]!.secret, { pepper: PEPPER, cache }))).toBe(REFUSED);
      expect(statements).toHaveLength(2);
    } finally {
      await pool.end();
    }
  });
});
