import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, type World } from '../support/admin-fixtures.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * The usage and audit lists' reference filters (organization, user, API key,
 * model) load their options from the search action: AdminJS shows the first
 * 50, and typing asks the server for matches. With more than 50 of each, the
 * ones past the first 50 must be found by typing (any case), within the
 * viewer's scope, and filter the list.
 */
let t: AppDatabase;
let app: RunningApp;
let world: World;
let owner: pg.Client;
let superadmin: AdminClient;
let admin: AdminClient;
const q = async <T = any>(sql: string, params: unknown[] = []) => (await owner.query(sql, params)).rows as T[];
const MANY = 60;

/** What the reference filter's dropdown gets for typed text: GET <root>/api/resources/:id/search/:text, as AdminJS's ApiClient calls it. */
async function options(client: AdminClient, resource: string, text = ''): Promise<{ id: string; title: string }[]> {
  const res = await client.get(`/resources/${resource}/search${text ? `/${encodeURIComponent(text)}` : ''}`);
  expect(res.outcome).toBe('ok');
  return res.body.records.map((r: any) => ({ id: r.id, title: r.title }));
}

let last: { org: string; user: string; key: string; model: string };

beforeAll(async () => {
  t = await appDatabase('reference_search');
  world = await createWorld(t.db);
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  await q(`SET app.role = 'system'`);
  // More than 50 of each, named so that the wanted ones sort last.
  await q(`INSERT INTO organizations (name) SELECT 'Bulk org ' || lpad(i::text, 3, '0') FROM generate_series(1, $1) i`, [MANY]);
  await q(`INSERT INTO organizations (name) VALUES ('Zephyr Holdings')`);
  const [{ id: bulk }] = await q(`SELECT id FROM organizations WHERE name = 'Bulk org 001'`);
  await q(
    `INSERT INTO users (organization_id, username, email, password_hash, role)
     SELECT $1, 'bulk' || i, 'bulk' || lpad(i::text, 3, '0') || '@search.example', 'x', 'USER' FROM generate_series(1, $2) i`,
    [bulk, MANY],
  );
  await q(`INSERT INTO users (organization_id, username, email, password_hash, role) VALUES ($1, 'zelda', 'zz.Zelda@search.example', 'x', 'USER')`, [world.orgA.id]);
  await q(`INSERT INTO realms (organization_id, owner_id, name, is_default) SELECT organization_id, id, 'Default', true FROM users WHERE email LIKE '%@search.example'`);
  await q(
    `INSERT INTO api_keys (organization_id, user_id, realm_id, name, prefix, key_hash)
     SELECT u.organization_id, u.id, r.id, CASE WHEN u.username = 'zelda' THEN 'Zulu production key' ELSE 'bulk key ' || u.username END, 'rgk_' || left(md5(u.id::text), 8), md5(u.id::text) || md5(u.email)
       FROM users u JOIN realms r ON r.owner_id = u.id WHERE u.email LIKE '%@search.example'`,
  );
  await q(`INSERT INTO ai_models (name, provider, provider_model_id, role) SELECT 'Bulk model ' || lpad(i::text, 3, '0'), 'openai', 'm' || i, 'chat' FROM generate_series(1, $1) i`, [MANY]);
  await q(`INSERT INTO ai_models (name, provider, provider_model_id, role) VALUES ('Zeta Reasoner', 'openai', 'zeta', 'chat')`);
  const [row] = await q(
    `SELECT (SELECT id FROM organizations WHERE name = 'Zephyr Holdings') AS org, u.id AS user, k.id AS key, (SELECT id FROM ai_models WHERE name = 'Zeta Reasoner') AS model
       FROM users u JOIN api_keys k ON k.user_id = u.id WHERE u.username = 'zelda'`,
  );
  last = row;
  // One usage row through Zelda's key and the Zeta model, for the filter itself.
  await q(
    `INSERT INTO usage_events (organization_id, user_id, api_key_id, model_id, total_tokens, requests) VALUES ($1, $2, $3, $4, 42, 1)`,
    [world.orgA.id, last.user, last.key, last.model],
  );
  app = await startRunningApp(t);
  superadmin = await AdminClient.signIn(app.baseUrl, world.superadmin.email);
  admin = await AdminClient.signIn(app.baseUrl, world.admin.email);
}, 180_000);
afterAll(async () => {
  await owner?.end();
  await app?.close();
  await t?.drop();
});

