import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRealmMigration } from '../../src/domain/realms/plan-realm-migration.js';
import { REALM_KINDS } from '../../src/domain/realms/realm-kinds.js';
import { realmMigrationStatus } from '../../src/domain/realms/realm-migration-status.js';
import { rollbackRealmMigration } from '../../src/domain/realms/rollback-realm-migration.js';
import { runRealmMigration } from '../../src/domain/realms/run-realm-migration.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/domain/shared/actor.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createUser } from '../support/factories.js';
import { createLegacyTenants, insertLegacyRows, type LegacyTenants } from '../../bench/legacy-realm-rows.js';

let t: AppDatabase;
let owner: pg.Client;
let tenants: LegacyTenants;
const ids: Record<string, string> = {};
const q = async <T extends pg.QueryResultRow = Record<string, any>>(sql: string, params: unknown[] = []) => (await owner.query<T>(sql, params)).rows;
const code = async (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));
const nullRows = async () => (await q(`SELECT ${REALM_KINDS.map((k) => `(SELECT count(*) FROM ${k.table} WHERE realm_id IS NULL)`).join(' + ')} AS n`))[0]!.n as string;

beforeAll(async () => {
  t = await appDatabase('realm_migration');
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  // 4 organizations x 6 users; the last organization has no ADMIN.
  tenants = await createLegacyTenants(owner, { orgs: 4, usersPerOrg: 6, orgsWithoutAdmin: 1 });
  await insertLegacyRows(owner, { rows: 1200, orgOwnedEvery: 7, tenants });
  const [org1] = await q(`SELECT id FROM organizations WHERE name LIKE $1 ORDER BY name LIMIT 1`, [`legacy-${tenants.tag}-1`]);
  ids.org1 = org1!.id;
  ids.oldestAdmin = (await q(`SELECT id FROM users WHERE organization_id = $1 AND role = 'ADMIN'`, [ids.org1]))[0]!.id;
  // A newer admin must not take the organization's rows.
  ids.newAdmin = (await createUser(t.db, { id: ids.org1 }, 'ADMIN')).id;
  // A user who already has a default realm and a project realm with data in it.
  const veteran = await createUser(t.db, { id: ids.org1 }, 'USER');
  ids.veteran = veteran.id;
  ids.veteranDefault = (await t.db.realm.create({ data: { organizationId: ids.org1, ownerId: veteran.id, name: 'Default', isDefault: true } })).id;
  ids.veteranProject = (await t.db.realm.create({ data: { organizationId: ids.org1, ownerId: veteran.id, name: 'Project' } })).id;
  await q(`INSERT INTO documents (organization_id, user_id, realm_id, name, mime_type) VALUES ($1, $2, $3, 'in-project.pdf', 'application/pdf'), ($1, $2, NULL, 'legacy.pdf', 'application/pdf')`, [ids.org1, veteran.id, ids.veteranProject]);
  await q(`INSERT INTO knowledge_bases (organization_id, user_id, realm_id, name) VALUES ($1, $2, $3, 'Specs')`, [ids.org1, veteran.id, ids.veteranDefault]);
  // Two legacy knowledge bases named like one already in the default realm.
  await q(`INSERT INTO knowledge_bases (organization_id, user_id, name) VALUES ($1, $2, 'Specs'), ($1, $2, 'Specs')`, [ids.org1, veteran.id]);
  // A user whose non-default realm is already called "Default".
  const named = await createUser(t.db, { id: ids.org1 }, 'USER');
  ids.named = named.id;
  await t.db.realm.create({ data: { organizationId: ids.org1, ownerId: named.id, name: 'Default' } });
  await q(`INSERT INTO chat_sessions (organization_id, user_id, title) VALUES ($1, $2, 'hello')`, [ids.org1, named.id]);
  // A platform superadmin (no organization) owning a row: it cannot move.
  const root = await createUser(t.db, null, 'SUPERADMIN');
  ids.root = root.id;
  await q(`INSERT INTO chat_sessions (organization_id, user_id, title) VALUES ($1, $2, 'staff chat')`, [ids.org1, root.id]);
});
afterAll(async () => {
  await owner?.end();
  await t?.drop();
});

