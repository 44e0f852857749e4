// npm run bench:usage: the gateway hot path (POST /api/v1/usage, GET /api/v1/models, GET /api/v1/quota) against
// pgbench's simple-update workload (-N) on the same PostgreSQL, at the same
// concurrency, in one run.
//   BENCH_SECONDS (default 10)   BENCH_CONNECTIONS (default "32,128")   BENCH_CPU_PROF (a folder: profile the app)
//   BENCH_KEYS=user: every key belongs to a user of its organization (a USER key) rather than being a gateway key
//   BENCH_LOG_LEVEL: the app's LOG_LEVEL (default warn; info logs a line per request, as production does by default)
//   BENCH_WORKLOADS: a semicolon-separated subset of the workloads' names, e.g. "hot tenant;GET /quota, spread" (default: all)
//   BENCH_APP_ENTRY=dist: run the compiled bundle (dist/main.js, what `npm start` runs) instead of src/main.ts under tsx
// The app runs as its own process (src/main.ts, as `npm start` runs it);
// autocannon drives it from this one.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { ensureAppLogin } from '../src/db/app-role.js';
import { ensureDatabase } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded-postgres.js';
import { migrateUp } from '../src/db/migrate.js';
import { generateApiKeySecret, hashApiKey } from '../src/domain/api-keys/api-key-secret.js';
import { machineBusySeconds, postgresCpuSeconds, processCpuSeconds } from './support/process-cpu.js';
import { batchCounts } from './support/batch-counts.js';
import { startAppProcess, type AppProcess } from './support/app-process.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '32,128').split(',').map(Number);
const ORGS = 100;
const KEYS_PER_ORG = 10;
const USER_KEYS = process.env.BENCH_KEYS === 'user';
const PEPPER = 'bench-api-key-pepper-0123456789abcdef0123456789';
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Tenant { orgId: string; keys: { id: string; secret: string; userId: string | null }[] }

async function makeTenants(c: pg.Client, modelId: string): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  for (let o = 0; o < ORGS; o++) {
    const orgId = crypto.randomUUID();
    // Big enough not to be reached in a run: the point is the speed of exact checks, not refusals.
    await c.query(`INSERT INTO organizations (id, name, pricing_plan, monthly_token_quota, monthly_api_call_quota) VALUES ($1, $2, 'ENTERPRISE', 10000000000, 100000000)`, [orgId, `Bench org ${o}`]);
    await c.query(`INSERT INTO organization_model_access (organization_id, model_id, is_enabled_for_users, first_enabled_at) VALUES ($1, $2, true, now())`, [orgId, modelId]);
    const keys = Array.from({ length: KEYS_PER_ORG }, () => ({ id: crypto.randomUUID(), secret: generateApiKeySecret(), userId: USER_KEYS ? crypto.randomUUID() : null }));
    if (USER_KEYS) {
      await c.query(`
        INSERT INTO users (id, organization_id, username, email, password_hash, role)
        SELECT id, $1, 'u' || left(id::text, 8), left(id::text, 8) || '@bench.example', 'x', 'USER' FROM unnest($2::uuid[]) AS v(id)`,
      [orgId, keys.map((k) => k.userId)]);
    }
    await c.query(`
      INSERT INTO api_keys (id, organization_id, user_id, name, prefix, key_hash, type, scopes, max_tokens, rate_limit_per_minute)
      SELECT id, $1, u, 'bench', 'rgk_bench', h, $4::text::"ApiKeyType", ARRAY['usage:write', 'usage:read', 'models:read'], 1000000000, 1000000 FROM unnest($2::uuid[], $3::text[], $5::uuid[]) AS v(id, h, u)`,
    [orgId, keys.map((k) => k.id), keys.map((k) => hashApiKey(PEPPER, k.secret)), USER_KEYS ? 'USER' : 'GATEWAY', keys.map((k) => k.userId)]);
    tenants.push({ orgId, keys });
  }
  return tenants;
}

