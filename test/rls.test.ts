import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { PrismaClient } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/db/client.js';
import { ensureDatabase } from '../src/db/database.js';
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { loadMigrations, migrateDown, migrateUp } from '../src/db/migrate.js';
import { appConnectionProblem, appLoginName, ensureAppLogin, ensureSystemLogin, systemLoginName } from '../src/db/app-role.js';
import { createTenantPrisma, currentTenant, inTenantTransaction, setTenantInTx, withTenant, type TenantContext } from '../src/db/tenant-context.js';
import dmmf from '../src/generated/dmmf.json' with { type: 'json' };
import { statementsSentBy } from './support/sent-statements.js';

/**
 * Row-level security, the second wall between organizations (migration 0002).
 * Self-contained: its own embedded PostgreSQL, so it does not depend on the
 * shared test setup and may roll the migration back and forth.
 */

const APP_PASSWORD = 'rls-test-app-password';
const SYSTEM_PASSWORD = 'rls-test-system-password';
// Tables that also hold global rows (organization_id NULL) every tenant reads.
const GLOBAL_READABLE = new Set(['ai_models', 'agents']);

let server: EmbeddedPostgres;
let root: string;
let ownerUrl: string;
let appUrl: string;
let systemUrl: string;
let owner: pg.Client;
let base: PrismaClient;
let systemBase: PrismaClient;
let db: PrismaClient;

const uuid = () => crypto.randomUUID();

interface OrgFixture {
  orgId: string;
  userId: string;
  realmId: string;
}

/** One row in every tenant table for a new organization, inserted as the owner (a superuser here). */
async function seedOrganization(c: pg.Client, name: string): Promise<OrgFixture> {
  const org = uuid();
  const user = uuid();
  const realm = uuid();
  const server = uuid();
  const kb = uuid();
  const doc = uuid();
  const chat = uuid();
  const model = uuid();
  const key = uuid();
  const q = (sql: string, params: unknown[]) => c.query(sql, params);
  await q('INSERT INTO organizations (id, name) VALUES ($1, $2)', [org, name]);
  await q(`INSERT INTO users (id, organization_id, username, email, password_hash, role) VALUES ($1, $2, $3, $4, 'x', 'ADMIN')`, [user, org, `u_${name}`, `${name}@example.test`]);
  await q('INSERT INTO realms (id, organization_id, owner_id, name) VALUES ($1, $2, $3, $4)', [realm, org, user, `realm ${name}`]);
  await q(`INSERT INTO api_keys (id, organization_id, user_id, realm_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, 'k', 'rg_', $5)`, [key, org, user, realm, crypto.randomBytes(32).toString('hex')]);
  await q(`INSERT INTO vector_servers (id, organization_id, realm_id, name, type, host, port) VALUES ($1, $2, $3, 'vs', 'QDRANT', 'localhost', 6333)`, [server, org, realm]);
  await q(`INSERT INTO knowledge_bases (id, organization_id, realm_id, server_id, name) VALUES ($1, $2, $3, $4, 'kb')`, [kb, org, realm, server]);
  await q(`INSERT INTO documents (id, organization_id, realm_id, knowledge_base_id, name, mime_type) VALUES ($1, $2, $3, $4, 'd.pdf', 'application/pdf')`, [doc, org, realm, kb]);
  await q(`INSERT INTO ingestion_jobs (organization_id, realm_id, document_id, document_name, document_type) VALUES ($1, $2, $3, 'd.pdf', 'pdf')`, [org, realm, doc]);
  await q(`INSERT INTO chat_sessions (id, organization_id, user_id, realm_id, title) VALUES ($1, $2, $3, $4, 'hello')`, [chat, org, user, realm]);
  await q(`INSERT INTO chat_messages (organization_id, session_id, user_id, role, content) VALUES ($1, $2, $3, 'USER', 'hi')`, [org, chat, user]);
  await q(`INSERT INTO ai_models (id, organization_id, name, provider, provider_model_id, role) VALUES ($1, $2, $3, 'openai', 'gpt', 'chat')`, [model, org, `private model ${name}`]);
  await q('INSERT INTO organization_model_access (organization_id, model_id) VALUES ($1, $2)', [org, model]);
  await q('INSERT INTO user_model_limits (organization_id, user_id, model_id) VALUES ($1, $2, $3)', [org, user, model]);
  await q(`INSERT INTO quota_counters (organization_id, subject_type, subject_id, metric, period, period_start) VALUES ($1, 'ORGANIZATION', $1, 'TOKENS', 'MONTHLY', now())`, [org]);
  await q('INSERT INTO usage_events (organization_id, user_id, api_key_id, realm_id, model_id, total_tokens) VALUES ($1, $2, $3, $4, $5, 10)', [org, user, key, realm, model]);
  await q('INSERT INTO usage_daily_rollups (organization_id, day, total_tokens) VALUES ($1, current_date, 10)', [org]);
  await q('INSERT INTO usage_daily_model_rollups (organization_id, day, total_tokens) VALUES ($1, current_date, 10)', [org]);
  await q('INSERT INTO usage_daily_key_rollups (organization_id, day, total_tokens) VALUES ($1, current_date, 10)', [org]);
  await q(`INSERT INTO usage_refusals (organization_id, day, code, count) VALUES ($1, current_date, 'TOKENS', 1)`, [org]);
  await q(`INSERT INTO usage_idempotency_keys (organization_id, idempotency_key, usage_event_id, answer) VALUES ($1, 'req-1', $2, '{}')`, [org, uuid()]);
  await q(`INSERT INTO usage_reservations (organization_id, api_key_id, user_id, model_id, held_tokens, expires_at) VALUES ($1, $2, $3, $4, 10, now() + interval '5 minutes')`, [org, key, user, model]);
  await q(`INSERT INTO api_key_rate_windows (organization_id, api_key_id, window_start, requests) VALUES ($1, $2, now(), 1)`, [org, key]);
  await q(`INSERT INTO agents (organization_id, key, name) VALUES ($1, $2, 'agent')`, [org, `agent_${name}`]);
  await q(`INSERT INTO audit_logs (organization_id, actor_id, action, resource) VALUES ($1, $2, 'create', 'realm')`, [org, user]);
  await q(`INSERT INTO session (sid, sess, expire) VALUES ($1, $2, now() + interval '1 hour')`, [
    uuid(),
    JSON.stringify({ adminUser: { id: user, organizationId: org }, client: { ip: '127.0.0.1' } }),
  ]);
  return { orgId: org, userId: user, realmId: realm };
}

