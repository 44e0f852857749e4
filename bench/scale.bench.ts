// npm run bench:scale: the usage ledger at scale. Generates BENCH_ROWS ledger
// rows (default 10,000,000) across 120 days and BENCH_ORGS organizations
// (bench/scale-data.ts), their daily rollups and BENCH_ROWS/10 audit rows, then
// prints three tables:
//  1. the panel's JSON API (p50/p95 over BENCH_REPEAT sequential requests) for
//     the usage list (first page, a deep keyset page, each filter), the audit
//     list, the dashboard, an organization page and quota stats, as a
//     superadmin and as an org admin, each beside the plain indexed SQL that
//     reads the same rows, as a ratio (target: lists < 100 ms and < 5x, the
//     dashboard < 300 ms);
//  2. every list query under row-level security (the tenant login with the org
//     admin's settings) beside the same query without it (the owner), as a
//     ratio (target < 2x);
//  3. the CSV export of BENCH_EXPORT_ROWS rows with the server's peak memory
//     (a child process, sampled; target < 200 MB).
// Env: BENCH_ROWS (10000000)  BENCH_ORGS (200)  BENCH_REPEAT (20)
//      BENCH_EXPORT_ROWS (1000000)  BENCH_EXPORT_HEAP_MB (the export server's --max-old-space-size)  BENCH_DATA_DIR (keep the generated cluster
//      there and reuse it on the next run)  BENCH_SQL=1 (print the SQL each
//      panel request sends).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import pg from 'pg';
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { ensureDatabase } from '../src/db/database.js';
import { migrateUp } from '../src/db/migrate.js';
import { ensureAppLogin, ensureSystemLogin } from '../src/db/app-role.js';
import { BENCH_PASSWORD, ensureBenchData } from './scale-data.js';
import { startBenchServer, type BenchServer } from './scale-server.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const ORGS = Number(process.env.BENCH_ORGS ?? 200);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 20);
const EXPORT_ROWS = Math.min(ROWS, Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000));
const DATA_DIR = process.env.BENCH_DATA_DIR;
const DAYS = 120;
const PG_PASSWORD = 'bench-postgres-password';
// Iterating: BENCH_ONLY=<text> times only the API cases whose name contains it; BENCH_PARTS=api,rls,export picks
// the tables (BENCH_PARTS=generate only builds the data set).
const ONLY = process.env.BENCH_ONLY;
const PARTS = new Set((process.env.BENCH_PARTS ?? 'api,rls,export').split(','));

const log = (s: string) => process.stdout.write(`${s}\n`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

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

/** Memory settings a production database of this size would have; they need a restart, done once per cluster. */
async function tunedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  let server = await startEmbeddedPostgres({ dataDir, password: PG_PASSWORD });
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  const current = (await c.query(`SHOW shared_buffers`)).rows[0].shared_buffers;
  if (current !== '1GB') {
    await c.query(`ALTER SYSTEM SET shared_buffers = '1GB'`);
    await c.query(`ALTER SYSTEM SET effective_cache_size = '4GB'`);
    await c.query(`ALTER SYSTEM SET work_mem = '16MB'`);
    await c.query(`ALTER SYSTEM SET random_page_cost = 1.1`);
    await c.end();
    await server.stop();
    server = await startEmbeddedPostgres({ dataDir, password: PG_PASSWORD });
  } else await c.end();
  return server;
}

