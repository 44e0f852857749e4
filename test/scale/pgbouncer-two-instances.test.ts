import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, loadMigrations } from '../../src/db/migrate.js';
import { startApp, type AppProcess } from '../setup/app-process.js';
import { emptyDatabase, withClient } from '../setup/test-database.js';
import { ApiClient, type ApiAnswer } from '../support/api-client.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startPgBouncer, type PgBouncer } from '../support/pgbouncer.js';
import { createOrg, createUser, TEST_PASSWORD } from '../support/factories.js';
import { Browserless } from '../support/running-app.js';
import { ledgerAndCounters, TEST_PEPPER, usageTenant } from '../support/usage-fixtures.js';

/**
 * Past one machine: two real app processes (src/main.ts), stateless, every
 * database connection (owner, app and system logins) through one PgBouncer in
 * transaction pooling, racing the hot path against small quotas; then one
 * instance is SIGKILLed and a key revoked in the middle of the load.
 */
let t: AppDatabase;
let bouncer: PgBouncer;
const apps: AppProcess[] = [];
const urls: string[] = [];
const POOL_SIZE = 12;
const IP_MAX_ATTEMPTS = 4;

function startInstance(): AppProcess {
  return startApp({
    // Everything through PgBouncer: migrations, partitions, seed, sessions, the hot path.
    DATABASE_URL: bouncer.via(t.url), DATABASE_APP_URL: bouncer.via(t.appUrl), DATABASE_SYSTEM_URL: bouncer.via(t.systemUrl),
    SEED_DEMO: 'false', LOG_LEVEL: 'info', LOGIN_IP_MAX_ATTEMPTS: String(IP_MAX_ATTEMPTS), HOST: '127.0.0.1', PORT: '0',
    SESSION_SECRET: 'pgbouncer-session-secret-0123456789abcdef012', API_KEY_PEPPER: TEST_PEPPER, JWT_SECRET: 'pgbouncer-jwt-secret-0123456789abcdef0123456',
    ENCRYPTION_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', ADMIN_PASSWORD: 'pgbouncer-admin-password-1',
  });
}

beforeAll(async () => {
  t = await appDatabase('pgbouncer');
  bouncer = await startPgBouncer([t.url, t.appUrl, t.systemUrl], { poolSize: POOL_SIZE });
  apps.push(startInstance(), startInstance());
  for (const app of apps) {
    const m = await app.waitFor(/"port":(\d+)[^\n]*"msg":"listening"/, 200_000);
    urls.push(`http://127.0.0.1:${m[1]}`);
  }
}, 240_000);

afterAll(async () => {
  for (const app of apps) app.kill();
  await Promise.all(apps.map((a) => a.exited));
  await bouncer?.stop();
  await t?.drop();
});

