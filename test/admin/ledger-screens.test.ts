import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, realmOf, type World } from '../support/admin-fixtures.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { ApiClient, issueKey } from '../support/api-client.js';

/**
 * The usage ledger and audit log screens over the panel's JSON API: keyset
 * pages newest first (no OFFSET, no duplicates, no gaps), a total capped at
 * 10,000, totals from rollups, scope per role, the CSV export equal to the
 * database for a filter and a scope, and the dashboard read from rollups.
 */
let t: AppDatabase;
let app: RunningApp;
let world: World;
let owner: pg.Client;
let superadmin: AdminClient;
let admin: AdminClient;
let user: AdminClient;
let viewer: AdminClient;
let orgC: string;
const q = async <T = any>(sql: string, params: unknown[] = []) => (await owner.query(sql, params)).rows as T[];

/** Every page of a list, following nextCursor. */
async function walk(client: AdminClient, resource: string, query: string): Promise<{ ids: string[]; pages: number; first: any }> {
  const ids: string[] = [];
  let after = '';
  let pages = 0;
  let first: any;
  for (;;) {
    const res = await client.get(`/resources/${resource}/actions/list?perPage=50&${query}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    expect(res.outcome).toBe('ok');
    first ??= res.body;
    pages += 1;
    ids.push(...res.body.records.map((r: any) => r.id));
    if (!res.body.meta.nextCursor) break;
    after = res.body.meta.nextCursor;
  }
  return { ids, pages, first };
}

/** The totals line of a filter (rows matched, capped; tokens and requests for usage): the list action with view=totals. */
async function summaryOf(client: AdminClient, query: string, resource = 'UsageEvent'): Promise<{ total: number; totalCapped: boolean; totals: any }> {
  const res = await client.get(`/resources/${resource}/actions/list?view=totals&${query}`);
  expect(res.outcome).toBe('ok');
  expect(res.body.records).toEqual([]);
  const { total, totalCapped, totals } = res.body.meta;
  return { total, totalCapped, totals };
}

async function totalsOf(client: AdminClient, query: string, resource = 'UsageEvent'): Promise<any> {
  return (await summaryOf(client, query, resource)).totals;
}

beforeAll(async () => {
  t = await appDatabase('ledger_screens');
  world = await createWorld(t.db);
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  await q(`SET app.role = 'system'`);
  const [{ id }] = await q(`INSERT INTO organizations (name) VALUES ('Org C big') RETURNING id`);
  orgC = id;
  // 130 events for org A (user and peer), 20 for org B, several sharing a millisecond (ties settle on id).
  await q(
    `INSERT INTO usage_events (organization_id, user_id, occurred_at, input_tokens, output_tokens, total_tokens, requests)
     SELECT CASE WHEN i <= 130 THEN $1::uuid ELSE $2::uuid END,
            CASE WHEN i <= 130 THEN (CASE WHEN i % 2 = 0 THEN $3::uuid ELSE $4::uuid END) ELSE $5::uuid END,
            date_trunc('day', now()) - ((i / 3) * interval '1 hour'), i, i, 2 * i, 1
       FROM generate_series(1, 150) i`,
    [world.orgA.id, world.orgB.id, world.user.id, world.peer.id, world.userB.id],
  );
  // 10,050 for org C: past the count cap.
  await q(`INSERT INTO usage_events (organization_id, occurred_at, total_tokens) SELECT $1, now() - (i * interval '1 second'), 1 FROM generate_series(1, 10050) i`, [orgC]);
  // The rollups the hot path keeps with the ledger.
  await q(`INSERT INTO usage_daily_rollups (organization_id, day, model_id, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
           SELECT organization_id, (occurred_at AT TIME ZONE 'UTC')::date, model_id, user_id, api_key_id, sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(requests), count(*)
             FROM usage_events GROUP BY 1, 2, 3, 4, 5`);
  await q(`SELECT rg_refresh_usage_coarse_rollups(min(day), max(day)) FROM usage_daily_rollups`);
  await q(`INSERT INTO audit_logs (organization_id, action, resource, record_id, occurred_at) SELECT $1, 'test.audit', 'Fixture', i::text, now() - i * interval '1 minute' FROM generate_series(1, 120) i`, [world.orgA.id]);
  await q(`INSERT INTO audit_logs (organization_id, action, resource, record_id) SELECT $1, 'test.audit', 'Fixture', i::text FROM generate_series(1, 7) i`, [world.orgB.id]);
  await q(`ANALYZE`);
  app = await startRunningApp(t);
  superadmin = await AdminClient.signIn(app.baseUrl, world.superadmin.email);
  admin = await AdminClient.signIn(app.baseUrl, world.admin.email);
  user = await AdminClient.signIn(app.baseUrl, world.user.email);
  viewer = await AdminClient.signIn(app.baseUrl, world.viewer.email);
}, 180_000);
afterAll(async () => {
  await owner?.end();
  await app?.close();
  await t?.drop();
});

describe('usage ledger list', () => {
  it('pages newest first by keyset: every row once, in order, 50 a page', async () => {
    const expected = (await q(`SELECT id FROM usage_events WHERE organization_id = ANY($1) ORDER BY occurred_at DESC, id DESC`, [[world.orgA.id, world.orgB.id]])).map((r) => r.id);
    const filtered = await walk(superadmin, 'UsageEvent', `filters.organization=${world.orgA.id}`);
    expect(filtered.ids).toEqual((await q(`SELECT id FROM usage_events WHERE organization_id = $1 ORDER BY occurred_at DESC, id DESC`, [world.orgA.id])).map((r) => r.id));
    expect(expected.length).toBe(150);
    expect(filtered.pages).toBe(3);
    expect(filtered.first.records).toHaveLength(50);
    expect(filtered.first.meta).toMatchObject({ perPage: 50 });
    // A page does not count: what the filter matches is its own request, once per filter.
    expect(filtered.first.meta).not.toHaveProperty('total');
    expect(filtered.first.meta).not.toHaveProperty('totals');
    // Totals from rollups equal the ledger's sums.
    const [{ tokens, requests }] = await q(`SELECT sum(total_tokens)::text AS tokens, sum(requests)::text AS requests FROM usage_events WHERE organization_id = $1`, [world.orgA.id]);
    expect(await summaryOf(superadmin, `filters.organization=${world.orgA.id}`)).toEqual({ total: 130, totalCapped: false, totals: { tokens, requests, source: 'rollups' } });
  });

  it('caps the total at 10,000 ("10,000+") instead of counting the ledger', async () => {
    const res = await superadmin.get(`/resources/UsageEvent/actions/list?filters.organization=${orgC}`);
    expect(res.body.records).toHaveLength(50);
    expect(await summaryOf(superadmin, `filters.organization=${orgC}`)).toEqual({ total: 10_000, totalCapped: true, totals: { tokens: '10050', requests: '10050', source: 'rollups' } });
    // Part of a day: the rollups cannot answer; a small match is summed from the ledger, one past the cap is not.
    const since = (await q(`SELECT occurred_at FROM usage_events WHERE organization_id = $1 ORDER BY occurred_at DESC OFFSET 99 LIMIT 1`, [orgC]))[0].occurred_at.toISOString();
    expect(await summaryOf(superadmin, `filters.organization=${orgC}&filters.occurredAt~~from=${since}`)).toEqual({ total: 100, totalCapped: false, totals: { tokens: '100', requests: '100', source: 'ledger' } });
    const before = new Date(Date.parse(since) - 4 * 3_600_000).toISOString();
    expect(await summaryOf(superadmin, `filters.organization=${orgC}&filters.occurredAt~~from=${before}`)).toEqual({ total: 10_000, totalCapped: true, totals: null });
  });

  it('keeps each role to its scope, whatever the filter asks', async () => {
    const mine = await walk(admin, 'UsageEvent', '');
    expect(mine.ids.length).toBe(130);
    expect((await admin.get(`/resources/UsageEvent/actions/list?filters.organization=${world.orgB.id}`)).body.records).toEqual([]);
    const own = await walk(user, 'UsageEvent', '');
    expect(own.ids.sort()).toEqual((await q(`SELECT id FROM usage_events WHERE user_id = $1`, [world.user.id])).map((r) => r.id).sort());
    expect((await totalsOf(user, '')).tokens).toBe((await q(`SELECT sum(total_tokens)::text AS n FROM usage_events WHERE user_id = $1`, [world.user.id]))[0].n);
  });

  it('filters by user, by a date range, and refuses a malformed cursor', async () => {
    const byUser = await walk(superadmin, 'UsageEvent', `filters.user=${world.peer.id}`);
    expect(byUser.ids.length).toBe(65);
    // The superadmin's filter is read through the owner's organization (its index leads with it): the
    // same rows as the filter alone; a user that is not there matches nothing.
    const [{ n: peerRows }] = await q(`SELECT count(*)::int AS n FROM usage_events WHERE user_id = $1`, [world.peer.id]);
    expect(byUser.ids.length).toBe(peerRows);
    const nobody = await superadmin.get(`/resources/UsageEvent/actions/list?perPage=50&filters.user=${crypto.randomUUID()}`);
    expect([nobody.outcome, nobody.body.records.length]).toEqual(['ok', 0]);
    expect(await summaryOf(superadmin, `filters.user=${crypto.randomUUID()}`)).toMatchObject({ total: 0, totalCapped: false });
    const [{ from, to }] = await q(`SELECT to_char((now() AT TIME ZONE 'UTC')::date - 2, 'YYYY-MM-DD') AS from, to_char((now() AT TIME ZONE 'UTC')::date - 1, 'YYYY-MM-DD') AS to`);
    const range = await walk(superadmin, 'UsageEvent', `filters.organization=${world.orgA.id}&filters.occurredAt~~from=${from}&filters.occurredAt~~to=${to}`);
    const [{ n }] = await q(`SELECT count(*)::int AS n FROM usage_events WHERE organization_id = $1 AND occurred_at >= $2::date AND occurred_at < $3::date + 1`, [world.orgA.id, from, to]);
    expect(range.ids.length).toBe(n);
    expect((await totalsOf(superadmin, `filters.organization=${world.orgA.id}&filters.occurredAt~~from=${from}&filters.occurredAt~~to=${to}`)).source).toBe('rollups');
    const bad = await superadmin.get('/resources/UsageEvent/actions/list?after=nonsense');
    expect(bad.outcome).toBe('error: Malformed page cursor');
  });
});

describe('audit log list', () => {
  it('pages by keyset within scope', async () => {
    const mine = await walk(admin, 'AuditLog', 'filters.action=test.audit');
    expect(mine.ids.length).toBe(120);
    expect(new Set(mine.ids).size).toBe(120);
    const all = await walk(superadmin, 'AuditLog', 'filters.action=test.audit');
    expect(all.ids.length).toBe(127);
    expect(all.first.meta).not.toHaveProperty('total');
    // Its totals line counts (no tokens: usage only).
    expect(await summaryOf(superadmin, 'filters.action=test.audit', 'AuditLog')).toEqual({ total: 127, totalCapped: false, totals: null });
    expect(await summaryOf(admin, 'filters.action=test.audit', 'AuditLog')).toEqual({ total: 120, totalCapped: false, totals: null });
  });
});

describe('CSV export', () => {
  const csv = async (client: AdminClient, path: string) => {
    const res = await client.raw(path);
    return { status: res.status, type: res.headers.get('content-type'), lines: (await res.text()).trim().split('\r\n') };
  };

  it('exports exactly the filtered rows of the viewer scope, newest first', async () => {
    const out = await csv(admin, `/admin/export/usage.csv?filters.user=${world.peer.id}`);
    expect(out.status).toBe(200);
    expect(out.type).toMatch(/text\/csv/);
    expect(out.lines[0]).toBe('occurred_at,id,organization_id,user_id,api_key_id,realm_id,model_id,idempotency_key,input_tokens,output_tokens,total_tokens,requests');
    const rows = await q(`SELECT occurred_at, id, total_tokens FROM usage_events WHERE user_id = $1 ORDER BY occurred_at DESC, id DESC`, [world.peer.id]);
    expect(out.lines.slice(1).map((l) => l.split(',')[1])).toEqual(rows.map((r) => r.id));
    expect(out.lines[1]!.split(',')[0]).toBe(rows[0].occurred_at.toISOString());
    // Another organization's rows are not the org admin's to export.
    const other = await csv(admin, `/admin/export/usage.csv?filters.organization=${world.orgB.id}`);
    expect(other.lines).toHaveLength(1);
    // A superadmin's whole-org export crosses page boundaries (2,000 rows a page).
    const big = await csv(superadmin, `/admin/export/usage.csv?filters.organization=${orgC}`);
    expect(big.lines.length).toBe(10_051);
    expect(new Set(big.lines).size).toBe(10_051);
  });

  it('refuses who may not read the ledger, and nonsense filters', async () => {
    expect((await viewer.raw('/admin/export/audit.csv')).status).toBe(403);
    expect((await admin.raw('/admin/export/usage.csv?filters.user=not-a-uuid')).status).toBe(400);
    expect([302, 401]).toContain((await new AdminClient(app.baseUrl).raw('/admin/export/usage.csv')).status);
  });
});

describe('GET /api/v1/usage/export', () => {
  it('streams the caller scope as CSV for the filters, and refuses a key without usage:read', async () => {
    const api = new ApiClient(app.baseUrl);
    const key = await issueKey(t.db, app.config.API_KEY_PEPPER, world.admin.id, ['usage:read']);
    const res = await fetch(`${app.baseUrl}/api/v1/usage/export?userId=${world.user.id}`, { headers: { authorization: `Bearer ${key.secret}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    const rows = await q(`SELECT id FROM usage_events WHERE user_id = $1 ORDER BY occurred_at DESC, id DESC`, [world.user.id]);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(rows.map((r) => r.id));
    // An org admin's key exports its organization only, whatever it asks for.
    const foreign = await fetch(`${app.baseUrl}/api/v1/usage/export?organizationId=${world.orgB.id}`, { headers: { authorization: `Bearer ${key.secret}` } });
    expect((await foreign.text()).trim().split('\r\n')).toHaveLength(1);
    const noScope = await issueKey(t.db, app.config.API_KEY_PEPPER, world.admin.id, ['models:read']);
    expect((await api.with(noScope.secret).get('/usage/export')).status).toBe(403);
    const bad = await api.with(key.secret).get('/usage/export?from=yesterday');
    expect(bad.status).toBe(400);
  });
});

