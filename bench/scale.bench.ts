// npm run bench:scale: the usage ledger at scale. Generates BENCH_ROWS ledger
// rows (default 10,000,000) across 120 days and BENCH_ORGS organizations with
// generate_series, their daily rollups and BENCH_ROWS/10 audit rows, then
// times the panel's JSON API (p50/p95 over BENCH_REPEAT requests) for the
// usage list (first page, a deep keyset page, each filter), the audit list,
// the dashboard, an organization page and quota stats, each beside the plain
// indexed SQL that reads the same rows in the same run, as a ratio; and the
// CSV export of up to 1,000,000 rows with the process's peak memory.
//   BENCH_ROWS (10000000)  BENCH_ORGS (200)  BENCH_REPEAT (20)  BENCH_EXPORT_ROWS (1000000)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createPrisma } from '../src/db/client.js';
import { ensureDatabase } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded-postgres.js';
import { migrateUp } from '../src/db/migrate.js';
import { ensureAppLogin, ensureSystemLogin } from '../src/db/app-role.js';
import { createTenantPrisma } from '../src/db/tenant-context.js';
import { hashPassword } from '../src/domain/auth/password.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const ORGS = Number(process.env.BENCH_ORGS ?? 200);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 20);
const EXPORT_ROWS = Math.min(ROWS, Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000));
const DAYS = 120;
const PASSWORD = 'bench-password-123';
const SECRET = 'bench-secret-bench-secret-bench-secret-0000';

