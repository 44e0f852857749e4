// npm run bench: the realm migration on 1,000,000 legacy rows against the
// simplest possible baseline, one set-based UPDATE per table of the same rows,
// in the same process and on the same embedded PostgreSQL.
//   BENCH_ROWS (default 1000000)  BENCH_BATCH (default 1000)  BENCH_USERS (default 1000)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPrisma } from '../src/db/client.js';
import { ensureDatabase } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded-postgres.js';
import { migrateUp } from '../src/db/migrate.js';
import { REALM_KINDS } from '../src/domain/realms/realm-kinds.js';
import { ORG_ADMINS_CTE } from '../src/domain/realms/realm-migration-sql.js';
import { runRealmMigration } from '../src/domain/realms/run-realm-migration.js';
import { SYSTEM_ACTOR } from '../src/domain/shared/actor.js';
import { createProgressLine, formatRate } from '../src/cli/progress-line.js';
import { createLegacyTenants, insertLegacyRows } from './legacy-realm-rows.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const ORGS = 8;
const ZERO = '00000000-0000-0000-0000-000000000000';

const log = (s: string) => process.stdout.write(`${s}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** A fingerprint of where every realm-scoped row sits, to prove both methods agree. */
async function placement(c: pg.Client): Promise<string> {
  const parts: string[] = [];
  for (const k of REALM_KINDS) {
    const { rows } = await c.query(`SELECT count(*)::int AS n, count(realm_id)::int AS placed, sum(hashtext(id::text || coalesce(realm_id::text, '')))::text AS h FROM ${k.table}`);
    parts.push(`${k.table}:${rows[0].n}/${rows[0].placed}/${rows[0].h}`);
  }
  return parts.join(' ');
}

/** The baseline: per table, one UPDATE that puts every row without a realm into its target default realm. */
function baselineSql(table: string): string {
  // ORG_ADMINS_CTE is a Prisma.Sql without parameters: its text is plain SQL.
  return `WITH ${ORG_ADMINS_CTE.sql},
  target AS (
    SELECT d.owner_id AS user_id, d.organization_id, d.id AS realm_id FROM realms d WHERE d.is_default
    UNION ALL
    SELECT NULL, oa.organization_id, d.id FROM org_admins oa JOIN realms d ON d.owner_id = oa.id AND d.is_default AND d.organization_id = oa.organization_id)
  UPDATE ${table} t SET realm_id = m.realm_id FROM target m
  WHERE t.realm_id IS NULL AND t.organization_id = m.organization_id AND COALESCE(t.user_id, '${ZERO}') = COALESCE(m.user_id, '${ZERO}')`;
}

async function main() {
  const benchStart = performance.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-'));
  fs.chmodSync(root, 0o755); // PostgreSQL may run as the "postgres" user, which must enter it
  const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'pgdata') });
  const c = new pg.Client({ connectionString: withDatabase(server.url, 'bench') });
  let db: ReturnType<typeof createPrisma> | undefined;
  try {
    await ensureDatabase(server.url, 'bench');
    const url = withDatabase(server.url, 'bench');
    await migrateUp(url);
    await c.connect();
    log(`Realm migration benchmark: ${ROWS.toLocaleString('en')} rows, ${USERS} users in ${ORGS} organizations, batch size ${BATCH}, ${os.cpus().length} CPU(s)`);

    const gen = await timed(async () => {
      const tenants = await createLegacyTenants(c, { orgs: ORGS, usersPerOrg: Math.ceil(USERS / ORGS) });
      return insertLegacyRows(c, { rows: ROWS, orgOwnedEvery: 20, tenants, skipTriggers: true });
    });
    const total = Object.values(gen.value).reduce((a, b) => a + b, 0);
    await c.query('VACUUM ANALYZE');
    log(`generated ${total.toLocaleString('en')} rows without a realm in ${seconds(gen.ms)}`);

    db = createPrisma(url, { max: 4 });
    const progress = createProgressLine(process.stdout, { intervalMs: process.stdout.isTTY ? 200 : 10_000 });
    const migration = await timed(() =>
      runRealmMigration(db!, SYSTEM_ACTOR, { batchSize: BATCH, onProgress: (p) => void (p.phase === 'rows' && progress.update(p.rowsDone, p.rowsTotal)) }),
    );
    progress.finish();
    const r = migration.value;
    if (r.rowsMoved !== total || r.rowsLeftWithoutRealm !== 0) throw new Error(`migration moved ${r.rowsMoved} of ${total} rows`);
    const afterMigration = await placement(c);

    // Same rows, same target realms, without a realm again; vacuumed like the first time.
    const resetStart = performance.now();
    await c.query('BEGIN');
    await c.query(`SELECT set_config('app.role', 'system', true)`);
    for (const k of REALM_KINDS) await c.query(`UPDATE ${k.table} SET realm_id = NULL`);
    await c.query('DELETE FROM realm_migration_items');
    await c.query('COMMIT');
    await c.query('VACUUM ANALYZE');
    log(`reset ${total.toLocaleString('en')} rows to no realm and vacuumed in ${seconds(performance.now() - resetStart)}`);

    const baseline = await timed(async () => {
      let moved = 0;
      await c.query('BEGIN');
      await c.query(`SELECT set_config('app.role', 'system', true)`);
      for (const k of REALM_KINDS) moved += (await c.query(baselineSql(k.table))).rowCount ?? 0;
      await c.query('COMMIT');
      return moved;
    });
    if (baseline.value !== total) throw new Error(`baseline moved ${baseline.value} of ${total} rows`);
    if ((await placement(c)) !== afterMigration) throw new Error('the baseline placed rows differently from the migration');

    const migRate = (total * 1000) / migration.ms;
    const baseRate = (total * 1000) / baseline.ms;
    log('');
    log(`realm migration (batched, journaled, resumable): ${seconds(migration.ms).padStart(8)}  ${formatRate(migRate)}  (${r.realmsCreated} default realms, ${Math.ceil(total / BATCH)}+ batches)`);
    log(`baseline (one UPDATE per table, no journal):     ${seconds(baseline.ms).padStart(8)}  ${formatRate(baseRate)}`);
    log(`ratio migration/baseline: ${(migRate / baseRate).toFixed(3)}  (baseline is ${(baseRate / migRate).toFixed(1)}x faster)`);
    log(`(whole benchmark: ${seconds(performance.now() - benchStart)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  } finally {
    await db?.$disconnect().catch(() => {});
    await c.end().catch(() => {});
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
