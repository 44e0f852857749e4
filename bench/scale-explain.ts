// bench:scale's plan check: EXPLAIN (ANALYZE, BUFFERS) of the queries behind
// a screen, on a data set bench:scale kept in BENCH_DATA_DIR, as the owner
// (no row-level security) or, with an organization, as the org admin on the
// tenant login. Usage: node --import tsx bench/scale-explain.ts <sql file>
// (statements separated by lines holding only ";"; $ORG is the org admin's
// organization, $DAY30 / $DAY7 the first day of a 30 / 7-day window, $MONTH
// this month's; a statement starting "RLS:" runs as realmgate_app with the org
// admin's settings; one starting "DO:" is run and kept). PLANS=1 prints the whole plans,
// NOSORT=1 runs them with enable_sort off, as the ledger lists do.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded-postgres.js';

const dir = path.resolve(process.env.BENCH_DATA_DIR ?? '');
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pgdata'), password: 'bench-postgres-password' });
const c = new pg.Client({ connectionString: withDatabase(server.url, 'bench') });
try {
  await c.connect();
  const orgs = (await c.query(`SELECT id FROM organizations ORDER BY name`)).rows.map((r) => r.id as string);
  const org = orgs[Math.floor(orgs.length / 2)]!;
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  const month = new Date().toISOString().slice(0, 8) + '01';
  const text = fs.readFileSync(process.argv[2]!, 'utf8');
  for (const raw of text.split(/^;\s*$/m).map((s) => s.trim()).filter(Boolean)) {
    // "RLS:" first: run as the tenant login's role with the org admin's settings (policies on).
    const rls = raw.startsWith('RLS:');
    const sql = raw.replace(/^RLS:/, '').replaceAll('$ORG', `'${org}'`).replaceAll('$DAY30', `'${day(29)}'`).replaceAll('$DAY7', `'${day(6)}'`).replaceAll('$MONTH', `'${month}'`);
    if (raw.startsWith('DO:')) {
      // "DO:" first: run it and keep it (an index to try, ANALYZE...).
      const t0 = performance.now();
      await c.query(sql.replace(/^DO:/, ''));
      process.stdout.write(`\n== ${sql.slice(3, 160)}\n   done in ${(performance.now() - t0).toFixed(0)} ms\n`);
      continue;
    }
    await c.query('BEGIN');
    if (process.env.NOSORT) await c.query('SET LOCAL enable_sort = off'); // as a ledger page's transaction (ledger-list-action.ts)
    if (rls) await c.query(`SET LOCAL ROLE realmgate_app; SELECT set_config('app.org_id', '${org}', true), set_config('app.role', 'ADMIN', true)`);
    const plan = (await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`)).rows.map((r) => r['QUERY PLAN'] as string);
    await c.query('ROLLBACK');
    const exec = plan.find((l) => l.startsWith('Execution Time'));
    process.stdout.write(`\n== ${rls ? '(RLS) ' : ''}${sql.replace(/\s+/g, ' ').slice(0, 160)}\n   ${exec}\n${process.env.PLANS ? plan.map((l) => `   ${l}`).join('\n') + '\n' : ''}`);
  }
} finally {
  await c.end().catch(() => {});
  await server.stop();
}
