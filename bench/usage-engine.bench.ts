// npm run bench:engine: the hot path's engine alone (src/domain/usage, no HTTP),
// so that what a batch costs in PostgreSQL can be told apart from what Express
// costs per request. Drives recordUsage with N concurrent callers for a few
// seconds, spread over 1,000 keys and on one hot key, and prints operations per
// second, batch sizes and CPU per operation of this process and of PostgreSQL.
//   BENCH_SECONDS (default 5)   BENCH_CONCURRENCY (default 32)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded-postgres.js';
import { migrateUp } from '../src/db/migrate.js';
import { recordUsage } from '../src/domain/usage/record-usage.js';
import { UsageEngine } from '../src/domain/usage/usage-engine.js';
import type { Actor } from '../src/domain/shared/actor.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const log = (s: string) => process.stdout.write(`${s}\n`);

/**
 * CPU seconds of this process and of this benchmark's PostgreSQL only (other
 * clusters on a shared machine are not counted): the postmaster's own time and
 * that of its children it has reaped (utime, stime, cutime, cstime), plus the
 * time of its children alive now. A backend that exits between two readings
 * moves from the second sum to the first, so the total only grows.
 */
function cpu(postmaster: number): { self: number; postgres: number } {
  let postgres = 0;
  const fields = (pid: string | number) => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  try {
    const f = fields(postmaster);
    postgres += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch { /* gone */ }
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const f = fields(pid);
      if (Number(f[1]) === postmaster) postgres += (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* gone */ }
  }
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1e6, postgres };
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-engine-'));
  fs.chmodSync(root, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'pgdata') });
  const postmaster = Number(fs.readFileSync(path.join(root, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
  let engine: UsageEngine | undefined;
  try {
    await ensureDatabase(server.url, 'bench');
    const url = withDatabase(server.url, 'bench');
    await migrateUp(url);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const model = crypto.randomUUID();
    await c.query(`INSERT INTO ai_models (id, name, provider, provider_model_id, role) VALUES ($1, 'Bench model', 'openai', 'bench-model', 'chat')`, [model]);
    const actors: Actor[] = [];
    for (let o = 0; o < 100; o++) {
      const orgId = crypto.randomUUID();
      await c.query(`INSERT INTO organizations (id, name, pricing_plan, monthly_token_quota, monthly_api_call_quota) VALUES ($1, $2, 'ENTERPRISE', 10000000000, 100000000)`, [orgId, `Bench org ${o}`]);
      await c.query(`INSERT INTO organization_model_access (organization_id, model_id, is_enabled_for_users, first_enabled_at) VALUES ($1, $2, true, now())`, [orgId, model]);
      const ids = Array.from({ length: 10 }, () => crypto.randomUUID());
      await c.query(`INSERT INTO api_keys (id, organization_id, name, prefix, key_hash, type, scopes, max_tokens, rate_limit_per_minute)
        SELECT id, $1, 'bench', 'rgk_bench', md5(id::text), 'GATEWAY', ARRAY['usage:write'], 1000000000, 1000000 FROM unnest($2::uuid[]) AS id`, [orgId, ids]);
      for (const id of ids) actors.push({ kind: 'api-key', apiKeyId: id, organizationId: orgId, userId: null, scopes: ['usage:write'] });
    }
    await c.end();
    engine = new UsageEngine({ databaseUrl: url, maxInFlight: Number(process.env.BENCH_IN_FLIGHT ?? 4) });
    const e = engine;
    const call = (a: Actor) => recordUsage(e, a, { model: 'bench-model', inputTokens: 12, outputTokens: 30, idempotencyKey: crypto.randomUUID() });
    for (let i = 0; i < actors.length; i += 32) await Promise.all(actors.slice(i, i + 32).map(call)); // rows and catalogs, as in steady state

    log(`Engine benchmark: ${actors.length} keys, ${CONCURRENCY} concurrent callers, ${SECONDS} s per run, ${os.cpus().length} CPU(s), load ${os.loadavg()[0]!.toFixed(1)}`);
    for (const [name, pick] of [['spread', () => actors[Math.floor(Math.random() * actors.length)]!], ['hot tenant', () => actors[0]!]] as const) {
      const before = cpu(postmaster);
      const b0 = { ...e.stats };
      const until = Date.now() + SECONDS * 1000;
      let done = 0;
      const lat: number[] = [];
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < until) {
          const t = performance.now();
          await call(pick());
          lat.push(performance.now() - t);
          done++;
        }
      }));
      const after = cpu(postmaster);
      lat.sort((a, b) => a - b);
      const batches = e.stats.batches - b0.batches;
      log(`  ${name.padEnd(10)} ${(done / SECONDS).toFixed(0).padStart(6)} ops/s  p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(1)} ms  p99 ${lat[Math.floor(lat.length * 0.99)]!.toFixed(1)} ms  ` +
        `${(done / Math.max(1, batches)).toFixed(1)} ops/batch  CPU/op: engine ${(((after.self - before.self) * 1000) / done).toFixed(3)} ms, PostgreSQL ${(((after.postgres - before.postgres) * 1000) / done).toFixed(3)} ms  retries ${e.stats.retries - b0.retries}`);
    }
  } finally {
    await engine?.close();
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