describe('realm migration', () => {
  it('dry run: per user and kind what would move, what is blocked, and changes nothing', async () => {
    const realmsBefore = await t.db.realm.count();
    const plan = await planRealmMigration(t.app, SYSTEM_ACTOR);
    expect(await t.db.realm.count()).toBe(realmsBefore);

    for (const k of REALM_KINDS) {
      const [direct] = await q(`SELECT count(*)::int AS n FROM ${k.table} WHERE realm_id IS NULL`);
      expect(plan.totals.byKind[k.kind] + plan.blocked.reduce((a, b) => a + b.counts[k.kind], 0)).toBe(direct!.n);
    }
    const veteran = plan.owners.find((o) => o.userId === ids.veteran && o.source === 'USER')!;
    expect(veteran.hasDefaultRealm).toBe(true);
    expect(veteran.counts).toMatchObject({ DOCUMENT: 1, KNOWLEDGE_BASE: 2 });
    // Organization rows are planned for the oldest admin, not the newer one.
    const orgRows = plan.owners.filter((o) => o.source === 'ORGANIZATION');
    expect(orgRows.some((o) => o.userId === ids.oldestAdmin)).toBe(true);
    expect(orgRows.some((o) => o.userId === ids.newAdmin)).toBe(false);
    const reasons = new Set(plan.blocked.map((b) => b.reason));
    expect(reasons).toEqual(new Set(['ORGANIZATION_WITHOUT_ADMIN', 'OWNER_WITHOUT_ORGANIZATION']));
    expect(plan.blocked.find((b) => b.reason === 'OWNER_WITHOUT_ORGANIZATION')).toMatchObject({ userId: ids.root, total: 1 });
    const usersWithOrg = await t.db.user.count({ where: { organizationId: { not: null } } });
    expect(plan.totals.realmsToCreate).toBe(usersWithOrg - 1); // the veteran has one
    expect(plan.totals.usersWithoutOrganization).toBe(1);
  });

  it('is reserved to superadmins and the system actor', async () => {
    const admin = await actorFor(t.db, await t.db.user.findUniqueOrThrow({ where: { id: ids.oldestAdmin } }));
    const user = await actorFor(t.db, await t.db.user.findUniqueOrThrow({ where: { id: ids.veteran } }));
    for (const a of [admin, user, { kind: 'api-key', apiKeyId: ids.veteran, organizationId: ids.org1, userId: null, scopes: ['keys:manage'] } as Actor]) {
      expect(await code(planRealmMigration(t.app, a))).toBe('FORBIDDEN');
      expect(await code(runRealmMigration(t.app, a))).toBe('FORBIDDEN');
      expect(await code(rollbackRealmMigration(t.app, a))).toBe('FORBIDDEN');
      expect(await code(realmMigrationStatus(t.app, a))).toBe('FORBIDDEN');
    }
    const root = await actorFor(t.db, await t.db.user.findUniqueOrThrow({ where: { id: ids.root } }));
    expect((await planRealmMigration(t.app, root)).totals.rows).toBeGreaterThan(0);
    expect(await t.db.realmMigrationRun.count()).toBe(0);
  });

  it('gives every user exactly one default realm and moves every movable row into it, journaled', async () => {
    const plan = await planRealmMigration(t.app, SYSTEM_ACTOR);
    const seen: number[] = [];
    const r = await runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 37, onProgress: (p) => void (p.phase === 'rows' && seen.push(p.rowsDone)) });
    expect(r).toMatchObject({ status: 'COMPLETED', resumed: false, rowsMoved: plan.totals.rows, realmsCreated: plan.totals.realmsToCreate, rowsDone: plan.totals.rows, rowsTotal: plan.totals.rows });
    expect(r.rowsLeftWithoutRealm).toBe(plan.totals.blockedRows);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    const dupes = await q(`SELECT owner_id FROM realms WHERE is_default GROUP BY owner_id HAVING count(*) > 1`);
    expect(dupes).toEqual([]);
    const [{ n: withoutDefault }] = await q(`SELECT count(*)::int AS n FROM users u WHERE organization_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM realms r WHERE r.owner_id = u.id AND r.is_default)`);
    expect(withoutDefault).toBe(0);
    expect(await t.db.realm.count({ where: { createdByMigrationRunId: r.runId } })).toBe(plan.totals.realmsToCreate);
    expect((await t.db.realm.findFirstOrThrow({ where: { ownerId: ids.named, isDefault: true } })).name).not.toBe('Default');

    for (const k of REALM_KINDS) {
      // Each moved row sits in its owner's (or its organization's oldest admin's) default realm.
      const wrong = await q(`
        SELECT t.id FROM ${k.table} t JOIN realm_migration_items i ON i.kind = '${k.kind}' AND i.row_id = t.id
        JOIN realms d ON d.id = t.realm_id
        WHERE i.realm_id <> t.realm_id OR NOT d.is_default OR d.organization_id <> t.organization_id
           OR d.owner_id <> COALESCE(t.user_id, (SELECT id FROM users a WHERE a.organization_id = t.organization_id AND a.role = 'ADMIN' ORDER BY created_at LIMIT 1))`);
      expect(wrong).toEqual([]);
    }
    const [{ n: journal }] = await q(`SELECT count(*)::int AS n FROM realm_migration_items WHERE run_id = $1`, [r.runId]);
    expect(journal).toBe(r.rowsMoved);
    expect(await t.db.document.findFirstOrThrow({ where: { name: 'in-project.pdf' } })).toMatchObject({ realmId: ids.veteranProject });
    const specs = await t.db.knowledgeBase.findMany({ where: { userId: ids.veteran }, orderBy: { name: 'asc' } });
    expect(specs.map((s) => s.realmId)).toEqual([ids.veteranDefault, ids.veteranDefault, ids.veteranDefault]);
    expect(specs.filter((s) => s.name === 'Specs')).toHaveLength(1);
    expect(r.renamedKnowledgeBases).toBe(2);
    expect(await t.db.chatSession.findFirstOrThrow({ where: { userId: ids.root } })).toMatchObject({ realmId: null });
    expect(await t.db.auditLog.count({ where: { resource: 'RealmMigrationRun', recordId: r.runId } })).toBe(2);
    expect(await t.db.realmMigrationRun.findUniqueOrThrow({ where: { id: r.runId } })).toMatchObject({ status: 'COMPLETED', rowsDone: r.rowsMoved, rowsTotal: r.rowsMoved });
  });

  it('is idempotent: a second run moves nothing and creates no realm', async () => {
    const realms = await t.db.realm.count();
    const left = await nullRows();
    const r = await runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 500 });
    expect(r).toMatchObject({ status: 'COMPLETED', rowsMoved: 0, realmsCreated: 0, rowsDone: 0, rowsTotal: 0 });
    expect(await t.db.realm.count()).toBe(realms);
    expect(await nullRows()).toBe(left);
    const status = await realmMigrationStatus(t.app, SYSTEM_ACTOR);
    expect(status).toMatchObject({ live: false, latest: { id: r.runId, status: 'COMPLETED' } });
    expect(status.withoutRealm.CHAT_SESSION).toBeGreaterThan(0); // the blocked ones
  });
});
