// The data set of bench:scale: BENCH_ROWS ledger rows over DAYS days and ORGS
// organizations (5 users each, one key and realm per user, 12 models), their
// daily rollups and quota counters, and ROWS/10 audit rows. Generated in SQL
// (generate_series) in time order, so every index grows at its right edge, with
// the foreign-key and append-only triggers off for the loading session only:
// the rows reference what exists by construction.
import type pg from 'pg';
import { hashPassword } from '../src/domain/auth/password.js';

export const BENCH_PASSWORD = 'bench-password-123';

export interface BenchData {
  orgs: string[];
  /** One org admin, and a user, key, realm of that same organization. */
  admin: { email: string; organizationId: string; userId: string; apiKeyId: string; realmId: string };
  users: string[];
  keys: string[];
  realms: string[];
  models: string[];
}

const CHUNK = 1_000_000;

/** Generates the data set unless `bench_meta` says this database already holds it (BENCH_DATA_DIR reuse). */
export async function ensureBenchData(c: pg.Client, opts: { rows: number; orgs: number; days: number }, log: (s: string) => void): Promise<BenchData> {
  await c.query(`CREATE TABLE IF NOT EXISTS bench_meta (rows bigint, orgs int, days int, generated_at timestamptz)`);
  const meta = (await c.query(`SELECT rows, orgs, days FROM bench_meta`)).rows[0];
  if (meta && Number(meta.rows) === opts.rows && meta.orgs === opts.orgs && meta.days === opts.days) {
    log(`reusing the generated data set (${opts.rows.toLocaleString('en-US')} rows)`);
  } else {
    if (meta) throw new Error('BENCH_DATA_DIR holds a data set of another size: remove the folder or use another one');
    await generate(c, opts, log);
  }
  return ids(c);
}

