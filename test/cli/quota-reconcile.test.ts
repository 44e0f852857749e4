import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/seed/seed-demo.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';
import { freshDatabase, type TestDatabase } from '../setup/test-database.js';
import { runCli } from './run-cli.js';

// "Figures that agree" (issue #10): the demo seed builds its quota counters
// from the ledger, and `npm run realmgate -- quota reconcile [--fix]` finds
// (and repairs, audited) any counter that differs from the ledger's sum.

let t: TestDatabase;
let owner: pg.Client;
let env: Record<string, string>;
const q = async (sql: string, params: unknown[] = []) => (await owner.query(sql, params)).rows;

beforeAll(async () => {
  t = await freshDatabase('quota_reconcile');
  env = { DATABASE_URL: t.url, LOG_LEVEL: 'warn' };
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  await seedDemo(t.db, SYSTEM_ACTOR, { adminEmail: 'admin@reconcile.test', withDemoData: true });
}, 180_000);
afterAll(async () => {
  await owner?.end();
  await t?.drop();
});

describe('quota counters after the demo seed', () => {
  it("every organization's monthly API calls and tokens equal the ledger's sums this month", async () => {
    const rows = await q(`
      SELECT o.name, c.metric, c.used::text AS used,
             (SELECT CASE WHEN c.metric = 'TOKENS' THEN sum(total_tokens) ELSE sum(requests) END FROM usage_events e
               WHERE e.organization_id = o.id AND e.occurred_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::text AS ledger
        FROM organizations o JOIN quota_counters c ON c.subject_id = o.id AND c.subject_type = 'ORGANIZATION' AND c.period = 'MONTHLY'
         AND c.period_start = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`);
    expect(rows.length).toBeGreaterThan(4);
    expect(rows.filter((r) => r.metric === 'API_CALLS').length).toBe(rows.filter((r) => r.metric === 'TOKENS').length);
    for (const r of rows) expect(r.used, `${r.name} ${r.metric}`).toBe(r.ledger);
  });

  it('users have per-model counters and keys have token and request counters', async () => {
    const [{ users, keys }] = await q(`SELECT count(*) FILTER (WHERE subject_type = 'USER' AND model_id IS NOT NULL AND used > 0)::int AS users,
                                              count(*) FILTER (WHERE subject_type = 'API_KEY' AND used > 0)::int AS keys FROM quota_counters`);
    expect(users).toBeGreaterThan(5);
    expect(keys).toBeGreaterThan(2);
  });
});

describe('realmgate quota reconcile (CLI)', () => {
  it('right after the seed finds no difference', async () => {
    const r = await runCli(['quota', 'reconcile'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^No differences: \d+ counter slot\(s\) agree with the ledger\.$/m);
  });

  it('reports a drifted and a missing counter (exit 2), repairs both with --fix (audited), then finds none', async () => {
    const [drifted] = await q(`SELECT id, used::text AS used FROM quota_counters WHERE subject_type = 'USER' AND used > 0 AND period_start = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' LIMIT 1`);
    await q(`UPDATE quota_counters SET used = 0 WHERE id = $1`, [drifted.id]);
    const [gone] = await q(`DELETE FROM quota_counters WHERE subject_type = 'API_KEY' AND metric = 'REQUESTS' AND used > 0
                             AND period_start = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                             AND id = (SELECT id FROM quota_counters WHERE subject_type = 'API_KEY' AND metric = 'REQUESTS' AND used > 0
                                       AND period_start = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' LIMIT 1)
                           RETURNING subject_id, used::text AS used`);

    const report = await runCli(['quota', 'reconcile'], env);
    expect(report.code, report.stderr).toBe(2);
    expect(report.stdout).toContain(`counter 0, ledger ${drifted.used}`);
    expect(report.stdout).toContain(`api key ${gone.subject_id} requests (monthly from `);
    expect(report.stdout).toMatch(/2 difference\(s\) in \d+ slot\(s\)\. Repair with: npm run realmgate -- quota reconcile --fix/);

    const fix = await runCli(['quota', 'reconcile', '--fix'], env);
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.stdout).toMatch(/repaired 2 \(audited as quota\.reconcile\)/);
    expect((await q(`SELECT used::text AS used FROM quota_counters WHERE id = $1`, [drifted.id]))[0].used).toBe(drifted.used);
    expect((await q(`SELECT used::text AS used FROM quota_counters WHERE subject_id = $1 AND metric = 'REQUESTS' AND period = 'MONTHLY' ORDER BY period_start DESC LIMIT 1`, [gone.subject_id]))[0].used).toBe(gone.used);
    const audits = await q(`SELECT actor_role, changes FROM audit_logs WHERE action = 'quota.reconcile'`);
    expect(audits).toHaveLength(2);
    expect(audits.every((a) => a.actor_role === 'SYSTEM')).toBe(true);

    const again = await runCli(['quota', 'reconcile'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^No differences/m);
  });
});