describe('dashboard and entity charts', () => {
  it('draws usage per day from rollups for the viewer scope, with top lists', async () => {
    const res = await admin.get('/dashboard?days=7');
    expect(res.body.days).toBe(7);
    expect(res.body.series.days).toHaveLength(7);
    const charted = res.body.series.models.reduce((a: number, m: any) => a + m.tokens.reduce((x: number, y: number) => x + y, 0), 0);
    const [{ n }] = await q(`SELECT coalesce(sum(total_tokens), 0)::int AS n FROM usage_daily_rollups WHERE organization_id = $1 AND day > (now() AT TIME ZONE 'UTC')::date - 7`, [world.orgA.id]);
    expect(charted).toBe(n);
    expect(res.body.top.organizations).toEqual([]);
    expect(res.body.top.users.map((u: any) => u.name).sort()).toEqual([world.peer.email, world.user.email].sort());
    const sa = await superadmin.get('/dashboard?days=90');
    // Org A 17,030 tokens, Org C 10,050, Org B 5,620.
    expect(sa.body.top.organizations.map((o: any) => o.tokens)).toEqual(['17030', '10050', '5620']);
    expect(sa.body.top.organizations[1].name).toBe('Org C big');
    expect(sa.body.audit.length).toBeGreaterThan(0);
  });

  it('ranks each top list (one scan per rollup table) as a plain GROUP BY of the daily rollups does, in each scope', async () => {
    const top = async (col: string, org?: string) => (await q<{ tokens: string }>(
      `SELECT sum(total_tokens)::text AS tokens FROM usage_daily_rollups
        WHERE day > (now() AT TIME ZONE 'UTC')::date - 90 ${org ? 'AND organization_id = $1' : ''}
        GROUP BY ${col} ORDER BY sum(total_tokens) DESC LIMIT 5`, org ? [org] : [])).map((r) => r.tokens);
    const tokens = (entries: any[]) => entries.map((e) => e.tokens);
    const sa = (await superadmin.get('/dashboard?days=90')).body.top;
    expect(tokens(sa.organizations)).toEqual(await top('organization_id'));
    expect(tokens(sa.models)).toEqual(await top('model_id'));
    expect(tokens(sa.users)).toEqual(await top('user_id'));
    expect(tokens(sa.keys)).toEqual(await top('api_key_id'));
    expect(sa.models.length).toBeGreaterThan(0);
    const mine = (await admin.get('/dashboard?days=90')).body.top;
    expect(mine.organizations).toEqual([]);
    expect(tokens(mine.models)).toEqual(await top('model_id', world.orgA.id));
    expect(tokens(mine.users)).toEqual(await top('user_id', world.orgA.id));
    expect(tokens(mine.keys)).toEqual(await top('api_key_id', world.orgA.id));
    // A USER: their own usage, no top users.
    const own = (await user.get('/dashboard?days=90')).body.top;
    expect(own.users).toEqual([]);
    const [{ id: userId }] = await q<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [world.user.email]);
    const ownKeys = await q<{ tokens: string }>(`SELECT sum(total_tokens)::text AS tokens FROM usage_daily_rollups WHERE day > (now() AT TIME ZONE 'UTC')::date - 90 AND user_id = $1 GROUP BY api_key_id ORDER BY sum(total_tokens) DESC LIMIT 5`, [userId]);
    expect(tokens(own.keys)).toEqual(ownKeys.map((r) => r.tokens));
  });

  it('shows an organization its own usage chart', async () => {
    const res = await admin.get(`/resources/Organization/records/${world.orgA.id}/usageChart?days=30`);
    expect(res.outcome).toBe('ok');
    const total = res.body.series.models.reduce((a: number, m: any) => a + m.tokens.reduce((x: number, y: number) => x + y, 0), 0);
    expect(total).toBe(Number((await q(`SELECT sum(total_tokens)::int AS n FROM usage_events WHERE organization_id = $1`, [world.orgA.id]))[0].n));
    expect((await admin.get(`/resources/Organization/records/${world.orgB.id}/usageChart?days=30`)).outcome).not.toBe('ok');
  });
});

