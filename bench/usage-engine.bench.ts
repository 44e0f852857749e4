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
import { postgresCpuSeconds, processCpuSeconds } from './support/process-cpu.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const log = (s: string) => process.stdout.write(`${s}\n`);

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-engine-'));
  fs.chmodSync(root, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'pgdata') });
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
    engine = new UsageEngine({ databaseUrl: url, maxInFlight: Number(process.env.BENCH_IN_FLIGHT ?? 2) });
    const e = engine;
    const call = (a: Actor) => recordUsage(e, a, { model: 'bench-model', inputTokens: 12, outputTokens: 30, idempotencyKey: crypto.randomUUID() });
    for (let i = 0; i < actors.length; i += 32) await Promise.all(actors.slice(i, i + 32).map(call)); // rows and catalogs, as in steady state

    log(`Engine benchmark: ${actors.length} keys, ${CONCURRENCY} concurrent callers, ${SECONDS} s per run, ${os.cpus().length} CPU(s), load ${os.loadavg()[0]!.toFixed(1)}`);
    for (const [name, pick] of [['spread', () => actors[Math.floor(Math.random() * actors.length)]!], ['hot tenant', () => actors[0]!]] as const) {
      const before = { self: processCpuSeconds(process.pid), postgres: postgresCpuSeconds(server.dataDir) };
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
      const after = { self: processCpuSeconds(process.pid), postgres: postgresCpuSeconds(server.dataDir) };
      lat.sort((a, b) => a - b);
      const batches = e.stats.batches - b0.batches;
      log(`  ${name.padEnd(10)} ${(done / SECONDS).toFixed(0).padStart(6)} ops/s  p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(1)} ms  p99 ${lat[Math.floor(lat.length * 0.99)]!.toFixed(1)} ms  ` +
        `${(done / Math.max(1, batches)).toFixed(1)} ops/batch  CPU/op: engine ${(((after.self - before.self) * 1000) / done).toFixed(3)} ms, PostgreSQL ${(((after.postgres - before.postgres) * 1000) / done).toFixed(3)} ms  retries ${e.stats.retries - b0.retries}`);
    }
    // Counter and rollup rows are updated over and over: an update that finds room on its
    // page is HOT (no index entries); one that does not writes every index of the table.
    const stats = new pg.Client({ connectionString: withDatabase(server.url, 'bench') });
    await stats.connect();
    const hot = await stats.query<{ relname: string; upd: string; hot: string }>(
      `SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE n_tup_upd > 0 ORDER BY n_tup_upd DESC LIMIT 6`,
    );
    await stats.end();
    log(`  HOT updates: ${hot.rows.map((r) => `${r.relname} ${((100 * Number(r.hot)) / Number(r.upd)).toFixed(0)}% of ${r.upd}`).join(', ')}`);
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
