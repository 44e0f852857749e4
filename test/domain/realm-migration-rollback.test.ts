import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REALM_KINDS } from '../../src/domain/realms/realm-kinds.js';
import { rollbackRealmMigration } from '../../src/domain/realms/rollback-realm-migration.js';
import { runRealmMigration } from '../../src/domain/realms/run-realm-migration.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createUser } from '../support/factories.js';
import { createLegacyTenants, insertLegacyRows } from '../../bench/legacy-realm-rows.js';

let t: AppDatabase;
let owner: pg.Client;
let orgId: string;
let projectRealm: string;
let userId: string;
const q = async (sql: string, params: unknown[] = []) => (await owner.query(sql, params)).rows;
const code = async (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));

/** Every realm-scoped row (id, realm, name) and every realm, as plain data. */
async function snapshot() {
  const rows: Record<string, Record<string, string>> = {};
  for (const k of REALM_KINDS) {
    const name = k.table === 'knowledge_bases' ? 'name' : `''`;
    rows[k.table] = Object.fromEntries((await q(`SELECT id, realm_id, ${name} AS name FROM ${k.table} ORDER BY id`)).map((r) => [r.id, `${r.realm_id}|${r.name}`]));
  }
  const realms = await q(`SELECT id, owner_id, name, is_default, is_active, created_by_migration_run_id FROM realms ORDER BY id`);
  const counts = await q(`SELECT ${[...REALM_KINDS.map((k) => k.table), 'users', 'organizations', 'chat_messages'].map((tb) => `(SELECT count(*) FROM ${tb})::int AS ${tb}`).join(', ')}`);
  return { rows, realms, counts: counts[0] };
}

beforeAll(async () => {
  t = await appDatabase('realm_rollback');
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  const tenants = await createLegacyTenants(owner, { orgs: 3, usersPerOrg: 5 });
  await insertLegacyRows(owner, { rows: 900, orgOwnedEvery: 5, tenants });
  orgId = tenants.orgIds[0]!;
  // Some data already lives in realms before the migration: it must not move.
  const u = await createUser(t.db, { id: orgId }, 'USER');
  userId = u.id;
  projectRealm = (await t.db.realm.create({ data: { organizationId: orgId, ownerId: u.id, name: 'Project' } })).id;
  await q(`INSERT INTO documents (organization_id, user_id, realm_id, name, mime_type) VALUES ($1, $2, $3, 'kept.pdf', 'application/pdf'), ($1, $2, NULL, 'legacy.pdf', 'application/pdf')`, [orgId, u.id, projectRealm]);
  await q(`INSERT INTO knowledge_bases (organization_id, user_id, name) VALUES ($1, $2, 'Dup'), ($1, $2, 'Dup')`, [orgId, u.id]);
  await q(`INSERT INTO chat_messages (organization_id, session_id, role, content) SELECT organization_id, id, 'USER', 'hi' FROM chat_sessions LIMIT 50`);
});
afterAll(async () => {
  await owner?.end();
  await t?.drop();
});

describe('rollbackRealmMigration', () => {
  it('restores realm_id (and renamed knowledge-base names) of every row exactly, removes the realms the run made, deletes no data', async () => {
    const before = await snapshot();
    const run = await runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 64 });
    expect(run.rowsMoved).toBeGreaterThan(800);
    expect(run.renamedKnowledgeBases).toBe(1);
    expect((await snapshot()).rows).not.toEqual(before.rows);

    const progress: number[] = [];
    const r = await rollbackRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 50, onProgress: (p) => void (p.phase === 'rows' && progress.push(p.done)) });
    expect(r.status).toBe('COMPLETED');
    expect(r.runs).toEqual([{ runId: run.runId, rowsReverted: run.rowsMoved, rowsKept: [], rowsGone: 0, realmsDeleted: run.realmsCreated, realmsKept: [] }]);
    expect(progress.at(-1)).toBe(run.rowsMoved);

    const after = await snapshot();
    expect(after.counts).toEqual(before.counts);
    expect(after.rows).toEqual(before.rows);
    expect(after.realms).toEqual(before.realms);
    expect(await t.db.realmMigrationItem.count()).toBe(0);
    expect(await t.db.realmMigrationRun.findUniqueOrThrow({ where: { id: run.runId } })).toMatchObject({ status: 'ROLLED_BACK' });
    expect(await t.db.auditLog.count({ where: { action: 'realm-migration.rollback', recordId: run.runId } })).toBe(1);
    // Nothing left to roll back.
    expect((await rollbackRealmMigration(t.app, SYSTEM_ACTOR)).runs).toEqual([]);
    expect((await rollbackRealmMigration(t.app, SYSTEM_ACTOR, { runId: run.runId })).runs).toEqual([]);
  });

  it('leaves rows a person moved since, and default realms that hold new data; reports both', async () => {
    const before = await snapshot();
    const run = await runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 200 });
    // After the migration, people keep working:
    const moved = await t.db.document.findFirstOrThrow({ where: { name: 'legacy.pdf' } });
    await t.db.document.update({ where: { id: moved.id }, data: { realmId: projectRealm } });
    const [gone] = await q(`DELETE FROM chat_sessions WHERE id = (SELECT row_id FROM realm_migration_items WHERE kind = 'CHAT_SESSION' ORDER BY row_id LIMIT 1) RETURNING id`);
    const busy = await t.db.realm.findFirstOrThrow({ where: { createdByMigrationRunId: run.runId, ownerId: { not: userId } } });
    const fresh = await t.db.chatSession.create({ data: { organizationId: busy.organizationId, userId: busy.ownerId, realmId: busy.id, title: 'new since' } });

    const r = await rollbackRealmMigration(t.app, SYSTEM_ACTOR, { runId: run.runId, batchSize: 77 });
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]).toMatchObject({ rowsReverted: run.rowsMoved - 2, rowsKept: [{ kind: 'DOCUMENT', rowId: moved.id }], rowsGone: 1, realmsKept: [busy.id], realmsDeleted: run.realmsCreated - 1 });

    const after = await snapshot();
    const expected = structuredClone(before.rows);
    expected.documents![moved.id] = `${projectRealm}|`;
    delete expected.chat_sessions![gone!.id];
    expected.chat_sessions![fresh.id] = `${busy.id}|`;
    expect(after.rows).toEqual(expected);
    expect(after.realms.map((x) => x.id).sort()).toEqual([...before.realms.map((x) => x.id), busy.id].sort());
    expect(await t.db.realmMigrationItem.count()).toBe(0);
  });

  it('validates its input', async () => {
    expect(await code(rollbackRealmMigration(t.app, SYSTEM_ACTOR, { runId: 'nope' }))).toBe('INVALID');
    expect(await code(rollbackRealmMigration(t.app, SYSTEM_ACTOR, { runId: '7d1f0c1e-8a55-4a5e-9d0c-1d2f3a4b5c6d' }))).toBe('NOT_FOUND');
    expect(await code(runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 0 }))).toBe('INVALID');
  });
});