async function generate(c: pg.Client, { rows, orgs, days }: { rows: number; orgs: number; days: number }, log: (s: string) => void): Promise<void> {
  const t0 = performance.now();
  const secs = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  await c.query(`SET session_replication_role = replica`);
  await c.query(`SET synchronous_commit = off`);
  await c.query(`SET maintenance_work_mem = '512MB'`);
  await c.query(`SET work_mem = '256MB'`); // the rollups' GROUP BY over the whole ledger stays in memory
  await c.query(`INSERT INTO organizations (name, monthly_token_quota) SELECT 'Bench org ' || lpad(i::text, 5, '0'), 50000000 FROM generate_series(1, $1) i`, [orgs]);
  const hash = await hashPassword(BENCH_PASSWORD);
  await c.query(
    `INSERT INTO users (organization_id, username, email, password_hash, role)
     SELECT o.id, 'u' || row_number() OVER (ORDER BY o.name, u), 'u' || lpad((row_number() OVER (ORDER BY o.name, u))::text, 6, '0') || '@bench.example', $1,
            CASE WHEN u = 1 THEN 'ADMIN'::"UserRole" ELSE 'USER'::"UserRole" END
       FROM organizations o, generate_series(1, 5) u`,
    [hash],
  );
  await c.query(`INSERT INTO users (username, email, password_hash, role) VALUES ('root', 'root@bench.example', $1, 'SUPERADMIN')`, [hash]);
  await c.query(`INSERT INTO realms (organization_id, owner_id, name, is_default) SELECT organization_id, id, 'Default', true FROM users WHERE organization_id IS NOT NULL`);
  await c.query(`INSERT INTO ai_models (name, provider, provider_model_id, role) SELECT 'Model ' || lpad(i::text, 2, '0'), 'bench', 'm' || i, 'chat' FROM generate_series(1, 12) i`);
  await c.query(
    `INSERT INTO api_keys (organization_id, user_id, realm_id, name, prefix, key_hash)
     SELECT u.organization_id, u.id, r.id, 'key ' || u.username, 'rgk_' || left(md5(u.id::text), 8), md5(u.id::text) || md5(u.username)
       FROM users u JOIN realms r ON r.owner_id = u.id WHERE u.organization_id IS NOT NULL`,
  );
  await c.query(`CREATE TEMP TABLE bench_keys AS SELECT (row_number() OVER (ORDER BY k.user_id) - 1)::int AS n, k.id, k.user_id, k.organization_id, k.realm_id FROM api_keys k`);
  await c.query(`CREATE TEMP TABLE bench_models AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id FROM ai_models`);
  await c.query(`ANALYZE bench_keys; ANALYZE bench_models`);
  const nKeys = Number((await c.query(`SELECT count(*) FROM bench_keys`)).rows[0].count);
  // Oldest first: row g of `rows` sits at start + g * step, so each month's partition fills in turn.
  const start = Date.now() - days * 86_400_000;
  const stepMs = (days * 86_400_000) / rows;
  // The secondary indexes are built once after the load (a sort each) rather than grown row by row.
  const indexes = (await c.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'usage_events' AND indexname <> 'usage_events_pkey'`)).rows as { indexname: string; indexdef: string }[];
  for (const i of indexes) await c.query(`DROP INDEX "${i.indexname}"`);
  for (let from = 0; from < rows; from += CHUNK) {
    const to = Math.min(rows, from + CHUNK) - 1;
    await c.query(
      `INSERT INTO usage_events (organization_id, user_id, api_key_id, realm_id, model_id, occurred_at, input_tokens, output_tokens, total_tokens, requests)
       SELECT k.organization_id, k.user_id, k.id, k.realm_id, m.id, to_timestamp(($3::float8 + g * $4::float8) / 1000), t.a, t.b, t.a + t.b, 1
         FROM generate_series($1::int, $2::int) g
         CROSS JOIN LATERAL (SELECT (random() * 800)::int AS a, (random() * 400)::int AS b, floor(random() * $5)::int AS kn, floor(random() * 12)::int AS mn, g AS gg) t
         JOIN bench_keys k ON k.n = t.kn
         JOIN bench_models m ON m.n = t.mn`,
      [from, to, start, stepMs, nKeys],
    );
    log(`  ledger: ${(to + 1).toLocaleString('en-US')} rows (${secs()})`);
  }
  // pg_indexes shows a partitioned index as "ON ONLY <table>", which would build it on the parent alone.
  for (const i of indexes) await c.query(i.indexdef.replace(' ON ONLY ', ' ON '));
  log(`  ledger indexes rebuilt (${secs()})`);
  await c.query(
    `INSERT INTO usage_daily_rollups (organization_id, day, model_id, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
     SELECT organization_id, (occurred_at AT TIME ZONE 'UTC')::date, model_id, user_id, api_key_id, sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(requests), count(*)
       FROM usage_events GROUP BY 1, 2, 3, 4, 5`,
  );
  // The dashboard's coarse rollups (migration 0019), derived from those.
  await c.query(`SELECT rg_refresh_usage_coarse_rollups(min(day), max(day)) FROM usage_daily_rollups`);
  log(`  rollups (${secs()})`);
  await c.query(
    `INSERT INTO quota_counters (organization_id, subject_type, subject_id, metric, period, period_start, limit_value, used)
     SELECT o.id, 'ORGANIZATION', o.id, 'TOKENS', 'MONTHLY', date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 50000000, coalesce(sum(r.total_tokens), 0)
       FROM organizations o LEFT JOIN usage_daily_rollups r ON r.organization_id = o.id AND r.day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date GROUP BY o.id`,
  );
  const audits = Math.max(1000, Math.floor(rows / 10));
  const users = Number((await c.query(`SELECT count(*) FROM users WHERE organization_id IS NOT NULL`)).rows[0].count);
  await c.query(
    `INSERT INTO audit_logs (organization_id, actor_id, actor_role, actor_label, action, resource, record_id, occurred_at)
     SELECT u.organization_id, u.id, 'ADMIN', u.email, CASE WHEN g % 3 = 0 THEN 'update' ELSE 'create' END, 'ApiKey', g::text,
            to_timestamp(($3::float8 + g * $4::float8) / 1000)
       FROM generate_series(1, $1) g JOIN (SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id, organization_id, email FROM users WHERE organization_id IS NOT NULL) u ON u.n = g % $2`,
    [audits, users, start, (days * 86_400_000) / audits],
  );
  log(`  audit log (${secs()})`);
  await c.query(`RESET session_replication_role`);
  await c.query('VACUUM ANALYZE');
  await c.query(`INSERT INTO bench_meta VALUES ($1, $2, $3, now())`, [rows, orgs, days]);
  log(`generated ${rows.toLocaleString('en-US')} ledger rows, their rollups, ${audits.toLocaleString('en-US')} audit rows in ${secs()}`);
}

async function ids(c: pg.Client): Promise<BenchData> {
  const col = async (sql: string) => (await c.query(sql)).rows.map((r) => r.id as string);
  const orgs = await col(`SELECT id FROM organizations ORDER BY name`);
  const users = await col(`SELECT id FROM users WHERE organization_id IS NOT NULL ORDER BY email`);
  const keys = await col(`SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id ORDER BY u.email`);
  const realms = await col(`SELECT r.id FROM realms r JOIN users u ON u.id = r.owner_id ORDER BY u.email`);
  const models = await col(`SELECT id FROM ai_models ORDER BY name`);
  // The org admin of the middle organization, and the second user of that organization with their key and realm.
  const mid = orgs[Math.floor(orgs.length / 2)]!;
  const a = (await c.query(`SELECT email FROM users WHERE organization_id = $1 AND role = 'ADMIN' LIMIT 1`, [mid])).rows[0];
  const u = (await c.query(
    `SELECT u.id AS user_id, k.id AS key_id, r.id AS realm_id FROM users u JOIN api_keys k ON k.user_id = u.id JOIN realms r ON r.owner_id = u.id
      WHERE u.organization_id = $1 AND u.role = 'USER' ORDER BY u.email LIMIT 1`,
    [mid],
  )).rows[0];
  return { orgs, users, keys, realms, models, admin: { email: a.email, organizationId: mid, userId: u.user_id, apiKeyId: u.key_id, realmId: u.realm_id } };
}