async function main() {
  const root = DATA_DIR ? path.resolve(DATA_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-scale-'));
  fs.mkdirSync(root, { recursive: true });
  fs.chmodSync(root, 0o755);
  const server = await tunedPostgres(path.join(root, 'pgdata'));
  let app: BenchServer | undefined;
  const clients: pg.Client[] = [];
  try {
    await ensureDatabase(server.url, 'bench');
    const ownerUrl = withDatabase(server.url, 'bench');
    await migrateUp(ownerUrl);
    const owner = new pg.Client({ connectionString: ownerUrl });
    await owner.connect();
    clients.push(owner);
    log(`bench:scale: ${ROWS.toLocaleString('en-US')} ledger rows, ${ORGS} organizations, ${DAYS} days, ${REPEAT} timed requests each; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const ids = await ensureBenchData(owner, { rows: ROWS, orgs: ORGS, days: DAYS }, log);
    if (PARTS.has('generate')) return; // BENCH_PARTS=generate: only build the data set (into BENCH_DATA_DIR)
    const appUrl = await ensureAppLogin(ownerUrl, 'bench-app-login-password');
    const systemUrl = await ensureSystemLogin(ownerUrl, 'bench-system-login-password');
    const tenant = new pg.Client({ connectionString: appUrl });
    await tenant.connect();
    clients.push(tenant);

    app = await startBenchServer({ appUrl, systemUrl, logSql: process.env.BENCH_SQL === '1' });
    const sa = await app.signIn('root@bench.example', BENCH_PASSWORD);
    const oa = await app.signIn(ids.admin.email, BENCH_PASSWORD);
    // The plain queries run as the panel's reads do (tenant-sql-reads.ts: no
    // parallel workers, which made the dashboard's chart query 5x slower here).
    await owner.query('SET max_parallel_workers_per_gather = 0');
    const sql = (text: string, params: unknown[] = []) => owner.query(text, params);
    const list = (r: string, q = '') => `/resources/${r}/actions/list?perPage=50${q ? `&${q}` : ''}`;

    // A deep page: follow the keyset 200 pages (10,000 rows) in, then time that page.
    let cursor = '';
    for (let i = 0; i < 200; i++) cursor = (await app.get(sa, `${list('UsageEvent')}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`)).meta.nextCursor;
    let auditCursor = '';
    for (let i = 0; i < 20; i++) auditCursor = (await app.get(sa, `${list('AuditLog')}${auditCursor ? `&after=${encodeURIComponent(auditCursor)}` : ''}`)).meta.nextCursor;
    const [cAt, cId] = cursor.split('_');
    const [aAt, aId] = auditCursor.split('_');
    const org = ids.orgs[Math.floor(ids.orgs.length / 3)]!;
    const [user, key, model, realm] = [ids.users[7]!, ids.keys[7]!, ids.models[3]!, ids.realms[7]!];
    const mine = ids.admin;
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() - 24 * 86_400_000).toISOString().slice(0, 10);
    const range = `filters.occurredAt~~from=${from}&filters.occurredAt~~to=${to}`;
    const U = `SELECT * FROM usage_events`;
    const A = `SELECT * FROM audit_logs`;
    const ORDER_ONLY = `ORDER BY occurred_at DESC, id DESC`;
    const ORDER = `${ORDER_ONLY} LIMIT 51`;
    // A list's count: no further than 10,001 rows, in list order.
    const capped = (rows: string, params: unknown[] = []) => sql(`SELECT count(*) FROM (${rows.replace('SELECT *', 'SELECT 1')} LIMIT 10001) AS capped`, params);
    const both = async (a: Promise<unknown>, b: Promise<unknown>) => {
      await a;
      await b;
    };
    // Bounds as timestamptz, as the app sends them: a column compared with a date uses a cross-type operator
    // that is not leakproof, which row-level security may not run inside an index scan.
    const DATE = `occurred_at >= $1::date::timestamptz AND occurred_at < ($2::date + 1)::timestamptz`;
    type Case = { name: string; api: () => Promise<unknown>; plain: () => Promise<unknown> };
    const ue = (name: string, cookie: string, q: string, where: string, params: unknown[]): Case => ({
      name,
      api: () => app!.get(cookie, list('UsageEvent', q)),
      plain: () => sql(`${U} ${where ? `WHERE ${where}` : ''} ${ORDER}`, params),
    });
    // A usage event's page: one of the newest, and one of the org admin's organization.
    const event = (await sql(`SELECT id FROM usage_events ORDER BY occurred_at DESC LIMIT 1`)).rows[0].id as string;
    const ownEvent = (await sql(`SELECT id FROM usage_events WHERE organization_id = $1 ORDER BY occurred_at DESC LIMIT 1`, [mine.organizationId])).rows[0].id as string;
    const cases: Case[] = [
      ue('usage list, first page', sa, '', '', []),
      { name: 'usage list, page 201 by keyset', api: () => app!.get(sa, `${list('UsageEvent')}&after=${encodeURIComponent(cursor)}`), plain: () => sql(`${U} WHERE (occurred_at, id) < ($1, $2) ${ORDER}`, [cAt, cId]) },
      ue('usage filter: organization', sa, `filters.organization=${org}`, 'organization_id = $1', [org]),
      // A user, key or realm belongs to one organization; the app adds it (its filter indexes lead with it).
      ue('usage filter: user', sa, `filters.user=${user}`, 'organization_id = (SELECT organization_id FROM users WHERE id = $1) AND user_id = $1', [user]),
      ue('usage filter: API key', sa, `filters.apiKey=${key}`, 'organization_id = (SELECT organization_id FROM api_keys WHERE id = $1) AND api_key_id = $1', [key]),
      ue('usage filter: model', sa, `filters.model=${model}`, 'model_id = $1', [model]),
      ue('usage filter: realm', sa, `filters.realm=${realm}`, 'organization_id = (SELECT organization_id FROM realms WHERE id = $1) AND realm_id = $1', [realm]),
      ue('usage filter: date range (7 days)', sa, range, DATE, [from, to]),
      ue('usage, org admin: first page', oa, '', 'organization_id = $1', [mine.organizationId]),
      ue('usage, org admin: user', oa, `filters.user=${mine.userId}`, 'organization_id = $1 AND user_id = $2', [mine.organizationId, mine.userId]),
      ue('usage, org admin: API key', oa, `filters.apiKey=${mine.apiKeyId}`, 'organization_id = $1 AND api_key_id = $2', [mine.organizationId, mine.apiKeyId]),
      ue('usage, org admin: model', oa, `filters.model=${model}`, 'organization_id = $1 AND model_id = $2', [mine.organizationId, model]),
      ue('usage, org admin: realm', oa, `filters.realm=${mine.realmId}`, 'organization_id = $1 AND realm_id = $2', [mine.organizationId, mine.realmId]),
      ue('usage, org admin: date range', oa, range, `organization_id = $3 AND ${DATE}`, [from, to, mine.organizationId]),
      // The totals line each ledger list asks for once per filter, beside its first page (view=totals): the
      // capped count and, for usage, the sums of the coarsest rollups that hold the filter. Plain: the same two queries.
      { name: 'usage totals line', api: () => app!.get(sa, list('UsageEvent', 'view=totals')), plain: () => both(capped(`${U} ${ORDER_ONLY}`), sql(`SELECT sum(total_tokens), sum(requests) FROM usage_daily_model_rollups`)) },
      { name: 'usage totals line, organization', api: () => app!.get(sa, list('UsageEvent', `view=totals&filters.organization=${org}`)), plain: () => both(capped(`${U} WHERE organization_id = $1 ${ORDER_ONLY}`, [org]), sql(`SELECT sum(total_tokens), sum(requests) FROM usage_daily_model_rollups WHERE organization_id = $1`, [org])) },
      { name: 'usage totals line, org admin', api: () => app!.get(oa, list('UsageEvent', 'view=totals')), plain: () => both(capped(`${U} WHERE organization_id = $1 ${ORDER_ONLY}`, [mine.organizationId]), sql(`SELECT sum(total_tokens), sum(requests) FROM usage_daily_model_rollups WHERE organization_id = $1`, [mine.organizationId])) },
      { name: 'audit totals line', api: () => app!.get(sa, list('AuditLog', 'view=totals')), plain: () => capped(`${A} ${ORDER_ONLY}`) },
      { name: 'usage event page (show)', api: () => app!.get(sa, `/resources/UsageEvent/records/${event}/show`), plain: () => sql(`${U} WHERE id = $1`, [event]) },
      { name: 'usage event page, org admin', api: () => app!.get(oa, `/resources/UsageEvent/records/${ownEvent}/show`), plain: () => sql(`${U} WHERE organization_id = $1 AND id = $2`, [mine.organizationId, ownEvent]) },
      { name: 'daily rollups list, first page', api: () => app!.get(sa, '/resources/UsageDailyRollup/actions/list?perPage=10'), plain: () => sql(`SELECT * FROM usage_daily_rollups ORDER BY day DESC LIMIT 10`) },
      { name: 'daily rollups, organization', api: () => app!.get(sa, `/resources/UsageDailyRollup/actions/list?perPage=10&filters.organization=${org}`), plain: () => sql(`SELECT * FROM usage_daily_rollups WHERE organization_id = $1 ORDER BY day DESC LIMIT 10`, [org]) },
      { name: 'audit list, first page', api: () => app!.get(sa, list('AuditLog')), plain: () => sql(`${A} ${ORDER}`) },
      { name: 'audit list, page 21 by keyset', api: () => app!.get(sa, `${list('AuditLog')}&after=${encodeURIComponent(auditCursor)}`), plain: () => sql(`${A} WHERE (occurred_at, id) < ($1, $2) ${ORDER}`, [aAt, aId]) },
      { name: 'audit filter: organization', api: () => app!.get(sa, list('AuditLog', `filters.organizationId=${org}`)), plain: () => sql(`${A} WHERE organization_id = $1 ${ORDER}`, [org]) },
      { name: 'audit filter: actor', api: () => app!.get(sa, list('AuditLog', `filters.actorId=${user}`)), plain: () => sql(`${A} WHERE actor_id = $1 ${ORDER}`, [user]) },
      { name: 'audit filter: action', api: () => app!.get(sa, list('AuditLog', `filters.action=update`)), plain: () => sql(`${A} WHERE action = 'update' ${ORDER}`) },
      { name: 'audit filter: date range', api: () => app!.get(sa, list('AuditLog', range)), plain: () => sql(`${A} WHERE ${DATE} ${ORDER}`, [from, to]) },
      { name: 'audit, org admin: first page', api: () => app!.get(oa, list('AuditLog')), plain: () => sql(`${A} WHERE organization_id = $1 ${ORDER}`, [mine.organizationId]) },
      // The dashboard's chart reads the coarse rollups (organization x day x model, migration 0019).
      { name: 'dashboard, 30 days', api: () => app!.get(sa, '/dashboard?days=30'), plain: () => sql(`SELECT day, model_id, sum(total_tokens) FROM usage_daily_model_rollups WHERE day > current_date - 30 GROUP BY 1, 2`) },
      { name: 'dashboard, 90 days', api: () => app!.get(sa, '/dashboard?days=90'), plain: () => sql(`SELECT day, model_id, sum(total_tokens) FROM usage_daily_model_rollups WHERE day > current_date - 90 GROUP BY 1, 2`) },
      { name: 'dashboard, 30 days, org admin', api: () => app!.get(oa, '/dashboard?days=30'), plain: () => sql(`SELECT day, model_id, sum(total_tokens) FROM usage_daily_model_rollups WHERE organization_id = $1 AND day > current_date - 30 GROUP BY 1, 2`, [mine.organizationId]) },
      { name: 'organization page (show)', api: () => app!.get(sa, `/resources/Organization/records/${org}/show`), plain: () => sql(`SELECT * FROM organizations WHERE id = $1`, [org]) },
      { name: 'organization usage chart, 30 days', api: () => app!.get(sa, `/resources/Organization/records/${org}/usageChart?days=30`), plain: () => sql(`SELECT day, model_id, sum(total_tokens) FROM usage_daily_model_rollups WHERE organization_id = $1 AND day > current_date - 30 GROUP BY 1, 2`, [org]) },
      { name: 'quota stats (organization)', api: () => app!.get(sa, `/resources/Organization/records/${org}/quotaStats`), plain: () => sql(`SELECT * FROM quota_counters WHERE organization_id = $1 AND subject_id = $1`, [org]) },
    ];
    log('');
    log('1. Panel JSON API beside the plain indexed SQL for the same rows: the HTTP round trip on loopback (client in this process),');
    log('   the server time (request arrival to the last byte of the answer) and the plain query on its own connection');
    log(`${'screen'.padEnd(38)} ${'trip p50'.padStart(9)} ${'trip p95'.padStart(9)} ${'srv p50'.padStart(9)} ${'srv p95'.padStart(9)} ${'SQL p50'.padStart(8)} ${'SQL p95'.padStart(8)} ${'p95 ratio'.padStart(9)}`);
    for (const c of cases.filter((x) => PARTS.has('api') && (!ONLY || x.name.includes(ONLY)))) {
      if (app.logSql) app.sqlLog.length = 0;
      app.serverTimes.length = 0;
      const api = await timedMany(c.api);
      const server = app.serverTimes.slice(1); // the first request warms
      if (server.length !== api.length) throw new Error(`${c.name}: ${server.length} server times for ${api.length} requests`);
      if (app.logSql) log(`  SQL of one request (${app.sqlLog.length / (REPEAT + 1)} statements):\n${app.sqlLog.slice(0, app.sqlLog.length / (REPEAT + 1)).map((s) => `    ${s}`).join('\n')}`);
      const plain = await timedMany(c.plain);
      log(`${c.name.padEnd(38)} ${ms(pct(api, 50)).padStart(9)} ${ms(pct(api, 95)).padStart(9)} ${ms(pct(server, 50)).padStart(9)} ${ms(pct(server, 95)).padStart(9)} ${ms(pct(plain, 50)).padStart(8)} ${ms(pct(plain, 95)).padStart(8)} ${`${(pct(server, 95) / Math.max(1, pct(plain, 95))).toFixed(1)}x`.padStart(9)}`);
    }
    log('  (ratio: server p95 / max(1 ms, SQL p95); a page needs at least one round trip and a session check)');

    // 2. The same list queries with and without row-level security: the tenant
    // login with the org admin's settings (as the panel runs them) against the
    // owner, who bypasses the policies; only the SELECT is timed.
    const rlsCases: { name: string; where: string; params: unknown[]; table?: string; tail?: string }[] = [
      { name: 'usage first page', where: 'organization_id = $1', params: [mine.organizationId] },
      { name: 'usage capped count', where: 'organization_id = $1', params: [mine.organizationId], tail: 'count' },
      { name: 'usage by user', where: 'organization_id = $1 AND user_id = $2', params: [mine.organizationId, mine.userId] },
      { name: 'usage by key', where: 'organization_id = $1 AND api_key_id = $2', params: [mine.organizationId, mine.apiKeyId] },
      { name: 'usage by model', where: 'organization_id = $1 AND model_id = $2', params: [mine.organizationId, model] },
      { name: 'usage by realm', where: 'organization_id = $1 AND realm_id = $2', params: [mine.organizationId, mine.realmId] },
      { name: 'usage by date range', where: `organization_id = $3 AND ${DATE}`, params: [from, to, mine.organizationId] },
      { name: 'usage deep page (keyset)', where: 'organization_id = $1 AND (occurred_at, id) < ($2, $3)', params: [mine.organizationId, cAt, cId] },
      { name: 'audit first page', where: 'organization_id = $1', params: [mine.organizationId], table: 'audit_logs' },
      { name: 'audit by action', where: `organization_id = $1 AND action = 'update'`, params: [mine.organizationId], table: 'audit_logs' },
      { name: 'rollups, 30 days by model', where: 'organization_id = $1 AND day > current_date - 30', params: [mine.organizationId], table: 'usage_daily_rollups', tail: 'rollup' },
    ];
    // A ledger list query runs as the app runs it (TenantSqlReads with sort: false: enable_sort off for its transaction),
    // both ways; the rollup query as the dashboard runs it.
    const rlsTimed = async (c: pg.Client, text: string, params: unknown[], settings: boolean, ledger: boolean) => {
      await c.query('BEGIN');
      if (ledger) await c.query('SET LOCAL enable_sort = off');
      if (settings) await c.query(`SELECT set_config('app.org_id', $1, true), set_config('app.role', 'ADMIN', true), set_config('app.user_id', '', true)`, [mine.organizationId]);
      const t0 = performance.now();
      const r = await c.query(text, params);
      const took = performance.now() - t0;
      await c.query('COMMIT');
      return { took, n: r.rowCount };
    };
    log('');
    log('2. Row-level security: the org admin\'s list queries on the tenant login (policies on) beside the owner (policies off)');
    log(`${'query'.padEnd(38)} ${'RLS p50'.padStart(10)} ${'RLS p95'.padStart(10)} ${'none p50'.padStart(9)} ${'none p95'.padStart(9)} ${'p95 ratio'.padStart(9)}`);
    for (const c of rlsCases.filter(() => PARTS.has('rls'))) {
      const table = c.table ?? 'usage_events';
      const text =
        c.tail === 'count' ? `SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE ${c.where} LIMIT 10001) t`
        : c.tail === 'rollup' ? `SELECT day, model_id, sum(total_tokens) FROM ${table} WHERE ${c.where} GROUP BY 1, 2`
        : `SELECT * FROM ${table} WHERE ${c.where} ${ORDER}`;
      const runs = async (cl: pg.Client, settings: boolean) => {
        const out: number[] = [];
        let n = -1;
        for (let i = 0; i <= REPEAT; i++) {
          const r = await rlsTimed(cl, text, c.params, settings, c.tail !== 'rollup');
          if (i) out.push(r.took);
          if (n >= 0 && r.n !== n) throw new Error(`${c.name}: row counts differ between runs`);
          n = r.n ?? 0;
        }
        return { out, n };
      };
      const withRls = await runs(tenant, true);
      const without = await runs(owner, false);
      if (withRls.n !== without.n) throw new Error(`${c.name}: ${withRls.n} rows under RLS, ${without.n} without`);
      log(`${c.name.padEnd(38)} ${ms(pct(withRls.out, 50)).padStart(10)} ${ms(pct(withRls.out, 95)).padStart(10)} ${ms(pct(without.out, 50)).padStart(9)} ${ms(pct(without.out, 95)).padStart(9)} ${`${(pct(withRls.out, 95) / Math.max(0.2, pct(without.out, 95))).toFixed(1)}x`.padStart(9)}`);
    }
    log('  (same rows both ways, checked; ratio: RLS p95 / max(0.2 ms, no-RLS p95))');

    // 3. Export: the newest EXPORT_ROWS rows, streamed by a server in its own
    // process, whose memory is sampled every 20 ms.
    await app.close();
    app = undefined;
    const [{ since }] = (await sql(`SELECT occurred_at AS since FROM usage_events ORDER BY occurred_at DESC, id DESC OFFSET $1 LIMIT 1`, [EXPORT_ROWS - 1])).rows;
    if (PARTS.has('export')) await exportRun(appUrl, systemUrl, (since as Date).toISOString());
  } finally {
    await app?.close().catch(() => {});
    for (const c of clients) await c.end().catch(() => {});
    await server.stop();
    if (!DATA_DIR) fs.rmSync(root, { recursive: true, force: true });
  }
}

async function exportRun(appUrl: string, systemUrl: string, fromIso: string): Promise<void> {
  const child = fork(path.join(path.dirname(new URL(import.meta.url).pathname), 'scale-export-server.ts'), [], {
    // BENCH_EXPORT_HEAP_MB: run the export server with that V8 old-space limit (as a production start would set
    // NODE_OPTIONS), to tell the heap V8 lets grow between collections apart from what the export keeps.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_EXPORT_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_EXPORT_HEAP_MB}`] : [])],
    env: { ...process.env, BENCH_APP_URL: appUrl, BENCH_SYSTEM_URL: systemUrl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await new Promise<{ url: string; cookie: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { url: string; cookie: string }));
      child.once('exit', (code) => reject(new Error(`export server exited (${code})`)));
    });
    const memory = () => new Promise<{ rss: number; heapUsed: number; peakRss: number; peakHeap: number }>((resolve) => {
      child.once('message', (m) => resolve(m as never));
      child.send('memory');
    });
    const before = await memory();
    child.send('sample');
    const t0 = performance.now();
    const res = await fetch(`${ready.url}/admin/export/usage.csv?filters.occurredAt~~from=${encodeURIComponent(fromIso)}`, { headers: { cookie: ready.cookie } });
    if (res.status !== 200) throw new Error(`export: ${res.status}`);
    let lines = 0;
    let bytes = 0;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (const b of value) if (b === 10) lines++;
    }
    const secs = (performance.now() - t0) / 1000;
    const after = await memory();
    log('');
    log('3. CSV export (GET /admin/export/usage.csv, superadmin, date filter), server in its own process');
    log(`export: ${(lines - 1).toLocaleString('en-US')} rows, ${mb(bytes)} of CSV in ${secs.toFixed(1)} s (${Math.round((lines - 1) / secs).toLocaleString('en-US')} rows/s)`);
    log(`server memory: RSS ${mb(before.rss)} before, peak ${mb(after.peakRss)} (+${mb(after.peakRss - before.rss)}); heap ${mb(before.heapUsed)} before, peak ${mb(after.peakHeap)} (+${mb(after.peakHeap - before.heapUsed)})`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

await main();
