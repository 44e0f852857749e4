import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALM_KINDS } from '../../src/domain/realms/realm-kinds.js';
import { emptyDatabase, freshDatabase, type TestDatabase } from '../setup/test-database.js';
import { analyzeRealmTables, createLegacyTenants, insertLegacyRows } from '../../bench/legacy-realm-rows.js';
import { runCli, startCli } from './run-cli.js';

// `npm run realmgate -- realms ...` as an operator runs it, on ~20k legacy rows:
// killed mid-run and run again, interrupted with Ctrl-C, rolled back.

let t: TestDatabase;
let owner: pg.Client;
let total = 0;
let env: Record<string, string>;
const q = async (sql: string, params: unknown[] = []) => (await owner.query(sql, params)).rows;
const nullRows = async () => Number((await q(`SELECT ${REALM_KINDS.map((k) => `(SELECT count(*) FROM ${k.table} WHERE realm_id IS NULL)`).join(' + ')} AS n`))[0]!.n);
const PROGRESS = /\] (\d+)\/(\d+) rows/;

async function assertFullyMigrated() {
  expect(await nullRows()).toBe(0);
  expect(await q(`SELECT owner_id FROM realms WHERE is_default GROUP BY owner_id HAVING count(*) > 1`)).toEqual([]);
  const [{ n: homeless }] = await q(`SELECT count(*)::int AS n FROM users u WHERE NOT EXISTS (SELECT 1 FROM realms r WHERE r.owner_id = u.id AND r.is_default)`);
  expect(homeless).toBe(0);
  const [{ n: journal }] = await q(`SELECT count(*)::int AS n FROM realm_migration_items`);
  expect(journal).toBe(total);
  for (const k of REALM_KINDS) {
    const [{ n: off }] = await q(`SELECT count(*)::int AS n FROM realm_migration_items i JOIN ${k.table} t ON t.id = i.row_id WHERE i.kind = '${k.kind}' AND i.realm_id IS DISTINCT FROM t.realm_id`);
    expect(off).toBe(0);
  }
}

beforeAll(async () => {
  t = await freshDatabase('realmgate_cli');
  env = { DATABASE_URL: t.url, LOG_LEVEL: 'warn' };
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  const tenants = await createLegacyTenants(owner, { orgs: 5, usersPerOrg: 20 });
  const counts = await insertLegacyRows(owner, { rows: 20_000, orgOwnedEvery: 11, tenants });
  total = Object.values(counts).reduce((a, b) => a + b, 0);
  await analyzeRealmTables(owner);
}, 180_000);
afterAll(async () => {
  await owner?.end();
  await t?.drop();
});

describe('realmgate realms (CLI)', () => {
  it('refuses to work on a database with pending migrations', async () => {
    const empty = await emptyDatabase('realmgate_cli_empty');
    try {
      const r = await runCli(['realms', 'status'], { DATABASE_URL: empty.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/migrations are pending.*npm run migrate -- up/);
    } finally {
      await empty.drop();
    }
  });

  it('dry run prints per-user counts and totals and changes nothing', async () => {
    const r = await runCli(['realms', 'migrate', '--dry-run'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dry run: nothing was changed');
    expect(r.stdout).toContain(`Would move ${total} rows`);
    expect(r.stdout).toMatch(/Would create 100 default realm/);
    expect(await nullRows()).toBe(total);
    expect(await q('SELECT id FROM realms')).toEqual([]);
  });

  it('killed mid-run (SIGKILL), then run again: finishes with no duplicate realm, no row missed, journal whole', async () => {
    const first = startCli(['realms', 'migrate', '--batch-size', '500'], env);
    const m = await first.waitFor(PROGRESS);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(Number(m[2])).toBe(total);

    const [run] = await q(`SELECT id, status, rows_done, rows_total FROM realm_migration_runs`);
    expect(run).toMatchObject({ status: 'RUNNING', rows_total: total });
    expect(run!.rows_done).toBeGreaterThan(0);
    expect(run!.rows_done).toBeLessThan(total);
    // Progress, journal and data moved together, batch by batch.
    const [{ n: journal }] = await q(`SELECT count(*)::int AS n FROM realm_migration_items`);
    expect(journal).toBe(run!.rows_done);
    expect(await nullRows()).toBe(total - run!.rows_done);

    const status = await runCli(['realms', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/interrupted/);

    const again = await runCli(['realms', 'migrate', '--batch-size', '500'], env);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Resumed and completed run ${run!.id}: ${total}/${total} rows`);
    await assertFullyMigrated();
    expect(await q(`SELECT status, rows_done, rows_total FROM realm_migration_runs`)).toEqual([{ status: 'COMPLETED', rows_done: total, rows_total: total }]);

    const idle = await runCli(['realms', 'migrate'], env);
    expect(idle.code).toBe(0);
    expect(idle.stdout).toMatch(/moved 0 rows/);
  }, 180_000);

  it('rolls back, stops cleanly on Ctrl-C with a resume hint, and resumes', async () => {
    const back = await runCli(['realms', 'rollback', '--batch-size', '2000'], env, 120_000);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`${total} row\\(s\\) back to no realm, 100 default realm\\(s\\) removed`));
    expect(await nullRows()).toBe(total);
    expect(await q('SELECT id FROM realms')).toEqual([]);

    const p = startCli(['realms', 'migrate', '--batch-size', '200'], env);
    await p.waitFor(PROGRESS);
    p.child.kill('SIGINT');
    const { code } = await p.finished(60_000);
    expect(code).toBe(1);
    expect(p.stderr()).toMatch(/Stopped after \d+ of \d+ rows \(run [0-9a-f-]+\)\. Resume with: npm run realmgate -- realms migrate/);
    expect(await nullRows()).toBeGreaterThan(0);

    const again = await runCli(['realms', 'migrate', '--batch-size', '2000'], env, 120_000);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Resumed and completed/);
    await assertFullyMigrated();
  }, 300_000);

  it('rejects bad options with exit code 1', async () => {
    const r = await runCli(['realms', 'migrate', '--batch-size', '0'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/batch-size/);
  });
});