describe('reference filters', () => {
  it('find any organization by typing, past the first 50', async () => {
    await q(`INSERT INTO organizations (name) SELECT 'Zeta tenant ' || i FROM generate_series(1, 70) i`);
    const res = await superadmin.search('Organization', 'Zeta tenant 69');
    expect(res.body.records.map((r: any) => r.title)).toContain('Zeta tenant 69');
  });
});

// Last in the file: these add rows that the tests above do not expect.
describe('CSV export of awkward and large ledgers', () => {
  it('writes awkward values so that a CSV reader gets them back, formulas defused, CRLF between rows', async () => {
    const label = 'Ann "The Admin", Jr.\nsecond line';
    const changes = { after: { note: 'a, "b"\nc' } };
    await q(`INSERT INTO audit_logs (organization_id, action, resource, record_id, actor_label, ip, changes) VALUES ($1, 'test.awkward', 'Fixture', '=HYPERLINK("x")', $2, '', $3)`, [world.orgA.id, label, changes]);
    const res = await admin.raw('/admin/export/audit.csv?filters.action=test.awkward');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['occurred_at', 'id', 'organization_id', 'actor_id', 'actor_role', 'actor_label', 'action', 'resource', 'record_id', 'ip', 'changes']);
    expect(rows).toHaveLength(2);
    const [db] = await q(`SELECT * FROM audit_logs WHERE action = 'test.awkward'`);
    const row = Object.fromEntries(rows[0]!.map((name, i) => [name, rows[1]![i]]));
    expect(row).toMatchObject({ id: db.id, occurred_at: db.occurred_at.toISOString(), actor_label: label, record_id: `'=HYPERLINK("x")`, ip: '', actor_id: '' });
    expect(JSON.parse(row.changes!)).toEqual(changes);
  });

  it('lets go of the database when the client leaves in the middle of a large export', async () => {
    const [{ id: orgD }] = await q(`INSERT INTO organizations (name) VALUES ('Org D export') RETURNING id`);
    await q(`INSERT INTO usage_events (organization_id, occurred_at, total_tokens, idempotency_key) SELECT $1, now() - (i * interval '1 millisecond'), 1, repeat('k', 150) || i FROM generate_series(1, 150000) i`, [orgD]);
    const exports = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'realmgate-export' AND state <> 'idle'`;
    const controller = new AbortController();
    // Uncompressed, so that socket buffers fill after a few MB (gzip would shrink these rows 30 times).
    const identity = { 'accept-encoding': 'identity' };
    const res = await superadmin.raw(`/admin/export/usage.csv?filters.organization=${orgD}`, { signal: controller.signal, headers: identity });
    const reader = res.body!.getReader();
    expect((await reader.read()).value!.length).toBeGreaterThan(0);
    expect(res.headers.get('content-encoding')).toBeNull();
    // 150,000 rows (about 40 MB) cannot all sit in socket buffers: PostgreSQL is held mid-COPY by backpressure.
    expect((await q(exports))[0].n).toBe(1);
    controller.abort();
    const deadline = Date.now() + 10_000;
    while ((await q(exports))[0].n > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await q(exports))[0].n).toBe(0);
    // An export whose database connection dies half way is a failed transfer, not a short file.
    const broken = await superadmin.raw(`/admin/export/usage.csv?filters.organization=${orgD}`, { headers: identity });
    const brokenReader = broken.body!.getReader();
    expect((await brokenReader.read()).done).toBe(false);
    await q(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'realmgate-export' AND state <> 'idle'`);
    await expect((async () => {
      for (;;) if ((await brokenReader.read()).done) return 'ended as if complete';
    })()).rejects.toThrow();
    // The next export is whole.
    const again = await superadmin.raw(`/admin/export/usage.csv?filters.organization=${orgD}`);
    const lines = (await again.text()).trim().split('\r\n');
    expect(lines).toHaveLength(150_001);
    expect(lines[150_000]!.split(',')[7]).toBe(`${'k'.repeat(150)}150000`);
  }, 60_000);
});

