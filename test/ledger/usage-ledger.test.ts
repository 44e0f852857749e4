import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createOrg, createUser } from '../support/factories.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';
import { ensureUsagePartitions, listUsagePartitions } from '../../src/domain/ledger/usage-partitions.js';
import { applyRetention } from '../../src/domain/ledger/apply-retention.js';
import { recordRefusal } from '../../src/domain/ledger/record-refusal.js';
import { asSystem } from '../../src/domain/seed/system-transaction.js';
import { seedDemo } from '../../src/domain/seed/seed-demo.js';
import { runCli } from '../cli/run-cli.js';

// The partitioned ledger (0012_scale): partitions made ahead by the app (also
// by racing instances through the app login), retention by whole partitions
// with rollups kept, chat text retention, refusal counts, and the rollup
// rebuild compared with the rollups written alongside the ledger.

let t: AppDatabase;
let owner: pg.Client;
const q = async <T = any>(sql: string, params: unknown[] = []) => (await owner.query(sql, params)).rows as T[];
const monthsFromNow = (n: number) => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
};
const partName = (d: Date) => `usage_events_p${d.toISOString().slice(0, 7).replace('-', '')}`;

beforeAll(async () => {
  t = await appDatabase('usage_ledger');
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  await seedDemo(t.db, SYSTEM_ACTOR, { adminEmail: 'root@example.test', adminPassword: 'root-password-123', demoPassword: 'demo-password-123', withDemoData: true });
}, 180_000);
afterAll(async () => {
  await owner?.end();
  await t?.drop();
});

describe('usage_events is partitioned by month', () => {
  it('moved existing rows into monthly partitions and covers the months ahead', async () => {
    const [{ kind }] = await q(`SELECT relkind::text AS kind FROM pg_class WHERE oid = 'usage_events'::regclass`);
    expect(kind).toBe('p');
    const parts = await listUsagePartitions(t.db);
    expect(parts.map((p) => p.name)).toContain(partName(monthsFromNow(3)));
    const [{ n }] = await q(`SELECT count(*)::int AS n FROM usage_events`);
    expect(n).toBeGreaterThan(100); // the demo seed's 90 days
    const [{ only }] = await q(`SELECT count(*)::int AS only FROM ONLY usage_events`);
    expect(only).toBe(0);
  });

  it('the app login creates missing partitions; racing instances create each exactly once', async () => {
    const far = monthsFromNow(14);
    const insert = () => q(`INSERT INTO usage_events (organization_id, occurred_at, total_tokens) SELECT id, $1, 1 FROM organizations LIMIT 1`, [far]);
    await expect(asSystem(t.db, (tx) => tx.$executeRawUnsafe(`INSERT INTO usage_events (organization_id, occurred_at) SELECT id, $1::timestamptz FROM organizations LIMIT 1`, far.toISOString()))).rejects.toThrow(/no partition/);
    // Eight "instances" through the app login (no table ownership), at once.
    const created = await Promise.all(Array.from({ length: 8 }, () => t.app.$transaction(async (tx) => ensureUsagePartitions(tx, SYSTEM_ACTOR, { from: far, months: 2 }))));
    expect(created.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await ensureUsagePartitions(t.app, SYSTEM_ACTOR, { from: far, months: 2 })).toBe(0);
    await q(`SET app.role = 'system'`);
    await insert();
    await q(`RESET app.role`);
    const [{ relrowsecurity, relforcerowsecurity }] = await q(`SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = $1`, [partName(far)]);
    expect([relrowsecurity, relforcerowsecurity]).toEqual([true, true]);
  });

  it('refuses nonsense and never lets the app drop partitions', async () => {
    await expect(ensureUsagePartitions(t.app, SYSTEM_ACTOR, { months: 0 })).rejects.toMatchObject({ code: 'INVALID' });
    await expect(t.app.$queryRawUnsafe(`SELECT rg_drop_usage_partitions('2000-01-01')`)).rejects.toThrow(/permission denied/);
  });
});