const uuid = () => crypto.randomUUID();
/** Advisory locks held in the current database (by any session). */
const ADVISORY_LOCKS = `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
type Sent = { res: ApiAnswer | null; instance: number; startedAt: number };

/** The app logins' backends on PostgreSQL itself (not through PgBouncer). */
async function serverBackends(user: string): Promise<number> {
  return withClient(t.url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [user])).rows[0]!.n);
}

describe('two instances behind PgBouncer (transaction pooling)', () => {
  it('migrations run through PgBouncer: three runners at once apply each file exactly once', async () => {
    const empty = await emptyDatabase('pgb_migrate');
    try {
      const through = bouncer.via(empty.url);
      const results = await Promise.all([migrateUp(through), migrateUp(through), migrateUp(through)]);
      const files = loadMigrations().map((f) => f.name);
      expect(results.flat().sort()).toEqual(files);
      const rows = await withClient(empty.url, async (c) => (await c.query<{ name: string }>('SELECT name FROM _realmgate_migrations ORDER BY name')).rows);
      expect(rows.map((r) => r.name)).toEqual(files);
      // No advisory lock outlives its transaction on a pooled server connection.
      const locks = await withClient(empty.url, async (c) => (await c.query<{ n: number }>(ADVISORY_LOCKS)).rows[0]!.n);
      expect(locks).toBe(0);
    } finally {
      await empty.drop();
    }
  });

  it('races usage, reservations and replays over both instances: never past a limit, counters = ledger = answers', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 4000n, monthlyApiCallQuota: 300 });
    const key = await tenant.key({ maxTokens: 3000 });
    const clients = urls.map((u) => new ApiClient(u, key.secret));
    const on = (i: number) => clients[i % 2]!;
    const model = tenant.model.providerModelId;

    // Plain usage, 60 of them replayed at the same moment on the other instance.
    const usage = Array.from({ length: 300 }, (_, i) => ({ idempotencyKey: uuid(), inputTokens: 1 + (i % 9), outputTokens: 1 }));
    const usageRuns = usage.map(async (u, i) => {
      const body = { model, ...u };
      const [first, replay] = await Promise.all([on(i).post('/usage', body), i < 60 ? on(i + 1).post('/usage', body) : Promise.resolve(null)]);
      return { key: u.idempotencyKey, answers: [first, replay].filter((r): r is ApiAnswer => r !== null) };
    });

    // Streams: hold (20 replayed on the other instance), then release / settle / extend+settle / settle replayed, each step on the other instance.
    const streams = Array.from({ length: 80 }, async (_, i) => {
      const holdBody = { model, estimatedTokens: 20 + (i % 20), idempotencyKey: `hold-${i}` };
      const holds = await Promise.all([on(i).post('/usage/reservations', holdBody), i < 20 ? on(i + 1).post('/usage/reservations', holdBody) : Promise.resolve(null)]);
      const held = holds.filter((r): r is ApiAnswer => r !== null);
      const granted = held.find((r) => r.status === 201);
      const steps: ApiAnswer[] = [];
      if (granted) {
        const id = granted.body.id as string;
        const next = on(i + 1);
        let heldTokens = granted.body.heldTokens as number;
        if (i % 4 === 0) steps.push(await next.post(`/usage/reservations/${id}/release`, {}));
        else {
          if (i % 4 === 2) {
            const ext = await next.post(`/usage/reservations/${id}/extend`, { additionalTokens: 10 });
            steps.push(ext);
            if (ext.status === 200) heldTokens = ext.body.heldTokens;
          }
          const settle = { inputTokens: heldTokens - 5, outputTokens: 3 }; // within the hold: nothing may pass a limit
          const settled = await Promise.all([next.post(`/usage/reservations/${id}/settle`, settle), i % 4 === 3 ? on(i).post(`/usage/reservations/${id}/settle`, settle) : Promise.resolve(null)]);
          steps.push(...settled.filter((r): r is ApiAnswer => r !== null));
        }
      }
      return { held, steps };
    });

    const [usageDone, streamsDone] = await Promise.all([Promise.all(usageRuns), Promise.all(streams)]);
    const all = [...usageDone.flatMap((u) => u.answers), ...streamsDone.flatMap((s) => [...s.held, ...s.steps])];
    const unexpected = all.filter((r) => ![200, 201, 429].includes(r.status));
    expect(unexpected.map((r) => [r.status, r.body])).toEqual([]);

    // Replays: one idempotency key, one event, whichever instance answered.
    const acked = new Map<string, number>(); // eventId -> tokens
    for (const u of usageDone) {
      const ok = u.answers.filter((r) => r.status === 201);
      expect(new Set(ok.map((r) => r.body.eventId)).size).toBeLessThanOrEqual(1);
      if (ok.length === 2) expect(ok.map((r) => r.body.replayed).sort()).toEqual([false, true]);
      for (const r of ok) acked.set(r.body.eventId, r.body.totalTokens);
    }
    let holdsGranted = 0;
    for (const s of streamsDone) {
      expect(new Set(s.held.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBeLessThanOrEqual(1);
      if (s.held.some((r) => r.status === 201)) holdsGranted++;
      const settles = s.steps.filter((r) => r.body?.status === 'SETTLED');
      expect(new Set(settles.map((r) => r.body.usage.eventId)).size).toBeLessThanOrEqual(1);
      for (const r of settles) acked.set(r.body.usage.eventId, r.body.usage.totalTokens);
    }
    const granted = [...acked.values()].reduce((a, b) => a + b, 0);
    // The limits were contended (some refusals) and both instances granted.
    expect(all.some((r) => r.status === 429)).toBe(true);
    expect(usageDone.filter((u, i) => i % 2 === 0 && u.answers[0]!.status === 201).length).toBeGreaterThan(0);
    expect(usageDone.filter((u, i) => i % 2 === 1 && u.answers[0]!.status === 201).length).toBeGreaterThan(0);
    expect(holdsGranted).toBeGreaterThan(0);

    // Every 2xx is in the ledger exactly once, and the ledger holds nothing else.
    const events = await t.db.usageEvent.findMany({ where: { organizationId: tenant.org.id }, select: { id: true, totalTokens: true, idempotencyKey: true } });
    expect(events.length).toBe(acked.size);
    expect(new Map(events.map((e) => [e.id, e.totalTokens]))).toEqual(acked);
    const keys = events.flatMap((e) => (e.idempotencyKey ? [e.idempotencyKey] : []));
    expect(new Set(keys).size).toBe(keys.length);

    // Never past a limit; counters = ledger = rollups; no hold left behind.
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(granted).toBe(s.ledgerTokens);
    expect(s.ledgerTokens).toBeLessThanOrEqual(3000);
    expect(s.ledgerRows).toBeLessThanOrEqual(300);
    expect(Number(s.keyTokens[0]!.used)).toBe(s.ledgerTokens);
    expect(Number(s.orgTokens!.used)).toBe(s.ledgerTokens);
    expect(Number(s.orgCalls!.used)).toBe(s.ledgerRows);
    for (const c of [...s.keyTokens, s.orgTokens!, s.orgCalls!]) expect(Number(c.reserved)).toBe(0);
    expect(s.rollupTokens).toBe(s.ledgerTokens);
    expect(s.rollupRequests).toBe(s.ledgerRows);
    const count = (st: number) => all.filter((r) => r.status === st).length;
    console.info(`race via PgBouncer: ${all.length} answers (${count(201)} 201, ${count(200)} 200, ${count(429)} 429); ledger ${s.ledgerRows} rows, ${s.ledgerTokens} tokens (key limit 3000, calls limit 300)`);

    // Pooling really happened: the app logins reach PostgreSQL through at most POOL_SIZE server connections each.
    const pools = await bouncer.pools();
    const mine = pools.filter((p) => p.database === t.name);
    expect(mine.map((p) => p.pool_mode)).toEqual(mine.map(() => 'transaction'));
    expect(mine.map((p) => p.user)).toEqual(expect.arrayContaining([new URL(t.systemUrl).username]));
    expect(await serverBackends(decodeURIComponent(new URL(t.systemUrl).username))).toBeLessThanOrEqual(POOL_SIZE);
  }, 120_000);

  it('sessions and the sign-in throttle live in PostgreSQL: a session made on one instance works on the other, failures add up across both', async () => {
    const org = await createOrg(t.db);
    const admin = await createUser(t.db, org, 'ADMIN');
    const onA = new Browserless(urls[0]!);
    expect((await onA.signIn(admin.email, TEST_PASSWORD)).status).toBe(302);
    // Behind a load balancer the next request may land on the other instance.
    const onB = new Browserless(urls[1]!);
    onB.cookie = onA.cookie;
    expect(await onB.signedIn()).toBe(true);
    // A tenant-scoped screen on B: the app login, its tenant context set per transaction.
    const list = await onB.api('/resources/User/actions/list');
    expect(list.status).toBe(200);
    expect(list.body.records.map((r: { id: string }) => r.id)).toContain(admin.id);
    expect((await bouncer.pools()).some((p) => p.database === t.name && p.user === new URL(t.appUrl).username)).toBe(true);
    // Signed out on B: gone on A as well.
    expect((await onB.request('/admin/logout', { method: 'POST' })).status).toBe(302);
    const again = new Browserless(urls[0]!);
    again.cookie = onA.cookie;
    expect(await again.signedIn()).toBe(false);

    // Failed sign-ins (unknown accounts, so no account lockout) alternate between the instances; the IP's budget is shared.
    for (let i = 0; i < IP_MAX_ATTEMPTS; i++) expect((await new Browserless(urls[i % 2]!).signIn(`nobody-${i}@test.example`, 'wrong')).status).toBe(401);
    const throttle = await t.db.loginThrottle.findMany();
    expect(throttle.map((r) => r.attempts)).toEqual([IP_MAX_ATTEMPTS]);
    await new Browserless(urls[0]!).signIn('nobody-else@test.example', 'wrong');
    // Blocked now on both instances, even with the right password.
    for (const url of urls) {
      const b = new Browserless(url);
      expect((await b.signIn(admin.email, TEST_PASSWORD)).status).toBe(401);
      expect(await b.signedIn()).toBe(false);
    }
    expect((await t.db.loginThrottle.findFirstOrThrow()).blockedUntil!.getTime()).toBeGreaterThan(Date.now());
  });

  it('leaves no session state on the pooled server connections: settings, prepared statements, advisory locks, LISTEN', async () => {
    for (const url of [t.appUrl, t.systemUrl]) {
      // POOL_SIZE clients each inside a transaction hold POOL_SIZE distinct server connections: every one the instances used.
      const clients = Array.from({ length: POOL_SIZE }, () => new pg.Client({ connectionString: bouncer.via(url) }));
      try {
        await Promise.all(clients.map((c) => c.connect()));
        const seen = await Promise.all(clients.map(async (c) => {
          await c.query('BEGIN');
          const { rows } = await c.query<{ pid: number; org: string | null; role: string | null; user_id: string | null; prepared: number; channels: number }>(`
            SELECT pg_backend_pid() AS pid, current_setting('app.org_id', true) AS org, current_setting('app.role', true) AS role,
                   current_setting('app.user_id', true) AS user_id, (SELECT count(*)::int FROM pg_prepared_statements) AS prepared,
                   (SELECT count(*)::int FROM pg_listening_channels()) AS channels`);
          return rows[0]!;
        }));
        expect(new Set(seen.map((r) => r.pid)).size).toBe(POOL_SIZE);
        for (const r of seen) expect({ org: r.org || '', role: r.role || '', userId: r.user_id || '', prepared: r.prepared, channels: r.channels }).toEqual({ org: '', role: '', userId: '', prepared: 0, channels: 0 });
        await Promise.all(clients.map((c) => c.query('COMMIT')));
      } finally {
        await Promise.all(clients.map((c) => c.end().catch(() => {})));
      }
    }
    const locks = await withClient(t.url, async (c) => (await c.query<{ n: number }>(ADVISORY_LOCKS)).rows[0]!.n);
    expect(locks).toBe(0);
  });

  it('SIGKILL one instance and revoke a key mid-load: every 2xx is in the ledger, counters = ledger, the key stops on both within a second', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 1_000_000n });
    const doomed = await tenant.key();
    const kept = await tenant.key({ maxTokens: 4000 });
    const model = tenant.model.id;
    const sent: (Sent & { key: 'doomed' | 'kept'; kind: 'usage' | 'hold' | 'settle' })[] = [];
    const alive = [true, true];
    let stop = false;
    let revokedAt = Infinity;
    let killedAt = Infinity;

    const call = async (instance: number, key: 'doomed' | 'kept', kind: 'usage' | 'hold' | 'settle', path: string, body: unknown) => {
      const startedAt = Date.now();
      const res = await new ApiClient(urls[instance]!, key === 'doomed' ? doomed.secret : kept.secret).post(path, body).catch(() => null);
      sent.push({ res, instance, startedAt, key, kind });
      if (!res && Date.now() >= killedAt) alive[instance] = false; // cut by the kill: the load balancer moves on
      return res;
    };
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const instance = alive[(w + n) % 2] ? (w + n) % 2 : 1;
        const key = (w + n) % 3 === 0 ? 'doomed' : 'kept';
        if (n % 5 === 4) {
          const hold = await call(instance, key, 'hold', '/usage/reservations', { model, estimatedTokens: 12, idempotencyKey: uuid() });
          if (hold?.status === 201) {
            const other = alive[1 - instance] ? 1 - instance : instance;
            await call(other, key, 'settle', `/usage/reservations/${hold.body.id}/settle`, { inputTokens: 6, outputTokens: 4 });
          }
        } else {
          await call(instance, key, 'usage', '/usage', { model, inputTokens: 2, outputTokens: 3, idempotencyKey: uuid() });
        }
      }
    };
    const load = Promise.all(Array.from({ length: 24 }, (_, w) => worker(w)));
    // Phases end on progress, not on the clock alone, so a busy machine only makes them longer.
    const acked = (f: (x: (typeof sent)[number]) => boolean) => sent.filter((x) => x.res && x.res.status >= 200 && x.res.status < 300 && f(x)).length;
    const until = async (done: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
    };
    await until(() => acked((x) => x.key === 'doomed') >= 10 && acked((x) => x.instance === 0) >= 20 && acked((x) => x.instance === 1) >= 20, 60_000);
    await t.db.apiKey.update({ where: { id: doomed.id }, data: { revokedAt: new Date() } });
    revokedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1100));
    // Besides the load's own requests, one probe per instance just past the second.
    await Promise.all([0, 1].map((i) => call(i, 'doomed', 'usage', '/usage', { model, inputTokens: 1, outputTokens: 1, idempotencyKey: uuid() })));
    await until(() => acked((x) => x.startedAt > revokedAt) >= 30, 30_000);
    killedAt = Date.now();
    apps[0]!.kill(); // SIGKILL to instance A's process group, requests in flight
    await until(() => acked((x) => x.instance === 1 && x.startedAt > killedAt) >= 30, 30_000);
    stop = true;
    await load;
    await apps[0]!.exited;

    const ok = sent.filter((s) => s.res && s.res.status >= 200 && s.res.status < 300);
    const other = sent.filter((s) => s.res && !(s.res.status >= 200 && s.res.status < 300) && s.res.status !== 401 && s.res.status !== 429);
    expect(other.map((s) => [s.res!.status, s.res!.body])).toEqual([]);
    // Both instances served before the kill, B after it.
    expect(ok.some((s) => s.instance === 0 && s.startedAt < killedAt)).toBe(true);
    expect(ok.some((s) => s.instance === 1 && s.startedAt > killedAt)).toBe(true);
    expect(sent.some((s) => s.instance === 0 && s.res === null)).toBe(true);

    // The revoked key: refused on both instances by one second after the revocation committed, and not before it.
    const late = sent.filter((s) => s.key === 'doomed' && s.res && s.startedAt > revokedAt + 1000);
    expect(late.filter((s) => s.instance === 0).length).toBeGreaterThan(0);
    expect(late.filter((s) => s.instance === 1).length).toBeGreaterThan(0);
    expect(late.filter((s) => s.res!.status !== 401).map((s) => [s.instance, s.kind, s.res!.status])).toEqual([]);
    expect(sent.some((s) => s.key === 'doomed' && s.res?.status === 201 && s.startedAt < revokedAt)).toBe(true);

    // Every acknowledged request is in the ledger (what committed but was cut unanswered is too, and counted).
    const eventIds = ok.flatMap((s) => (s.kind === 'usage' ? [s.res!.body.eventId as string] : s.kind === 'settle' ? [s.res!.body.usage.eventId as string] : []));
    const events = await t.db.usageEvent.findMany({ where: { organizationId: tenant.org.id }, select: { id: true, apiKeyId: true, totalTokens: true } });
    const inLedger = new Set(events.map((e) => e.id));
    expect(eventIds.filter((id) => !inLedger.has(id))).toEqual([]);
    expect(events.length).toBeGreaterThanOrEqual(eventIds.length);
    expect(eventIds.length).toBeGreaterThan(50);
    const holdIds = ok.filter((s) => s.kind === 'hold').map((s) => s.res!.body.id as string);
    expect(await t.db.usageReservation.count({ where: { organizationId: tenant.org.id, id: { in: holdIds } } })).toBe(holdIds.length);

    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(Number(s.orgTokens!.used)).toBe(s.ledgerTokens);
    expect(Number(s.orgCalls?.used ?? s.ledgerRows)).toBe(s.ledgerRows);
    expect(s.rollupTokens).toBe(s.ledgerTokens);
    expect(s.rollupRequests).toBe(s.ledgerRows);
    const keptTokens = events.filter((e) => e.apiKeyId === kept.id).reduce((a, e) => a + e.totalTokens, 0);
    const keptCounter = s.keyTokens.find((c) => c.subjectId === kept.id)!;
    expect(Number(keptCounter.used)).toBe(keptTokens);
    expect(keptTokens).toBeLessThanOrEqual(4000);
    // What is still reserved is exactly what the holds cut off by the kill still hold.
    const stillHeld = await t.db.usageReservation.aggregate({ where: { organizationId: tenant.org.id, status: 'HELD' }, _sum: { heldTokens: true } });
    expect(Number(s.orgTokens!.reserved)).toBe(Number(stillHeld._sum.heldTokens ?? 0n));
    console.info(`kill + revoke via PgBouncer: ${sent.length} requests, ${ok.length} 2xx, ${sent.filter((x) => !x.res).length} cut by the kill; ledger ${s.ledgerRows} rows; revoked key after +1 s: ${late.length} requests, all 401; reserved ${s.orgTokens!.reserved} = open holds`);
  }, 120_000);
});