/** counters == ledger (per organization and key, tokens and calls), rollups == ledger, and no counter past its limit. */
async function check(c: pg.Client): Promise<string> {
  const q = async (sql: string) => Number((await c.query(sql)).rows[0].n);
  const orgMismatch = await q(`
    SELECT count(*) AS n FROM (SELECT organization_id, sum(total_tokens) t, count(*) n FROM usage_events GROUP BY 1) e
      FULL JOIN (SELECT subject_id, sum(used) FILTER (WHERE metric = 'TOKENS') t, sum(used) FILTER (WHERE metric = 'API_CALLS') n
                   FROM quota_counters WHERE subject_type = 'ORGANIZATION' GROUP BY 1) q ON q.subject_id = e.organization_id
     WHERE coalesce(e.t, 0) <> coalesce(q.t, 0) OR coalesce(e.n, 0) <> coalesce(q.n, 0)`);
  const keyMismatch = await q(`
    SELECT count(*) AS n FROM (SELECT api_key_id, sum(total_tokens) t, count(*) n FROM usage_events GROUP BY 1) e
      FULL JOIN (SELECT subject_id, sum(used) FILTER (WHERE metric = 'TOKENS') t, sum(used) FILTER (WHERE metric = 'REQUESTS') n
                   FROM quota_counters WHERE subject_type = 'API_KEY' GROUP BY 1) q ON q.subject_id = e.api_key_id
     WHERE coalesce(e.t, 0) <> coalesce(q.t, 0) OR coalesce(e.n, 0) <> coalesce(q.n, 0)`);
  const rollupMismatch = await q(`
    SELECT count(*) AS n FROM (SELECT organization_id, sum(total_tokens) t, count(*) n FROM usage_events GROUP BY 1) e
      FULL JOIN (SELECT organization_id, sum(total_tokens) t, sum(requests) n FROM usage_daily_rollups GROUP BY 1) r USING (organization_id)
     WHERE coalesce(e.t, 0) <> coalesce(r.t, 0) OR coalesce(e.n, 0) <> coalesce(r.n, 0)`);
  const over = await q(`SELECT count(*) AS n FROM quota_counters WHERE limit_value IS NOT NULL AND used + reserved > limit_value`);
  const ok = orgMismatch + keyMismatch + rollupMismatch + over === 0;
  return ok ? 'ok' : `FAIL org=${orgMismatch} key=${keyMismatch} rollup=${rollupMismatch} over=${over}`;
}