describe('reference filters find any record by typing', () => {
  it('the untyped dropdown holds 50 options, so the later ones need typing', async () => {
    for (const resource of ['Organization', 'User', 'ApiKey', 'AiModel']) {
      const shown = await options(superadmin, resource);
      expect(shown.length, resource).toBe(50);
    }
    expect((await options(superadmin, 'Organization')).map((o) => o.id)).not.toContain(last.org);
  });

  it('typing part of a name, in any case, finds the organization, user, key and model', async () => {
    expect(await options(superadmin, 'Organization', 'zephyr')).toEqual([{ id: last.org, title: 'Zephyr Holdings' }]);
    expect(await options(superadmin, 'User', 'ZZ.zelda')).toEqual([{ id: last.user, title: 'zz.Zelda@search.example' }]);
    expect(await options(superadmin, 'ApiKey', 'zulu PROD')).toEqual([{ id: last.key, title: 'Zulu production key' }]);
    expect(await options(superadmin, 'AiModel', 'zeta')).toEqual([{ id: last.model, title: 'Zeta Reasoner' }]);
    // A prefix matching many still answers from the whole table (bulk org 051..060 are past the first 50).
    expect((await options(superadmin, 'Organization', 'bulk org 05')).map((o) => o.title).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `Bulk org ${String(50 + i).padStart(3, '0')}`),
    );
  });

  it('an org admin finds only what their organization holds', async () => {
    expect(await options(admin, 'Organization', 'zephyr')).toEqual([]);
    expect(await options(admin, 'User', 'bulk0')).toEqual([]);
    expect(await options(admin, 'ApiKey', 'bulk key')).toEqual([]);
    expect(await options(admin, 'User', 'zelda')).toEqual([{ id: last.user, title: 'zz.Zelda@search.example' }]);
    expect(await options(admin, 'ApiKey', 'zulu')).toEqual([{ id: last.key, title: 'Zulu production key' }]);
  });

  it('the option found filters the usage list to its rows', async () => {
    for (const [filter, id] of [['apiKey', last.key], ['model', last.model], ['user', last.user]] as const) {
      for (const client of [superadmin, admin]) {
        const res = await client.get(`/resources/UsageEvent/actions/list?filters.${filter}=${id}`);
        expect(res.outcome).toBe('ok');
        expect(res.body.records).toHaveLength(1);
        expect(res.body.records[0].params.totalTokens).toBe(42);
        // The reference cells carry the titles the dropdown showed.
        expect(res.body.records[0].populated.apiKey.title).toBe('Zulu production key');
        expect(res.body.records[0].populated.model.title).toBe('Zeta Reasoner');
        expect(res.body.records[0].populated.user.title).toBe('zz.Zelda@search.example');
      }
    }
  });
});

describe('list pages send each referenced record as a reference cell reads it', () => {
  it("an API key list's organization, user and realm carry the title and the show action, not the whole record", async () => {
    const res = await superadmin.get(`/resources/ApiKey/actions/list?filters.name=${encodeURIComponent('Zulu production key')}`);
    expect(res.outcome).toBe('ok');
    const [record] = res.body.records;
    expect(record.id).toBe(last.key);
    // The row itself keeps its own actions for its menu.
    expect(record.recordActions.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['show', 'edit']));
    const { organization, user, realm } = record.populated;
    const [{ name: orgName }] = await q<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [world.orgA.id]);
    expect(organization).toMatchObject({ id: world.orgA.id, title: orgName, params: { id: world.orgA.id, name: orgName }, bulkActions: [] });
    expect(user).toMatchObject({ id: last.user, title: 'zz.Zelda@search.example', bulkActions: [] });
    // A realm's title names its owner (record-titles.ts), as everywhere else.
    expect(realm.title).toBe('Default · zz.Zelda@search.example');
    for (const ref of [organization, user, realm]) {
      expect(ref.recordActions.map((a: { name: string }) => a.name)).toEqual(['show']);
      expect(Object.keys(ref.params).length).toBeLessThanOrEqual(2);
    }
    // An org admin gets the same cells for their own organization's keys.
    const mine = await admin.get(`/resources/ApiKey/actions/list?filters.name=${encodeURIComponent('Zulu production key')}`);
    expect(mine.body.records.map((r: { id: string }) => r.id)).toEqual([last.key]);
    expect(mine.body.records[0].populated.realm.title).toBe('Default · zz.Zelda@search.example');
  });
});