/** Platform rows no organization owns. */
async function seedGlobalRows(c: pg.Client): Promise<void> {
  const run = uuid();
  await c.query(`INSERT INTO users (username, email, password_hash, role) VALUES ('root', 'root@example.test', 'x', 'SUPERADMIN')`);
  await c.query(`INSERT INTO ai_models (name, provider, provider_model_id, role) VALUES ('global model', 'openai', 'gpt', 'chat')`);
  await c.query(`INSERT INTO agents (key, name) VALUES ('global_agent', 'agent')`);
  await c.query(`INSERT INTO audit_logs (action, resource) VALUES ('start', 'platform')`);
  await c.query(`INSERT INTO tools (key, name, category) VALUES ('search', 'Search', 'CORE')`);
  await c.query(`INSERT INTO login_throttle (ip, attempts) VALUES ('10.0.0.1', 3)`);
  await c.query('INSERT INTO realm_migration_runs (id) VALUES ($1)', [run]);
  await c.query(`INSERT INTO realm_migration_items (run_id, kind, row_id, realm_id) VALUES ($1, 'API_KEY', $2, $3)`, [run, uuid(), uuid()]);
}

/** Public tables carrying organization_id, plus organizations (keyed by its own id). */
async function tenantTables(c: pg.Client): Promise<string[]> {
  const { rows } = await c.query<{ table_name: string }>(
    `SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition -- partitions: reached through their parent
        AND (c.relname = 'organizations' OR EXISTS (
          SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped))
      ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

const orgColumn = (table: string) => (table === 'organizations' ? 'id' : 'organization_id');

/** Rows of `table` an actor of `orgId` may read, counted by the owner. */
async function expectedVisible(table: string, orgId: string): Promise<number> {
  const col = orgColumn(table);
  const globals = GLOBAL_READABLE.has(table) ? ` OR ${col} IS NULL` : '';
  const { rows } = await owner.query(`SELECT count(*)::int AS n FROM ${owner.escapeIdentifier(table)} WHERE ${col}::text = $1${globals}`, [orgId]);
  return rows[0].n;
}

async function ownerCount(table: string): Promise<number> {
  const { rows } = await owner.query(`SELECT count(*)::int AS n FROM ${owner.escapeIdentifier(table)}`);
  return rows[0].n;
}

/** Prisma delegate for a table, from the generated datamodel. */
function delegate(client: PrismaClient, table: string): { count(): Promise<number> } {
  const model = dmmf.datamodel.models.find((m) => (m.dbName ?? m.name) === table);
  if (!model) throw new Error(`no Prisma model maps to ${table}`);
  const name = model.name[0]!.toLowerCase() + model.name.slice(1);
  return (client as unknown as Record<string, { count(): Promise<number> }>)[name]!;
}

async function withAppClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

interface CatalogState {
  unprotected: string[];
  grantedWithoutRls: string[];
  policies: number;
  appRole: { rolbypassrls: boolean; rolsuper: boolean; rolcanlogin: boolean; owned: number } | null;
}

async function catalogState(c: pg.Client): Promise<CatalogState> {
  const tables = await tenantTables(c);
  const { rows: rls } = await c.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
    `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname = ANY($1)`,
    [tables],
  );
  const unprotected = rls.filter((r) => !r.relrowsecurity || !r.relforcerowsecurity).map((r) => r.relname);
  // Stronger than the tenant list: any table the app role may touch at all.
  const { rows: granted } = await c.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
        AND c.relname <> '_realmgate_migrations'
        AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'realmgate_app')
        AND has_table_privilege('realmgate_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE')
        AND NOT (c.relrowsecurity AND c.relforcerowsecurity)`,
  );
  const { rows: pol } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_policies WHERE schemaname = 'public'`);
  const { rows: role } = await c.query(
    `SELECT rolbypassrls, rolsuper, rolcanlogin,
            (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owned
       FROM pg_roles r WHERE rolname = 'realmgate_app'`,
  );
  return { unprotected, grantedWithoutRls: granted.map((r) => r.relname), policies: pol[0]!.n, appRole: role[0] ?? null };
}

let A: OrgFixture;
let B: OrgFixture;
const adminOf = (o: OrgFixture, role: TenantContext['role'] = 'ADMIN'): TenantContext => ({ role, orgId: o.orgId, userId: o.userId });

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-rls-'));
  fs.chmodSync(root, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
  server = await startEmbeddedPostgres({ dataDir: path.join(root, 'pgdata') });
  await ensureDatabase(server.url, 'rls');
  ownerUrl = withDatabase(server.url, 'rls');
  await migrateUp(ownerUrl);
  appUrl = await ensureAppLogin(ownerUrl, APP_PASSWORD);
  systemUrl = await ensureSystemLogin(ownerUrl, SYSTEM_PASSWORD);
  owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  A = await seedOrganization(owner, 'alpha');
  B = await seedOrganization(owner, 'bravo');
  await seedGlobalRows(owner);
  base = createPrisma(appUrl, { max: 6 });
  systemBase = createPrisma(systemUrl, { max: 4 });
  db = createTenantPrisma(base, systemBase);
}, 120_000);

afterAll(async () => {
  await base?.$disconnect().catch(() => {});
  await systemBase?.$disconnect().catch(() => {});
  await owner?.end().catch(() => {});
  await server?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('the app login', () => {
  it('is a member of realmgate_app, not the owner, not a superuser, without BYPASSRLS', async () => {
    expect(new URL(appUrl).username).toBe(appLoginName(ownerUrl));
    expect(appLoginName(ownerUrl)).toMatch(/^realmgate_app_login_/);
    expect(await appConnectionProblem(appUrl)).toBeNull();
    expect(await appConnectionProblem(ownerUrl)).toMatch(/superuser/);
    // Idempotent: a second start changes nothing and returns the same URL.
    expect(await ensureAppLogin(ownerUrl, APP_PASSWORD)).toBe(appUrl);
  });

  it('the system login is a separate login in realmgate_system only; neither login belongs to the other group', async () => {
    expect(new URL(systemUrl).username).toBe(systemLoginName(ownerUrl));
    expect(systemLoginName(ownerUrl)).toMatch(/^realmgate_system_login_/);
    expect(await appConnectionProblem(systemUrl, 'realmgate_system')).toBeNull();
    expect(await appConnectionProblem(systemUrl)).toMatch(/not a member of realmgate_app/);
    expect(await appConnectionProblem(appUrl, 'realmgate_system')).toMatch(/not a member of realmgate_system/);
    expect(await ensureSystemLogin(ownerUrl, SYSTEM_PASSWORD)).toBe(systemUrl);
    const { rows } = await owner.query(
      `SELECT pg_has_role($1, 'realmgate_system', 'MEMBER') AS app_in_system, pg_has_role($2, 'realmgate_app', 'MEMBER') AS system_in_app`,
      [appLoginName(ownerUrl), systemLoginName(ownerUrl)],
    );
    expect(rows[0]).toEqual({ app_in_system: false, system_in_app: false });
  });
});

describe('the tenant-facing login cannot widen its scope', () => {
  const CLAIMS: Array<[string, string]> = [
    ['app.role', 'system'],
    ['app.role', 'SUPERADMIN'],
    ['app.role', 'ADMIN'],
    ['app.user_id', ''],
    ['app.privileged', 'true'],
    ['app.bypass', 'on'],
  ];

  it('sets every variable it likes, transaction- and session-wide, and still sees only its organization', async () => {
    const tables = await tenantTables(owner);
    await withAppClient(appUrl, async (c) => {
      // Session-level claims first (SET), then transaction-level ones on top.
      await c.query(`SELECT set_config('app.role', 'system', false), set_config('app.org_id', $1, false)`, [A.orgId]);
      await c.query('BEGIN');
      for (const [name, value] of CLAIMS) {
        await c.query('SAVEPOINT s');
        await c.query('SELECT set_config($1, $2, true)', [name, value]);
      }
      // row_security=off does not turn policies off: queries then fail instead.
      await c.query('SAVEPOINT s');
      await c.query(`SET LOCAL row_security = off`);
      await expect(c.query('SELECT count(*) FROM realms')).rejects.toThrow(/row-level security/);
      await c.query('ROLLBACK TO SAVEPOINT s');
      // A claim of system (or superadmin) scope with A's organization: no row at
      // all, not every row; the tenant policies know only member roles.
      for (const role of ['system', 'SUPERADMIN']) {
        await c.query(`SELECT set_config('app.org_id', $1, true), set_config('app.role', $2, true)`, [A.orgId, role]);
        for (const t of tables) {
          const { rows } = await c.query(`SELECT count(*)::int AS n FROM ${c.escapeIdentifier(t)}`);
          expect(rows[0].n, `${t} with app.role=${role}`).toBe(0);
        }
      }
      // As an ADMIN of A (the most a tenant context can say): A's rows and global catalog rows only.
      await c.query(`SELECT set_config('app.role', 'ADMIN', true)`);
      for (const t of tables) {
        const { rows } = await c.query(`SELECT count(*)::int AS n FROM ${c.escapeIdentifier(t)}`);
        expect(rows[0].n, `${t} as ADMIN of A`).toBe(await expectedVisible(t, A.orgId));
      }
      for (const role of ['SUPERADMIN', 'ADMIN']) {
        await c.query(`SELECT set_config('app.role', $1, true)`, [role]);
        const { rows } = await c.query('SELECT DISTINCT organization_id::text AS org FROM realms');
        expect(rows.map((r) => r.org), role).toEqual(role === 'ADMIN' ? [A.orgId] : []);
        const users = await c.query('SELECT count(*)::int AS n FROM users WHERE organization_id IS NULL');
        expect(users.rows[0].n, `superadmin rows as ${role}`).toBe(0);
        for (const t of ['login_throttle', 'realm_migration_runs', 'realm_migration_items']) {
          expect((await c.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n, `${t} as ${role}`).toBe(0);
        }
      }
      // No organization at all, every claim of system scope: nothing.
      await c.query(`SELECT set_config('app.org_id', '', true), set_config('app.role', 'system', true)`);
      for (const t of tables) {
        const { rows } = await c.query(`SELECT count(*)::int AS n FROM ${c.escapeIdentifier(t)}`);
        expect(rows[0].n, `${t} as system without an organization`).toBe(0);
      }
      // Writes across organizations stay refused whatever it claims.
      await c.query(`SELECT set_config('app.org_id', $1, true), set_config('app.role', 'SUPERADMIN', true)`, [A.orgId]);
      await c.query('SAVEPOINT w');
      await expect(c.query('INSERT INTO organizations (name) VALUES ($1)', ['by injection'])).rejects.toThrow(/row-level security/);
      await c.query('ROLLBACK TO SAVEPOINT w');
      const hit = await c.query(`UPDATE realms SET name = 'hacked' WHERE organization_id = $1`, [B.orgId]);
      expect(hit.rowCount).toBe(0);
      // Nor can it become the system role.
      await c.query('SAVEPOINT r');
      await expect(c.query('SET ROLE realmgate_system')).rejects.toThrow(/permission denied/);
      await c.query('ROLLBACK TO SAVEPOINT r');
      await c.query('ROLLBACK');
    });
  });

  it('the policies compare organization_id inline: no calls to functions of ours', async () => {
    const { rows } = await owner.query<{ tablename: string; policyname: string; roles: string[]; qual: string | null; with_check: string | null }>(
      `SELECT tablename, policyname, roles::text[] AS roles, qual, with_check FROM pg_policies WHERE schemaname = 'public'`,
    );
    expect(rows.length).toBeGreaterThan(40);
    for (const p of rows) {
      expect(p.roles.length, `${p.tablename}.${p.policyname}`).toBe(1);
      expect(['realmgate_app', 'realmgate_system']).toContain(p.roles[0]);
      expect(`${p.qual ?? ''} ${p.with_check ?? ''}`, `${p.tablename}.${p.policyname}`).not.toMatch(/\brg_/);
    }
    const { rows: fns } = await owner.query(`SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname LIKE 'rg\\_can%'`);
    expect(fns).toEqual([]);
  });
});

describe('row-level security', () => {
  it('(a) without a tenant context, the app sees zero rows in every tenant table', async () => {
    const tables = await tenantTables(owner);
    expect(tables.length).toBeGreaterThanOrEqual(19);
    for (const t of tables) expect(await ownerCount(t), `owner rows in ${t}`).toBeGreaterThan(0);

    await withAppClient(appUrl, async (c) => {
      for (const t of tables) {
        const { rows } = await c.query(`SELECT count(*)::int AS n FROM ${c.escapeIdentifier(t)}`);
        expect(rows[0].n, `plain connection, ${t}`).toBe(0);
      }
    });
    expect(currentTenant()).toBeUndefined();
    for (const t of tables) expect(await delegate(db, t).count(), `tenant client, ${t}`).toBe(0);
    const raw = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM realms`;
    expect(raw[0]!.n).toBe(0);
    // System-only tables too.
    for (const t of ['login_throttle', 'realm_migration_runs', 'realm_migration_items']) {
      expect(await delegate(db, t).count(), t).toBe(0);
    }
  });

  it('(b) an ADMIN sees only their organization (plus global models and agents), through the Prisma extension', async () => {
    const tables = await tenantTables(owner);
    for (const org of [A, B]) {
      await withTenant(adminOf(org), async () => {
        for (const t of tables) {
          const expected = await expectedVisible(t, org.orgId);
          expect(expected, `fixture rows of ${t}`).toBeGreaterThan(0);
          expect(await delegate(db, t).count(), `${t} for ${org.orgId}`).toBe(expected);
        }
        const realms = await db.realm.findMany();
        expect(realms.map((r) => r.organizationId)).toEqual([org.orgId]);
        // Raw SQL through the tenant client is scoped the same way.
        const raw = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM realms`;
        expect(raw[0]!.n).toBe(1);
        const other = org === A ? B : A;
        expect(await db.realm.findUnique({ where: { id: other.realmId } })).toBeNull();
        expect(await db.organization.findUnique({ where: { id: other.orgId } })).toBeNull();
        // The global tool catalog is readable, system-only tables are not.
        expect(await db.tool.count()).toBe(1);
        expect(await db.loginThrottle.count()).toBe(0);
        expect(await db.realmMigrationRun.count()).toBe(0);
      });
    }
    // USER and VIEWER read their organization the same way.
    for (const role of ['USER', 'VIEWER'] as const) {
      await withTenant(adminOf(A, role), async () => {
        expect(await db.realm.count()).toBe(1);
        expect(await db.aiModel.count()).toBe(await expectedVisible('ai_models', A.orgId));
      });
    }
  });

  it('(c) WITH CHECK rejects writing rows into another organization; other rows cannot be changed', async () => {
    await withTenant(adminOf(A), async () => {
      await expect(db.realm.create({ data: { organizationId: B.orgId, ownerId: B.userId, name: 'sneaky' } })).rejects.toThrow(/row-level security/);
      await expect(db.realm.update({ where: { id: A.realmId }, data: { organizationId: B.orgId } })).rejects.toThrow(/row-level security/);
      // Another organization's row is invisible, so not found rather than changed.
      await expect(db.realm.update({ where: { id: B.realmId }, data: { name: 'hacked' } })).rejects.toThrow();
      expect((await db.realm.updateMany({ where: { id: B.realmId }, data: { name: 'hacked' } })).count).toBe(0);
      expect((await db.realm.deleteMany({ where: { id: B.realmId } })).count).toBe(0);
      await expect(db.organization.create({ data: { name: 'new org by admin' } })).rejects.toThrow(/row-level security/);
      await expect(db.aiModel.create({ data: { name: 'global by admin', provider: 'x', providerModelId: 'y', role: 'chat' } })).rejects.toThrow(/row-level security/);
      // Writing into one's own organization works.
      const own = await db.realm.create({ data: { organizationId: A.orgId, ownerId: A.userId, name: 'own realm' } });
      expect(own.organizationId).toBe(A.orgId);
      await db.realm.delete({ where: { id: own.id } });
    });
    const { rows } = await owner.query('SELECT name, organization_id FROM realms WHERE id = $1', [B.realmId]);
    expect(rows[0]).toEqual({ name: 'realm bravo', organization_id: B.orgId });
    const sneaky = await owner.query(`SELECT 1 FROM realms WHERE name = 'sneaky'`);
    expect(sneaky.rowCount).toBe(0);

    // No context may not write at all; a VIEWER may not write even in its own organization.
    await expect(db.realm.create({ data: { organizationId: A.orgId, ownerId: A.userId, name: 'nobody' } })).rejects.toThrow(/row-level security/);
    await withTenant(adminOf(A, 'VIEWER'), async () => {
      await expect(db.realm.create({ data: { organizationId: A.orgId, ownerId: A.userId, name: 'viewer' } })).rejects.toThrow(/row-level security/);
      expect((await db.realm.updateMany({ where: { id: A.realmId }, data: { name: 'viewer was here' } })).count).toBe(0);
      expect((await db.realm.deleteMany({})).count).toBe(0);
    });
  });

  it('(d) SUPERADMIN and system see every row', async () => {
    const tables = await tenantTables(owner);
    for (const role of ['SUPERADMIN', 'system'] as const) {
      await withTenant({ role, orgId: null, userId: null }, async () => {
        for (const t of tables) expect(await delegate(db, t).count(), `${role} ${t}`).toBe(await ownerCount(t));
      });
    }
    await withTenant({ role: 'system', orgId: null, userId: null }, async () => {
      expect(await db.loginThrottle.count()).toBe(1);
    });
  });

  it('(e) 40 interleaved concurrent requests with different contexts never mix', async () => {
    const orgs: { fixture: OrgFixture; realms: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const fixture = await seedOrganization(owner, `concurrent${i}`);
      // Distinct realm counts per organization: a count names the organization it came from.
      for (let k = 0; k < i + 1; k++) {
        await owner.query('INSERT INTO realms (organization_id, owner_id, name) VALUES ($1, $2, $3)', [fixture.orgId, fixture.userId, `extra ${k}`]);
      }
      orgs.push({ fixture, realms: i + 2 });
    }
    const pause = () => new Promise((r) => setTimeout(r, Math.random() * 15));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const { fixture, realms } = orgs[i % orgs.length]!;
        return withTenant(adminOf(fixture), async () => {
          await pause();
          const count = await db.realm.count();
          await pause();
          const rows = i % 3 === 0 ? await db.$transaction(async (tx) => tx.realm.findMany()) : await db.realm.findMany();
          await pause();
          const [viaBatch] = await db.$transaction([db.realm.count()]);
          return { expected: realms, count, viaBatch, foreign: rows.filter((r) => r.organizationId !== fixture.orgId).length, seen: rows.length };
        });
      }),
    );
    for (const r of results) {
      expect(r.count).toBe(r.expected);
      expect(r.viaBatch).toBe(r.expected);
      expect(r.seen).toBe(r.expected);
      expect(r.foreign).toBe(0);
    }
  });

  it('interactive transactions on the tenant client stay one transaction, scoped to the tenant', async () => {
    await withTenant(adminOf(A), async () => {
      await expect(
        db.$transaction(async (tx) => {
          await tx.realm.create({ data: { organizationId: A.orgId, ownerId: A.userId, name: 'rolled back' } });
          expect(await tx.realm.count()).toBe(2);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await db.realm.count()).toBe(1);
      // Plain client + setTenantInTx, as documented for code that holds the base client.
      const n = await base.$transaction(async (tx) => {
        await setTenantInTx(tx, adminOf(B));
        return tx.realm.count();
      });
      expect(n).toBe(1);
    });
    // The base client alone carries no context.
    expect(await base.realm.count()).toBe(0);
  });

  it('inTenantTransaction sets the tenant once: the tenant client\'s own $transaction does it; on a plain client, it does', async () => {
    for (const client of [db, base]) {
      const { sent, result: realms } = await statementsSentBy(() => inTenantTransaction(client, adminOf(A), (tx) => tx.realm.findMany({ select: { organizationId: true } })));
      expect(realms.map((r) => r.organizationId)).toEqual([A.orgId]);
      expect(sent.filter((q) => q.includes("set_config('app.org_id'")), client === db ? 'tenant client' : 'plain client').toHaveLength(1);
    }
  });

  it('the system login serves the session store: it finds every session with no context at all', async () => {
    await withAppClient(systemUrl, async (c) => {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM session');
      expect(rows[0].n).toBe(await ownerCount('session'));
    });
    // The tenant login with the old session-level claim finds none.
    const claim = new URL(appUrl);
    claim.searchParams.set('options', '-c app.role=system');
    await withAppClient(claim.toString(), async (c) => {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM session');
      expect(rows[0].n).toBe(0);
    });
  });

  it('(f) catalog: every tenant table has RLS enabled and forced; realmgate_app owns nothing and cannot bypass', async () => {
    const state = await catalogState(owner);
    expect(state.unprotected).toEqual([]);
    expect(state.grantedWithoutRls).toEqual([]);
    expect(state.appRole).toEqual({ rolbypassrls: false, rolsuper: false, rolcanlogin: false, owned: 0 });
    // The app login inherits no bypass either.
    const { rows } = await owner.query(`SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1`, [appLoginName(ownerUrl)]);
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: true });
    // The system role may touch only tables with RLS forced, and bypasses nothing itself.
    const { rows: sys } = await owner.query(
      `SELECT r.rolsuper, r.rolbypassrls, r.rolcanlogin, (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid AND relkind IN ('r', 'p')) AS owned,
              (SELECT count(*)::int FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND c.relname <> '_realmgate_migrations'
                 AND has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE') AND NOT (c.relrowsecurity AND c.relforcerowsecurity)) AS unprotected
         FROM pg_roles r WHERE rolname = 'realmgate_system'`,
    );
    expect(sys[0]).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false, owned: 0, unprotected: 0 });
  });

  it('(g) the app may append to usage_events and audit_logs but never UPDATE or DELETE them', async () => {
    await withAppClient(appUrl, async (c) => {
      await c.query('BEGIN');
      await c.query(`SELECT set_config('app.role', 'system', true)`);
      for (const sql of ['UPDATE usage_events SET requests = 2', 'DELETE FROM usage_events', 'UPDATE audit_logs SET action = $$x$$', 'DELETE FROM audit_logs', 'TRUNCATE usage_events']) {
        await c.query('SAVEPOINT s');
        await expect(c.query(sql), sql).rejects.toMatchObject({ code: '42501' }); // permission denied, before any trigger
        await c.query('ROLLBACK TO SAVEPOINT s');
      }
      await c.query('ROLLBACK');
    });
    await withTenant(adminOf(A), async () => {
      await db.usageEvent.create({ data: { organizationId: A.orgId, totalTokens: 5 } });
      await db.auditLog.create({ data: { organizationId: A.orgId, action: 'test', resource: 'realm' } });
      await expect(db.auditLog.create({ data: { organizationId: B.orgId, action: 'forged', resource: 'realm' } })).rejects.toThrow(/row-level security/);
      await expect(db.auditLog.updateMany({ data: { action: 'x' } })).rejects.toThrow(/permission denied/);
    });
  });

  it('down.sql reverts everything, keeps the shared role while another database uses it, and up re-applies', async () => {
    await base.$disconnect();
    await systemBase.$disconnect();
    // Down to 0001: 0002 and whatever came after it (later migrations build on its policies).
    const fromRls = loadMigrations().map((f) => f.name).filter((n) => n >= '0002_row_level_security');
    const downToInit = [...fromRls].reverse();
    expect(await migrateDown(ownerUrl, { steps: downToInit.length })).toEqual(downToInit);
    const reverted = await catalogState(owner);
    expect(reverted.policies).toBe(0);
    expect(reverted.appRole).toBeNull(); // no other database used it, so it is gone
    const { rows: leftovers } = await owner.query(
      `SELECT (SELECT count(*)::int FROM pg_class WHERE relnamespace = 'public'::regnamespace AND (relrowsecurity OR relforcerowsecurity)) AS rls,
              (SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname LIKE 'rg\\_%') AS functions,
              (SELECT count(*)::int FROM pg_roles WHERE rolname LIKE 'realmgate\\_app%' OR rolname LIKE 'realmgate\\_system%') AS roles`,
    );
    expect(leftovers[0]).toEqual({ rls: 0, functions: 0, roles: 0 });

    // Three databases migrating at once race to create the cluster-wide role.
    const others = ['rls_two', 'rls_three'];
    for (const name of others) await ensureDatabase(server.url, name);
    const applied = await Promise.all([ownerUrl, ...others.map((n) => withDatabase(server.url, n))].map((u) => migrateUp(u)));
    expect(applied[0]).toEqual(fromRls);
    expect(applied[1]).toContain('0002_row_level_security');

    // Rolling back one database keeps the role the others still grant to.
    expect(await migrateDown(withDatabase(server.url, 'rls_two'), { steps: downToInit.length })).toEqual(downToInit);
    expect((await catalogState(owner)).appRole).not.toBeNull();

    appUrl = await ensureAppLogin(ownerUrl, APP_PASSWORD);
    systemUrl = await ensureSystemLogin(ownerUrl, SYSTEM_PASSWORD);
    const state = await catalogState(owner);
    expect(state.unprotected).toEqual([]);
    expect(state.grantedWithoutRls).toEqual([]);
    expect(state.appRole).toEqual({ rolbypassrls: false, rolsuper: false, rolcanlogin: false, owned: 0 });
    base = createPrisma(appUrl, { max: 4 });
    systemBase = createPrisma(systemUrl, { max: 2 });
    db = createTenantPrisma(base, systemBase);
    expect(await db.realm.count()).toBe(0);
    await withTenant(adminOf(B), async () => expect(await db.realm.count()).toBe(1));

    await withAppClient(server.url, async (c) => {
      for (const name of others) await c.query(`DROP DATABASE ${c.escapeIdentifier(name)} WITH (FORCE)`);
    });
  });

  it('managed databases: a CREATEROLE owner gets an app login; an owner without it falls back, still bound by FORCE', async () => {
    const create = async (role: string, attrs: string) => {
      await owner.query(`CREATE ROLE ${role} LOGIN ${attrs} PASSWORD 'owner-pw'`);
      await owner.query(`CREATE DATABASE ${role}_db OWNER ${role}`);
      const u = new URL(withDatabase(server.url, `${role}_db`));
      u.username = role;
      u.password = 'owner-pw';
      await migrateUp(u.toString());
      return u.toString();
    };
    // Stands in for an owner that created realmgate_app itself (PostgreSQL 16+ gives the creator ADMIN OPTION).
    const crUrl = await create('rg_owner_cr', 'CREATEROLE');
    await owner.query('GRANT realmgate_app TO rg_owner_cr WITH ADMIN OPTION');
    const crWarnings: string[] = [];
    const crApp = await ensureAppLogin(crUrl, 'cr-app-pw', { role: 'rg_cr_login', log: { warn: (_o, msg) => crWarnings.push(msg) } });
    expect(new URL(crApp).username).toBe('rg_cr_login');
    expect(await appConnectionProblem(crApp)).toBeNull();
    expect(crWarnings).toEqual([]);

    const plainUrl = await create('rg_owner_plain', '');
    const warnings: string[] = [];
    const plainApp = await ensureAppLogin(plainUrl, 'plain-app-pw', { role: 'rg_plain_login', log: { warn: (_o, msg) => warnings.push(msg) } });
    expect(plainApp).toBe(plainUrl);
    expect(warnings.join('\n')).toMatch(/row-level security still applies.*DATABASE_APP_URL/);
    // FORCE binds a table owner that is neither superuser nor BYPASSRLS, and a
    // claim of system scope no longer opens anything (migration 0006).
    await withAppClient(plainUrl, async (c) => {
      await expect(c.query(`INSERT INTO organizations (name) VALUES ('by owner')`)).rejects.toThrow(/row-level security/);
      await c.query('BEGIN');
      await c.query(`SELECT set_config('app.role', 'system', true)`);
      await expect(c.query(`INSERT INTO organizations (name) VALUES ('by owner as system')`)).rejects.toThrow(/row-level security/);
      await c.query('ROLLBACK');
      expect((await c.query('SELECT count(*)::int AS n FROM organizations')).rows[0].n).toBe(0);
    });
    // Without CREATEROLE the system login falls back to the owner too, with a warning naming the fix.
    const sysWarnings: string[] = [];
    expect(await ensureSystemLogin(plainUrl, 'plain-sys-pw', { role: 'rg_plain_sys', log: { warn: (_o, msg) => sysWarnings.push(msg) } })).toBe(plainUrl);
    expect(sysWarnings.join('\n')).toMatch(/DATABASE_SYSTEM_URL/);
  });
});