/** POST /usage (one model call each), or with `read` one of the reads a gateway makes with its key: GET /models, GET /quota. */
function runAutocannon(url: string, connections: number, pick: () => { secret: string }, read?: 'models' | 'quota'): Promise<autocannon.Result> {
  const body = () => JSON.stringify({ model: 'bench-model', inputTokens: 12, outputTokens: 30, idempotencyKey: crypto.randomUUID() });
  return new Promise((resolve, reject) => {
    autocannon({
      url: `${url}/api/v1/${read ?? 'usage'}`,
      connections,
      duration: SECONDS,
      requests: [{
        method: read ? 'GET' : 'POST',
        setupRequest: (req) => {
          const headers: Record<string, string> = { authorization: `Bearer ${pick().secret}` };
          if (read) return { ...req, headers };
          return { ...req, headers: { ...headers, 'content-type': 'application/json' }, body: body() };
        },
      }],
    }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function pgbench(url: string, connections: number): { tps: number; transactions: number } {
  const run = spawnSync('pgbench', ['-N', '-n', '-c', String(connections), '-j', '2', '-T', String(SECONDS), url], { encoding: 'utf8' });
  const m = /tps = ([\d.]+)/.exec(run.stdout);
  const n = /number of transactions actually processed: (\d+)/.exec(run.stdout);
  if (!m || !n) throw new Error(`pgbench failed: ${run.stderr || run.stdout}`);
  return { tps: Number(m[1]), transactions: Number(n[1]) };
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-usage-'));
  fs.chmodSync(root, 0o755); // PostgreSQL may run as the "postgres" user, which must enter it
  const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'pgdata') });
  let app: AppProcess | undefined;
  const c = new pg.Client({ connectionString: withDatabase(server.url, 'bench') });
  try {
    await ensureDatabase(server.url, 'bench');
    await ensureDatabase(server.url, 'pgbench');
    const ownerUrl = withDatabase(server.url, 'bench');
    await migrateUp(ownerUrl);
    const appUrl = await ensureAppLogin(ownerUrl, 'bench-app-login-password');
    await c.connect();
    const model = crypto.randomUUID();
    await c.query(`INSERT INTO ai_models (id, name, provider, provider_model_id, role) VALUES ($1, 'Bench model', 'openai', 'bench-model', 'chat')`, [model]);
    const tenants = await makeTenants(c, model);
    const allKeys = tenants.flatMap((t) => t.keys);
    const hot = tenants[0]!.keys[0]!;
    const pgbenchUrl = withDatabase(server.url, 'pgbench');
    const init = spawnSync('pgbench', ['-i', '-q', '-s', '10', pgbenchUrl], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);

    app = await startAppProcess({ ownerUrl, appUrl, pepper: PEPPER, ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}) });
    const started = app;
    log(`Hot path benchmark: ${allKeys.length} ${USER_KEYS ? "users' keys" : 'gateway keys'} in ${ORGS} organizations, ${SECONDS} s per run, ${os.cpus().length} CPU(s), load average before ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    // Warm-up: one request per key loads every catalog and creates every counter row
    // (a gateway's steady state), then a short run warms the JIT.
    for (let i = 0; i < allKeys.length; i += 32) {
      await Promise.all(allKeys.slice(i, i + 32).map((k) => fetch(`${started.url}/api/v1/usage`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${k.secret}` },
        body: JSON.stringify({ model: 'bench-model', inputTokens: 1, outputTokens: 1, idempotencyKey: crypto.randomUUID() }),
      }).then((r) => r.arrayBuffer())));
    }
    await runAutocannon(started.url, 16, () => allKeys[Math.floor(Math.random() * allKeys.length)]!).catch(() => null);

    const rows: string[][] = [];
    for (const conns of CONNECTIONS) {
      const machineBefore = machineBusySeconds();
      const pgBefore = postgresCpuSeconds(server.dataDir);
      const { tps, transactions } = pgbench(pgbenchUrl, conns);
      const pgbenchCpu = ((machineBusySeconds() - machineBefore) / transactions) * 1000;
      const pgbenchPgCpu = ((postgresCpuSeconds(server.dataDir) - pgBefore) / transactions) * 1000;
      const spread = () => allKeys[Math.floor(Math.random() * allKeys.length)]!;
      for (const [name, pick, read] of [
        ['spread', spread, undefined],
        ['hot tenant', () => hot, undefined],
        ['GET /models, spread', spread, 'models'],
        ['GET /quota, spread', spread, 'quota'],
      ] as const) {
        if (process.env.BENCH_WORKLOADS && !process.env.BENCH_WORKLOADS.split(';').includes(name)) continue;
        const before = { app: processCpuSeconds(app.child.pid), postgres: postgresCpuSeconds(server.dataDir) };
        const batchesBefore = await batchCounts(started.url);
        const machineBefore = machineBusySeconds();
        const r = await runAutocannon(started.url, conns, pick, read);
        const machine = machineBusySeconds() - machineBefore;
        const after = { app: processCpuSeconds(app.child.pid), postgres: postgresCpuSeconds(server.dataDir) };
        const verdict = await check(c);
        const batchesAfter = await batchCounts(started.url);
        const batches = batchesAfter.batches - batchesBefore.batches;
        const perBatch = read ? '-' : (batches ? ((batchesAfter.operations - batchesBefore.operations) / batches).toFixed(1) : '0');
        const errors = r.non2xx + r.errors + r.timeouts;
        const perReq = (x: number) => ((x * 1000) / Math.max(1, r.requests.total)).toFixed(2);
        rows.push([name, String(conns), r.requests.average.toFixed(0), `${r.latency.p50} ms`, `${r.latency.p99} ms`, tps.toFixed(0), (r.requests.average / tps).toFixed(2), perBatch,
          perReq(after.app - before.app), perReq((after.postgres - before.postgres)), perReq(machine), pgbenchPgCpu.toFixed(2), pgbenchCpu.toFixed(2), errors ? `${verdict}, ${errors} errors` : verdict]);
        log(`  ${rows.at(-1)!.join(' | ')}   (load ${os.loadavg()[0]!.toFixed(1)})`);
      }
    }
    const head = ['workload', 'conns', 'req/s', 'p50', 'p99', 'pgbench -N tps', 'ratio', 'ops/batch', 'app CPU ms/req', 'PG CPU ms/req', 'machine CPU ms/req', 'PG CPU ms/pgbench tx', 'machine CPU ms/pgbench tx', 'counters = ledger, no limit passed'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
    log('');
    log(line(head));
    log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of rows) log(line(r));
    log('\nCPU columns: the app process, this run\'s PostgreSQL server, and the whole machine (autocannon or pgbench included; other');
    log("processes too when the machine is shared), per request or per pgbench transaction. Requests per second depend on what");
    log('else runs; CPU per request much less so. App instances can be added (they are stateless); PostgreSQL is the one');
    log("shared part: its CPU per request beside its CPU per pgbench transaction says how the hot path compares on it.");
    log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await app?.stop(); // a graceful stop: writes the --cpu-prof profile when BENCH_CPU_PROF asks for one
    await c.end().catch(() => {});
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