const log = (s: string) => process.stdout.write(`${s}\n`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function timedMany(fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm
  const out: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function generate(c: pg.Client): Promise<{ orgs: string[]; users: string[]; models: string[]; keys: string[]; realms: string[] }> {
  const t0 = performance.now();
  await c.query(`SET app.role = 'system'`);
  await c.query(`INSERT INTO organizations (name, monthly_token_quota) SELECT 'Bench org ' || i, 50000000 FROM generate_series(1, $1) i`, [ORGS]);
  const orgs = (await c.query(`SELECT id FROM organizations ORDER BY name`)).rows.map((r) => r.id as string);
  const hash = await hashPassword(PASSWORD);
  await c.query(`INSERT INTO users (organization_id, username, email, password_hash, role)
                 SELECT o.id, 'u' || row_number() OVER (), 'u' || row_number() OVER () || '@bench.example', $1, CASE WHEN u = 1 THEN 'ADMIN'::"UserRole" ELSE 'USER'::"UserRole" END
                   FROM organizations o, generate_series(1, 5) u`, [hash]);
  await c.query(`INSERT INTO users (username, email, password_hash, role) VALUES ('root', 'root@bench.example', $1, 'SUPERADMIN')`, [hash]);
  await c.query(`INSERT INTO realms (organization_id, owner_id, name, is_default) SELECT organization_id, id, 'Default', true FROM users WHERE organization_id IS NOT NULL`);
  await c.query(`INSERT INTO ai_models (name, provider, provider_model_id, role) SELECT 'Model ' || i, 'bench', 'm' || i, 'chat' FROM generate_series(1, 12) i`);
  await c.query(`INSERT INTO api_keys (organization_id, user_id, realm_id, name, prefix, key_hash)
                 SELECT u.organization_id, u.id, r.id, 'key ' || u.username, 'rgk_' || left(md5(u.id::text), 8), md5(u.id::text) || md5(u.username)
                   FROM users u JOIN realms r ON r.owner_id = u.id WHERE u.organization_id IS NOT NULL`);
  const users = (await c.query(`SELECT id FROM users WHERE organization_id IS NOT NULL ORDER BY id`)).rows.map((r) => r.id as string);
  const models = (await c.query(`SELECT id FROM ai_models ORDER BY name`)).rows.map((r) => r.id as string);
  const keys = (await c.query(`SELECT k.id, k.user_id, k.organization_id, k.realm_id FROM api_keys k ORDER BY k.user_id`)).rows;
  // The ledger, in chunks of a million: each row picks a user (and that user's key, realm and organization) and a model.
  await c.query(`CREATE TEMP TABLE bench_keys AS SELECT row_number() OVER (ORDER BY k.user_id) - 1 AS n, k.id, k.user_id, k.organization_id, k.realm_id FROM api_keys k`);
  await c.query(`CREATE TEMP TABLE bench_models AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM ai_models`);
  const nKeys = keys.length;
  const CHUNK = 1_000_000;
  for (let start = 0; start < ROWS; start += CHUNK) {
    const n = Math.min(CHUNK, ROWS - start);
    await c.query(
      `INSERT INTO usage_events (organization_id, user_id, api_key_id, realm_id, model_id, occurred_at, input_tokens, output_tokens, total_tokens, requests)
       SELECT k.organization_id, k.user_id, k.id, k.realm_id, m.id,
              now() - (random() * ${DAYS} * interval '1 day'), t.a, t.b, t.a + t.b, 1
         FROM generate_series(1, $1) g
         CROSS JOIN LATERAL (SELECT (random() * 800)::int AS a, (random() * 400)::int AS b, (random() * ($2 - 1))::int AS kn, (random() * 11)::int AS mn, g AS gg) t
         JOIN bench_keys k ON k.n = t.kn
         JOIN bench_models m ON m.n = t.mn`,
      [n, nKeys],
    );
    log(`  ledger: ${(start + n).toLocaleString('en-US')} rows (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  await c.query(`INSERT INTO usage_daily_rollups (organization_id, day, model_id, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
                 SELECT organization_id, (occurred_at AT TIME ZONE 'UTC')::date, model_id, user_id, api_key_id, sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(requests), count(*)
                   FROM usage_events GROUP BY 1, 2, 3, 4, 5`);
  await c.query(`INSERT INTO quota_counters (organization_id, subject_type, subject_id, metric, period, period_start, limit_value, used)
                 SELECT o.id, 'ORGANIZATION', o.id, 'TOKENS', 'MONTHLY', date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 50000000, coalesce(sum(r.total_tokens), 0)
                   FROM organizations o LEFT JOIN usage_daily_rollups r ON r.organization_id = o.id AND r.day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date GROUP BY o.id`);
  await c.query(`INSERT INTO audit_logs (organization_id, actor_id, actor_role, actor_label, action, resource, record_id, occurred_at)
                 SELECT u.organization_id, u.id, 'ADMIN', u.email, CASE WHEN g % 3 = 0 THEN 'update' ELSE 'create' END, 'ApiKey', g::text, now() - (random() * ${DAYS} * interval '1 day')
                   FROM generate_series(1, $1) g JOIN (SELECT row_number() OVER () - 1 AS n, id, organization_id, email FROM users WHERE organization_id IS NOT NULL) u ON u.n = g % $2`,
    [Math.max(1000, Math.floor(ROWS / 10)), users.length]);
  await c.query('VACUUM ANALYZE');
  log(`generated ${ROWS.toLocaleString('en-US')} ledger rows, rollups, ${Math.floor(ROWS / 10).toLocaleString('en-US')} audit rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return { orgs, users, models, keys: keys.map((k) => k.id), realms: keys.map((k) => k.realm_id) };
}

async function signIn(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password: PASSWORD }).toString() });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('realmgate.sid='));
  if (res.status !== 302 || !cookie) throw new Error(`sign-in of ${email} failed: ${res.status}`);
  return cookie.split(';')[0]!;
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-scale-'));
  fs.chmodSync(root, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'pgdata') });
  let close: (() => Promise<void>) | undefined;
  try {
    await ensureDatabase(server.url, 'bench');
    const ownerUrl = withDatabase(server.url, 'bench');
    await migrateUp(ownerUrl);
    const owner = new pg.Client({ connectionString: ownerUrl });
    await owner.connect();
    log(`bench:scale: ${ROWS.toLocaleString('en-US')} ledger rows, ${ORGS} organizations, ${DAYS} days, ${REPEAT} timed requests each`);
    const ids = await generate(owner);

    const appUrl = await ensureAppLogin(ownerUrl, 'bench-app-login-password');
    const systemUrl = await ensureSystemLogin(ownerUrl, 'bench-system-login-password');
    const base = createPrisma(appUrl, { max: 8 });
    const system = createPrisma(systemUrl, { max: 4 });
    const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: SECRET, API_KEY_PEPPER: SECRET, ENCRYPTION_KEY: 'a'.repeat(64) });
    const built = await buildApp({ config, db: createTenantPrisma(base, system), databaseUrl: appUrl, systemDb: system, systemDatabaseUrl: systemUrl, log: createLogger('silent') });
    const http = await new Promise<import('node:http').Server>((resolve) => {
      const s = built.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    close = async () => {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await built.close();
      await base.$disconnect();
      await system.$disconnect();
      await owner.end();
    };
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const orgAdmin = (await owner.query(`SELECT email, organization_id FROM users WHERE role = 'ADMIN' ORDER BY email LIMIT 1`)).rows[0];
    const sa = await signIn(url, 'root@bench.example');
    const oa = await signIn(url, orgAdmin.email);
    const get = async (cookie: string, p: string) => {
      const res = await fetch(`${url}/admin/api${p}`, { headers: { cookie, accept: 'application/json' } });
      const body = await res.json();
      if (res.status !== 200 || body?.notice?.type === 'error') throw new Error(`${p}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      return body;
    };
    const sql = (text: string, params: unknown[] = []) => owner.query(text, params);
    const list = (r: string, q = '') => `/resources/${r}/actions/list?perPage=50${q ? `&${q}` : ''}`;

    // A deep page: follow the keyset 200 pages (10,000 rows) in, then time that page.
    let cursor = '';
    for (let i = 0; i < 200; i++) cursor = (await get(sa, `${list('UsageEvent')}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`)).meta.nextCursor;
    const [cAt, cId] = cursor.split('_');
    const org = ids.orgs[Math.floor(ids.orgs.length / 2)]!;
    const [user, key, model, realm] = [ids.users[7]!, ids.keys[7]!, ids.models[3]!, ids.realms[7]!];
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() - 23 * 86_400_000).toISOString().slice(0, 10);
    const U = `SELECT * FROM usage_events`;
    const ORDER = `ORDER BY occurred_at DESC, id DESC LIMIT 51`;
    const cases: { name: string; api: () => Promise<unknown>; plain: () => Promise<unknown> }[] = [
      { name: 'usage list, first page (superadmin)', api: () => get(sa, list('UsageEvent')), plain: () => sql(`${U} ${ORDER}`) },
      { name: 'usage list, page 201 by keyset', api: () => get(sa, `${list('UsageEvent')}&after=${encodeURIComponent(cursor)}`), plain: () => sql(`${U} WHERE (occurred_at, id) < ($1, $2) ${ORDER}`, [cAt, cId]) },
      { name: 'usage list, org admin first page', api: () => get(oa, list('UsageEvent')), plain: () => sql(`${U} WHERE organization_id = $1 ${ORDER}`, [orgAdmin.organization_id]) },
      { name: 'usage filter: organization', api: () => get(sa, list('UsageEvent', `filters.organization=${org}`)), plain: () => sql(`${U} WHERE organization_id = $1 ${ORDER}`, [org]) },
      { name: 'usage filter: user', api: () => get(sa, list('UsageEvent', `filters.user=${user}`)), plain: () => sql(`${U} WHERE user_id = $1 ${ORDER}`, [user]) },
      { name: 'usage filter: API key', api: () => get(sa, list('UsageEvent', `filters.apiKey=${key}`)), plain: () => sql(`${U} WHERE api_key_id = $1 ${ORDER}`, [key]) },
      { name: 'usage filter: model', api: () => get(sa, list('UsageEvent', `filters.model=${model}`)), plain: () => sql(`${U} WHERE model_id = $1 ${ORDER}`, [model]) },
      { name: 'usage filter: realm', api: () => get(sa, list('UsageEvent', `filters.realm=${realm}`)), plain: () => sql(`${U} WHERE realm_id = $1 ${ORDER}`, [realm]) },
      { name: 'usage filter: date range (7 days)', api: () => get(sa, list('UsageEvent', `filters.occurredAt~~from=${from}&filters.occurredAt~~to=${to}`)), plain: () => sql(`${U} WHERE occurred_at >= $1::date AND occurred_at < $2::date + 1 ${ORDER}`, [from, to]) },
      { name: 'audit list, first page (superadmin)', api: () => get(sa, list('AuditLog')), plain: () => sql(`SELECT * FROM audit_logs ${ORDER}`) },
      { name: 'audit list, org admin first page', api: () => get(oa, list('AuditLog')), plain: () => sql(`SELECT * FROM audit_logs WHERE organization_id = $1 ${ORDER}`, [orgAdmin.organization_id]) },
      { name: 'dashboard, 30 days (superadmin)', api: () => get(sa, '/dashboard?days=30'), plain: () => sql(`SELECT day, model_id, sum(total_tokens) FROM usage_daily_rollups WHERE day > current_date - 30 GROUP BY 1, 2`) },
      { name: 'dashboard, 30 days (org admin)', api: () => get(oa, '/dashboard?days=30'), plain: () => sql(`SELECT day, model_id, sum(total_tokens) FROM usage_daily_rollups WHERE organization_id = $1 AND day > current_date - 30 GROUP BY 1, 2`, [orgAdmin.organization_id]) },
      { name: 'organization page (show)', api: () => get(sa, `/resources/Organization/records/${org}/show`), plain: () => sql(`SELECT * FROM organizations WHERE id = $1`, [org]) },
      { name: 'organization usage chart, 30 days', api: () => get(sa, `/resources/Organization/records/${org}/usageChart?days=30`), plain: () => sql(`SELECT day, model_id, sum(total_tokens) FROM usage_daily_rollups WHERE organization_id = $1 AND day > current_date - 30 GROUP BY 1, 2`, [org]) },
      { name: 'quota stats (organization)', api: () => get(sa, `/resources/Organization/records/${org}/quotaStats`), plain: () => sql(`SELECT * FROM quota_counters WHERE organization_id = $1 AND subject_id = $1`, [org]) },
    ];
    log('');
    log(`${'screen'.padEnd(40)} ${'API p50'.padStart(10)} ${'API p95'.padStart(10)} ${'SQL p50'.padStart(10)} ${'SQL p95'.padStart(10)} ${'p95 ratio'.padStart(10)}`);
    for (const c of cases) {
      const api = await timedMany(c.api);
      const plain = await timedMany(c.plain);
      log(`${c.name.padEnd(40)} ${ms(pct(api, 50)).padStart(10)} ${ms(pct(api, 95)).padStart(10)} ${ms(pct(plain, 50)).padStart(10)} ${ms(pct(plain, 95)).padStart(10)} ${`${(pct(api, 95) / Math.max(0.05, pct(plain, 95))).toFixed(1)}x`.padStart(10)}`);
    }

    // Export: the newest EXPORT_ROWS rows (a date range chosen to hold about that many), streamed; peak memory sampled.
    const [{ since }] = (await sql(`SELECT occurred_at AS since FROM usage_events ORDER BY occurred_at DESC, id DESC OFFSET $1 LIMIT 1`, [EXPORT_ROWS - 1])).rows;
    const fromIso = (since as Date).toISOString();
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 25);
    const t0 = performance.now();
    const res = await fetch(`${url}/admin/export/usage.csv?filters.occurredAt~~from=${encodeURIComponent(fromIso)}`, { headers: { cookie: sa } });
    let lines = 0;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const b of value) if (b === 10) lines++;
    }
    clearInterval(sampler);
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    log('');
    log(`export: ${(lines - 1).toLocaleString('en-US')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s; process peak RSS ${mb(peakRss)} (start ${mb(before.rss)}), peak heap ${mb(peakHeap)} (start ${mb(before.heapUsed)}) — server and client in this one process`);
  } finally {
    await close?.().catch(() => {});
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