describe('the daily rollups list at scale', () => {
  it('counts no further than 10,001 rows and sorts by day only (a sort by tokens falls back to the day)', async () => {
    const [org] = await q<{ id: string }>(`INSERT INTO organizations (name) VALUES ('Org R rollups') RETURNING id`);
    // One row a day for 10,050 days, tokens growing into the past: a sort by tokens would turn the order around.
    await q(`INSERT INTO usage_daily_rollups (organization_id, day, total_tokens, requests, events) SELECT $1, current_date - i, i, 1, 1 FROM generate_series(0, 10049) i`, [org!.id]);
    const list = (query: string) => superadmin.get(`/resources/UsageDailyRollup/actions/list?perPage=10&filters.organization=${org!.id}${query}`);
    const newest = await list('');
    expect(newest.outcome).toBe('ok');
    expect(newest.body.meta.total).toBe(10_001);
    const day = (r: any) => String(r.params.day).slice(0, 10);
    const today = (await q<{ d: string }>(`SELECT current_date::text AS d`))[0]!.d;
    expect(day(newest.body.records[0])).toBe(today);
    const days = newest.body.records.map(day);
    expect(days).toEqual([...days].sort().reverse());
    const byTokens = await list('&sortBy=totalTokens&direction=desc');
    expect(byTokens.body.records.map((r: any) => r.id)).toEqual(newest.body.records.map((r: any) => r.id));
    const oldest = await list('&sortBy=day&direction=asc');
    expect(day(oldest.body.records[0])).toBe((await q<{ d: string }>(`SELECT (current_date - 10049)::text AS d`))[0]!.d);
    // The last page the capped total offers (1,001 at 10 a page) still answers, by OFFSET within the cap.
    const last = await list('&page=1001');
    expect(last.body.meta.total).toBe(10_001);
    expect(last.body.records.map(day)[0]).toBe((await q<{ d: string }>(`SELECT (current_date - 10000)::text AS d`))[0]!.d);
  });
});