describe('retention', () => {
  it('drops whole old partitions (rollups stay) and blanks old chat text (rows stay)', async () => {
    const old = monthsFromNow(-20);
    await ensureUsagePartitions(t.db, SYSTEM_ACTOR, { from: old, months: 1 });
    const org = await asSystem(t.db, (tx) => createOrg(tx as any));
    const user = await asSystem(t.db, (tx) => createUser(tx as any, org, 'USER'));
    await q(`SET app.role = 'system'`);
    await q(`INSERT INTO usage_events (organization_id, user_id, occurred_at, total_tokens) VALUES ($1, $2, $3, 70), ($1, $2, now(), 5)`, [org.id, user.id, old]);
    await q(`INSERT INTO usage_daily_rollups (organization_id, user_id, day, total_tokens, requests, events) VALUES ($1, $2, $3, 70, 1, 1), ($1, $2, (now() AT TIME ZONE 'UTC')::date, 5, 1, 1)`, [org.id, user.id, old]);
    await q(`SELECT rg_refresh_usage_coarse_rollups($1, (now() AT TIME ZONE 'UTC')::date)`, [old]);
    const [session] = await q(`INSERT INTO chat_sessions (organization_id, user_id, title) VALUES ($1, $2, 'kept') RETURNING id`, [org.id, user.id]);
    await q(
      `INSERT INTO chat_messages (organization_id, session_id, user_id, role, content, tokens, created_at)
       VALUES ($1, $2, $3, 'USER', 'old secret text', 9, now() - interval '40 days'), ($1, $2, $3, 'USER', 'fresh text', 3, now())`,
      [org.id, session.id, user.id],
    );
    await q(`RESET app.role`);

    const r = await applyRetention(t.db, SYSTEM_ACTOR, { usageRetentionMonths: 12, chatContentRetentionDays: 30 });
    expect(r.droppedPartitions).toContain(partName(old));
    expect(r.droppedPartitions).not.toContain(partName(monthsFromNow(-11)));
    expect(r.blankedMessages).toBeGreaterThanOrEqual(1);
    await q(`SET app.role = 'system'`);
    const events = await q(`SELECT total_tokens FROM usage_events WHERE organization_id = $1 ORDER BY occurred_at`, [org.id]);
    expect(events.map((e) => e.total_tokens)).toEqual([5]);
    const rollups = await q(`SELECT total_tokens::int FROM usage_daily_rollups WHERE organization_id = $1 ORDER BY day`, [org.id]);
    expect(rollups).toEqual([{ total_tokens: 70 }, { total_tokens: 5 }]);
    const coarse = await q(`SELECT total_tokens::int FROM usage_daily_model_rollups WHERE organization_id = $1 ORDER BY day`, [org.id]);
    expect(coarse).toEqual([{ total_tokens: 70 }, { total_tokens: 5 }]);
    const messages = await q(`SELECT content, tokens FROM chat_messages WHERE session_id = $1 ORDER BY created_at`, [session.id]);
    expect(messages).toEqual([{ content: '', tokens: 9 }, { content: 'fresh text', tokens: 3 }]);
    await q(`RESET app.role`);
    await expect(applyRetention(t.db, { kind: 'user', userId: user.id, organizationId: org.id, role: 'ADMIN' }, { usageRetentionMonths: 1, chatContentRetentionDays: null })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(applyRetention(t.db, SYSTEM_ACTOR, { usageRetentionMonths: 0, chatContentRetentionDays: null })).rejects.toMatchObject({ code: 'INVALID' });
  });
});

describe('refusal counts', () => {
  it('one row per organization, day and limit, added to by one UPSERT, within the tenant', async () => {
    const [{ id: org }] = await q(`SELECT id FROM organizations WHERE name LIKE 'Acme%'`);
    const gateway = { role: 'USER', orgId: org, userId: null };
    const { withTenant } = await import('../../src/db/tenant-context.js');
    await withTenant(gateway as any, () => t.app.$transaction((tx) => recordRefusal(tx, { organizationId: org, code: 'TOKENS_MONTHLY', count: 3 })));
    await withTenant(gateway as any, () => t.app.$transaction((tx) => recordRefusal(tx, { organizationId: org, code: 'TOKENS_MONTHLY' })));
    const [{ id: other }] = await q(`SELECT id FROM organizations WHERE name LIKE 'Northwind%'`);
    await expect(withTenant(gateway as any, () => t.app.$transaction((tx) => recordRefusal(tx, { organizationId: other, code: 'X' })))).rejects.toThrow(/row-level security/);
    await q(`SET app.role = 'system'`);
    expect(await q(`SELECT code, count::int FROM usage_refusals WHERE organization_id = $1`, [org])).toEqual([{ code: 'TOKENS_MONTHLY', count: 4 }]);
    await q(`RESET app.role`);
  });
});

describe('npm run realmgate -- usage rebuild-rollups', () => {
  const snapshot = () =>
    q(`SELECT organization_id, day::text, model_id, user_id, api_key_id, input_tokens::text, output_tokens::text, total_tokens::text, requests::text, events::text
         FROM usage_daily_rollups WHERE day >= current_date - 100 ORDER BY 1, 2, 3, 4, 5`);
  // The dashboard's coarse rollups (0019), as the seed and the batch write keep them.
  const coarse = async () => ({
    models: await q(`SELECT organization_id, day::text, model_id, input_tokens::text, output_tokens::text, total_tokens::text, requests::text, events::text
                       FROM usage_daily_model_rollups WHERE day >= current_date - 100 ORDER BY 1, 2, 3`),
    keys: await q(`SELECT organization_id, day::text, user_id, api_key_id, input_tokens::text, output_tokens::text, total_tokens::text, requests::text, events::text
                     FROM usage_daily_key_rollups WHERE day >= current_date - 100 ORDER BY 1, 2, 3, 4`),
  });

  it('rebuilds exactly the rollups written with the ledger, after they were damaged', async () => {
    await q(`SET app.role = 'system'`);
    const live = await snapshot();
    const liveCoarse = await coarse();
    expect(live.length).toBeGreaterThan(50);
    expect(liveCoarse.models.length).toBeGreaterThan(20);
    expect(liveCoarse.keys.length).toBeGreaterThan(20);
    // The coarse rows are the daily rows summed: same tokens in all three.
    const total = (rows: { total_tokens: string }[]) => rows.reduce((a, r) => a + BigInt(r.total_tokens), 0n);
    expect(total(liveCoarse.models)).toBe(total(live));
    expect(total(liveCoarse.keys)).toBe(total(live));
    await q(`DELETE FROM usage_daily_rollups WHERE day = current_date - 3`);
    await q(`UPDATE usage_daily_rollups SET total_tokens = total_tokens + 999 WHERE day = current_date - 5`);
    await q(`DELETE FROM usage_daily_model_rollups WHERE day = current_date - 4`);
    await q(`UPDATE usage_daily_key_rollups SET requests = requests + 7 WHERE day = current_date - 6`);
    expect(await snapshot()).not.toEqual(live);
    expect(await coarse()).not.toEqual(liveCoarse);
    const r = await runCli(['usage', 'rebuild-rollups', '--from', new Date(Date.now() - 100 * 86_400_000).toISOString().slice(0, 10)], { DATABASE_URL: t.url, LOG_LEVEL: 'warn' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rebuilt 10\d day\(s\) from .* rollup row\(s\)/);
    expect(await snapshot()).toEqual(live);
    expect(await coarse()).toEqual(liveCoarse);
    await q(`RESET app.role`);
  }, 120_000);

  it('refuses a bad date', async () => {
    const r = await runCli(['usage', 'rebuild-rollups', '--from', '2024-13-45'], { DATABASE_URL: t.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/YYYY-MM-DD/);
  });
});
