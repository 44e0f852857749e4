import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageEngine, recordUsage, holdReservation, settleReservation } from '../../src/domain/usage/index.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { usageTenant } from '../support/usage-fixtures.js';

// The hot path's PL/pgSQL functions keep each statement's plan for the
// connection's life, so a plan made while a table is small is the plan for good
// (migration 0023). Here the tables are as small as they get, which is when a
// planner left to its statistics picks sequential scans; PostgreSQL's
// auto_explain reports every plan the functions run, and none may read a table
// whole.

let t: AppDatabase;
let engine: UsageEngine;
const plans: string[] = [];

beforeAll(async () => {
  t = await appDatabase('hot_path_plans');
  // auto_explain for every session of this database (set by the superuser, so
  // it applies to the system login too), each plan sent to the client as a notice.
  const su = new pg.Client({ connectionString: t.url });
  await su.connect();
  const db = (await su.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
  for (const [k, v] of [['session_preload_libraries', 'auto_explain'], ['auto_explain.log_min_duration', '0'], ['auto_explain.log_nested_statements', 'on'], ['auto_explain.log_level', 'notice']]) {
    await su.query(`ALTER DATABASE "${db}" SET ${k} = '${v}'`);
  }
  await su.end();
  engine = new UsageEngine({ databaseUrl: t.systemUrl });
  engine.pool.on('connect', (c) => c.on('notice', (n) => plans.push(String(n.message))));
});
afterAll(async () => {
  await engine?.close();
  await t?.drop();
});

/** Whether a plan is of a statement inside the batch functions: its text names their arguments, never values. */
const inBatchFunctions = (p: string) => /\b(targeted_ids|counter_ids|key_ids|org_ids|c_org|e_id|d_org)\b/.test(p);

/** The index scans of the hot path's tables in `plans`, each with the two plan lines after it. */
const indexScans = (plans: string[]) => plans.flatMap((p) => {
  const lines = p.split('\n');
  return lines.flatMap((l, i) => (/(Index Scan|Index Only Scan) using \w+ on (usage_reservations|quota_counters|api_key_rate_windows|usage_idempotency_keys)\b|Bitmap Index Scan on (usage_reservations|quota_counters|api_key_rate_windows|usage_idempotency_keys)/.test(l)
    ? [{ scan: l.trim(), next: (lines[i + 1] ?? '').trim(), after: (lines[i + 2] ?? '').trim() }] : []));
});

/** A scan without its condition in the index (a whole index read) or that fetches rows only to filter them out. */
const filtersRows = (s: { next: string; after: string }) => !s.next.startsWith('Index Cond:') || s.after.startsWith('Filter:');

/** Tables a plan reads whole. */
const seqScans = (ps: string[]) => [...new Set(ps.flatMap((p) => [...p.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!)))];

describe('the hot path on small tables', () => {
  it('reads and writes every table of a batch by index, also once the plans are cached', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 1_000_000n, monthlyApiCallQuota: 1000 });
    const key = await tenant.key({ owned: true, maxTokens: 100_000, rateLimitPerMinute: 1000 });
    // One at a time: every call is a batch of its own, past the five custom plans PL/pgSQL makes before it keeps a generic one.
    for (let i = 0; i < 8; i++) {
      await recordUsage(engine, key, { model: tenant.model.id, inputTokens: 5, outputTokens: 5, idempotencyKey: `plans-${i}` });
      const hold = await holdReservation(engine, key, { model: tenant.model.id, estimatedTokens: 20, idempotencyKey: `hold-${i}` });
      await settleReservation(engine, key, { reservationId: hold.value.id, inputTokens: 3, outputTokens: 4 });
    }
    const batch = plans.filter((p) => /rg_usage_batch_(lock|write)|quota_counters|usage_events/.test(p));
    expect(batch.length).toBeGreaterThan(40);
    expect(seqScans(batch)).toEqual([]);
  });

  it('plans the batch functions once per connection: generic plans, no call planned with its values (migration 0024)', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 1_000_000n, monthlyApiCallQuota: 1000 });
    const key = await tenant.key({ owned: true, maxTokens: 100_000, rateLimitPerMinute: 1000 });
    plans.length = 0;
    for (let i = 0; i < 8; i++) await recordUsage(engine, key, { model: tenant.model.id, inputTokens: 5, outputTokens: 5, idempotencyKey: `generic-${i}` });
    const nested = plans.filter(inBatchFunctions);
    expect(nested.length).toBeGreaterThanOrEqual(8 * 5);
    // A custom plan shows the call's arrays as constants ('{"<uuid>",...}'::uuid[]); a generic one shows $n.
    expect(nested.filter((p) => /'\{?"?[0-9a-f]{8}-[0-9a-f]{4}-/.test(p))).toEqual([]);
    expect(nested.some((p) => /= ANY \(\$\d+\)/.test(p))).toBe(true);
  });

  it('probes every key column of the index it needs, with plans made while the tables were small (migration 0024)', async () => {
    // Fresh connections, so their generic plans are made now, on a handful of holds.
    const early = new UsageEngine({ databaseUrl: t.systemUrl });
    const seen: string[] = [];
    early.pool.on('connect', (c) => c.on('notice', (n) => seen.push(String(n.message))));
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 10_000_000n, monthlyApiCallQuota: 100_000 });
    const key = await tenant.key({ maxTokens: 10_000_000, rateLimitPerMinute: 100_000 });
    const hold = (i: number) => holdReservation(early, key, { model: tenant.model.id, estimatedTokens: 10, idempotencyKey: `many-${i}` });
    let later: UsageEngine | undefined;
    try {
      await hold(0);
      for (let i = 1; i < 300; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => hold(i + j)));
      seen.length = 0;
      const replay = await hold(7); // the holds read by idempotency key
      expect(replay.replayed).toBe(true);
      const h = await holdReservation(early, key, { model: tenant.model.id, estimatedTokens: 10 });
      await settleReservation(early, key, { reservationId: h.value.id, inputTokens: 2, outputTokens: 3 }); // a hold updated by key
      // An hour on, every hold has expired: the next batch takes them all back.
      later = new UsageEngine({ databaseUrl: t.systemUrl, now: () => new Date(Date.now() + 3600_000) });
      later.pool.on('connect', (c) => c.on('notice', (n) => seen.push(String(n.message))));
      await recordUsage(later, key, { model: tenant.model.id, inputTokens: 1, outputTokens: 1, idempotencyKey: 'after-expiry' });
      const held = await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM usage_reservations WHERE organization_id = ${tenant.org.id}::uuid AND status = 'HELD'`;
      expect(held[0]!.n).toBe(0n);
    } finally {
      await early.close();
      await later?.close();
    }
    // Every scan of these tables' indexes has its condition in the index (no
    // scan of a whole index, no rows fetched and then filtered out).
    const scans = indexScans(seen.filter(inBatchFunctions));
    expect(scans.filter((s) => /on usage_reservations/.test(s.scan)).length).toBeGreaterThan(5);
    expect(scans.filter(filtersRows)).toEqual([]);
  });

  it('reads a key, its limits and its counters (GET /models, GET /quota) by index', async () => {
    const tenant = await usageTenant(t.db);
    const key = await tenant.key({ rateLimitPerMinute: 60 });
    const c = new pg.Client({ connectionString: t.systemUrl });
    const seen: string[] = [];
    c.on('notice', (n) => seen.push(String(n.message)));
    await c.connect();
    try {
      for (let i = 0; i < 8; i++) {
        await c.query('SELECT * FROM rg_api_key_now($1::uuid) CROSS JOIN rg_caller_limits($2::uuid, $1::uuid)', [key.id, tenant.org.id]);
        await c.query(`SELECT * FROM rg_caller_counters($1::uuid, ARRAY['API_KEY']::"QuotaSubject"[], $2::uuid[], ARRAY['TOKENS']::"QuotaMetric"[], ARRAY[date_trunc('month', now())]::timestamptz[])`,
          [tenant.org.id, [key.id]]);
      }
    } finally {
      await c.end();
    }
    expect(seen.filter((p) => /api_keys|quota_counters/.test(p)).length).toBeGreaterThan(16);
    expect(seqScans(seen)).toEqual([]);
    // rg_caller_counters takes arrays: its statement keeps one generic plan (0024), never planned with the call's values.
    const counters = seen.filter((p) => /JOIN unnest\(subject_types/.test(p));
    expect(counters.length).toBe(8);
    expect(counters.filter((p) => /'\{?"?[0-9a-f]{8}-[0-9a-f]{4}-/.test(p))).toEqual([]);
    // ...and probes the counters' slot index with the whole slot, whatever index the planner had to pick from.
    const counterScans = indexScans(counters);
    expect(counterScans.length).toBeGreaterThan(0);
    expect(counterScans.filter(filtersRows)).toEqual([]);
    expect(counterScans.filter((s) => !/subject_id/.test(s.next))).toEqual([]);
  });
});