describe('the chat messages list', () => {
  it('sorts by time or session only: a sort by text, role, user or tokens falls back to the newest first', async () => {
    const [org] = await q<{ id: string }>(`INSERT INTO organizations (name) VALUES ('Org C chat') RETURNING id`);
    const [session] = await q<{ id: string }>(`INSERT INTO chat_sessions (organization_id, title) VALUES ($1, 'Sort check') RETURNING id`, [org!.id]);
    // The newer half written by the user with the lowest id, in the role that sorts first.
    const [low, high] = ['00000000-0000-4000-8000-000000000c01', 'ffffffff-ffff-4fff-bfff-fffffffffc02'];
    await q(
      `INSERT INTO users (id, organization_id, username, email, password_hash, role)
       SELECT id, $1, 'chat-' || right(id::text, 4), 'chat-' || right(id::text, 4) || '@sort.example', 'x', 'USER' FROM unnest($2::uuid[]) AS v(id)`,
      [org!.id, [low, high]],
    );
    // Text, tokens, role and user all run against time: a sort by any of them would turn the order around.
    await q(
      `INSERT INTO chat_messages (organization_id, session_id, user_id, role, content, tokens, created_at)
       SELECT $1, $2, CASE WHEN i < 15 THEN $3::uuid ELSE $4::uuid END, (CASE WHEN i < 15 THEN 'USER' ELSE 'ASSISTANT' END)::"ChatRole",
              'm' || lpad(i::text, 3, '0'), i, now() - make_interval(mins => i)
         FROM generate_series(0, 29) i`,
      [org!.id, session!.id, low, high],
    );
    const list = (query: string) => superadmin.get(`/resources/ChatMessage/actions/list?perPage=10&filters.organization=${org!.id}${query}`);
    const newest = await list('');
    expect(newest.outcome).toBe('ok');
    expect(newest.body.records.map((r: any) => r.params.content)).toEqual(Array.from({ length: 10 }, (_, i) => `m${String(i).padStart(3, '0')}`));
    const ids = (res: any) => res.body.records.map((r: any) => r.id);
    for (const sortBy of ['content', 'role', 'tokens', 'user']) {
      expect(ids(await list(`&sortBy=${sortBy}&direction=desc`)), sortBy).toEqual(ids(newest));
    }
    const oldest = await list('&sortBy=createdAt&direction=asc');
    expect(oldest.body.records[0].params.content).toBe('m029');
  });
});

/** RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks; rows end with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('reference cells of the ledger list', () => {
  it('names the organization, user, key and model of a row, for each role that may read them', async () => {
    const key = await issueKey(t.db, app.config.API_KEY_PEPPER, world.user.id, ['usage:write'], { name: 'Titles key' });
    const [{ id: model }] = await q(`INSERT INTO ai_models (organization_id, name, provider, provider_model_id, role) VALUES ($1, 'Titles model', 'openai', 'titles', 'chat') RETURNING id`, [world.orgA.id]);
    // Newest of all, no tokens: the first row of every page it is in, and no sum above changes.
    const [{ id: event }] = await q(
      `INSERT INTO usage_events (organization_id, user_id, api_key_id, model_id, occurred_at, total_tokens) VALUES ($1, $2, $3, $4, now() + interval '1 day', 0) RETURNING id`,
      [world.orgA.id, world.user.id, key.id, model],
    );
    const [{ org, email }] = await q(`SELECT o.name AS org, u.email FROM organizations o, users u WHERE o.id = $1 AND u.id = $2`, [world.orgA.id, world.user.id]);
    const titles = (row: any) => Object.fromEntries(Object.entries(row.populated as Record<string, any>).map(([path, ref]) => [path, ref?.title]));
    // The superadmin's titles come from plain SQL; the org admin's and the user's models through
    // Prisma (their scope on models is an OR over a relation), the rest from plain SQL.
    for (const client of [superadmin, admin, user]) {
      const [row] = (await client.get(`/resources/UsageEvent/actions/list?perPage=5&filters.apiKey=${key.id}`)).body.records;
      expect(row.id).toBe(event);
      expect(titles(row)).toEqual({ organization: org, user: email, apiKey: 'Titles key', model: 'Titles model' });
      expect(row.populated.apiKey.recordActions.map((a: any) => a.name)).toEqual(['show']);
    }
    // Another organization's admin sees neither the row nor, through a filter, its key.
    expect((await (await AdminClient.signIn(app.baseUrl, world.adminB.email)).get(`/resources/UsageEvent/actions/list?filters.apiKey=${key.id}`)).body.records).toEqual([]);
  });
});

describe('dashboard gauges and a realm chart', () => {
  it('shows the quotas nearest their limit in the current period, named, within the viewer scope', async () => {
    const key = await issueKey(t.db, app.config.API_KEY_PEPPER, world.user.id, ['usage:write'], { name: 'Gauge key' });
    const [{ id: model }] = await q(`INSERT INTO ai_models (organization_id, name, provider, provider_model_id, role) VALUES ($1, 'Gauge model', 'openai', 'gauge', 'chat') RETURNING id`, [world.orgA.id]);
    const month = `date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    const counter = (org: string, type: string, subject: string, modelId: string | null, used: number, limit: number, start = month) =>
      q(`INSERT INTO quota_counters (organization_id, subject_type, subject_id, model_id, metric, period, period_start, limit_value, used)
         VALUES ($1, $2::"QuotaSubject", $3, $4, 'TOKENS', 'MONTHLY', ${start}, $5, $6)`, [org, type, subject, modelId, limit, used]);
    await counter(world.orgA.id, 'ORGANIZATION', world.orgA.id, null, 950, 1000); // 95%: warning
    await counter(world.orgA.id, 'USER', world.user.id, model, 1200, 1000); // 120%: exceeded
    await counter(world.orgA.id, 'API_KEY', key.id, null, 100, 1000); // 10%
    await counter(world.orgA.id, 'API_KEY', key.id, model, 999, 1000, `${month} - interval '1 month'`); // last month: not shown
    await counter(world.orgB.id, 'ORGANIZATION', world.orgB.id, null, 999, 1000); // another organization's
    const [{ org, email }] = await q(`SELECT o.name AS org, u.email FROM organizations o, users u WHERE o.id = $1 AND u.id = $2`, [world.orgA.id, world.user.id]);
    const gauges = (await admin.get('/dashboard?days=7')).body.gauges.map((g: any) => [g.name, g.percent, g.level, g.used, g.limit]);
    expect(gauges).toEqual([
      [`${email} · Gauge model`, 120, 'exceeded', '1200', '1000'],
      [org, 95, 'warning', '950', '1000'],
      ['Gauge key', 10, 'ok', '100', '1000'],
    ]);
    // The superadmin's include the other organization's, between the two above.
    expect((await superadmin.get('/dashboard?days=7')).body.gauges.map((g: any) => g.percent).slice(0, 3)).toEqual([120, 99.9, 95]);
  });

  it('charts a realm by the usage of its keys, and only those the viewer may read', async () => {
    const realm = await realmOf(t.db, world.admin);
    const inRealm = await t.db.apiKey.create({ data: { organizationId: world.orgA.id, userId: world.admin.id, realmId: realm, name: 'In realm', prefix: `rg_${crypto.randomUUID().slice(0, 8)}`, keyHash: crypto.randomUUID() } });
    const outside = await t.db.apiKey.create({ data: { organizationId: world.orgA.id, userId: world.admin.id, name: 'Outside', prefix: `rg_${crypto.randomUUID().slice(0, 8)}`, keyHash: crypto.randomUUID() } });
    for (const [k, tokens] of [[inRealm.id, 7000], [outside.id, 500]] as const) {
      await q(`INSERT INTO usage_daily_rollups (organization_id, day, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
               VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $2, $3, 0, $4, $4, 1, 1)`, [world.orgA.id, world.admin.id, k, tokens]);
    }
    const chart = (await admin.get(`/resources/Realm/records/${realm}/usageChart?days=7`)).body.series;
    expect(chart.days).toHaveLength(7);
    expect(chart.models.flatMap((m: any) => m.tokens).reduce((a: number, b: number) => a + b, 0)).toBe(7000);
    expect(chart.models.map((m: any) => m.name)).toEqual(['No model']);
    expect((await (await AdminClient.signIn(app.baseUrl, world.adminB.email)).get(`/resources/Realm/records/${realm}/usageChart?days=7`)).outcome).not.toBe('ok');
  });
});
