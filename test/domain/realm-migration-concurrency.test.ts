import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRealmForNewRow } from '../../src/domain/realms/ensure-realm-for-new-row.js';
import { REALM_KINDS } from '../../src/domain/realms/realm-kinds.js';
import { realmMigrationStatus } from '../../src/domain/realms/realm-migration-status.js';
import { rollbackRealmMigration } from '../../src/domain/realms/rollback-realm-migration.js';
import { runRealmMigration } from '../../src/domain/realms/run-realm-migration.js';
import { inActorTransaction } from '../../src/domain/shared/actor-transaction.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createLegacyTenants, insertLegacyRows, type LegacyTenants } from '../../bench/legacy-realm-rows.js';

let t: AppDatabase;
let owner: pg.Client;
let tenants: LegacyTenants;
let totalRows = 0;
const q = async (sql: string, params: unknown[] = []) => (await owner.query(sql, params)).rows;
const code = async (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));
const nullRows = async () => Number((await q(`SELECT ${REALM_KINDS.map((k) => `(SELECT count(*) FROM ${k.table} WHERE realm_id IS NULL)`).join(' + ')} AS n`))[0]!.n);
const duplicateDefaults = async () => q(`SELECT owner_id FROM realms WHERE is_default GROUP BY owner_id HAVING count(*) > 1`);
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
};

beforeAll(async () => {
  t = await appDatabase('realm_concurrency');
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  tenants = await createLegacyTenants(owner, { orgs: 2, usersPerOrg: 10 });
  const counts = await insertLegacyRows(owner, { rows: 3000, orgOwnedEvery: 9, tenants });
  totalRows = Object.values(counts).reduce((a, b) => a + b, 0);
});
afterAll(async () => {
  await owner?.end();
  await t?.drop();
});

describe('realm migration under concurrency', () => {
  it('a second migration (or a rollback) fails with CONFLICT while one runs; the next one moves nothing', async () => {
    const hold = gate();
    const started = gate();
    const first = runRealmMigration(t.app, SYSTEM_ACTOR, {
      batchSize: 100,
      onProgress: async (p) => {
        if (p.phase !== 'rows') return;
        started.open();
        await hold.opened;
      },
    });
    await started.opened;
    // Another pool (another "process"): the advisory lock is per database.
    expect(await code(runRealmMigration(t.db, SYSTEM_ACTOR))).toBe('CONFLICT');
    expect(await code(rollbackRealmMigration(t.app, SYSTEM_ACTOR))).toBe('CONFLICT');
    // Read through the app login: pg_locks tells it the migration is live.
    const live = await realmMigrationStatus(t.app, SYSTEM_ACTOR);
    expect(live).toMatchObject({ live: true, latest: { status: 'RUNNING' } });
    expect(live.latest!.rowsDone).toBeGreaterThan(0);
    expect(live.latest!.rowsDone).toBeLessThan(totalRows);
    hold.open();
    expect(await first).toMatchObject({ status: 'COMPLETED', rowsMoved: totalRows });
    expect(await runRealmMigration(t.db, SYSTEM_ACTOR)).toMatchObject({ status: 'COMPLETED', rowsMoved: 0, realmsCreated: 0 });
    expect(await nullRows()).toBe(0);
    expect(await duplicateDefaults()).toEqual([]);
  });

  it('with lockWaitMs the second waits for the first, then finds nothing left', async () => {
    await rollbackRealmMigration(t.app, SYSTEM_ACTOR);
    expect(await nullRows()).toBe(totalRows);
    const [a, b] = await Promise.all([
      runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 50, lockWaitMs: 60_000 }),
      runRealmMigration(t.db, SYSTEM_ACTOR, { batchSize: 50, lockWaitMs: 60_000 }),
    ]);
    expect(a.rowsMoved + b.rowsMoved).toBe(totalRows);
    expect(Math.min(a.rowsMoved, b.rowsMoved)).toBe(0);
    expect(await duplicateDefaults()).toEqual([]);
    const [{ n }] = await q(`SELECT count(*)::int AS n FROM realm_migration_items`);
    expect(n).toBe(totalRows);
  });

  it('stops after the current batch when aborted; the next call resumes the same run and finishes', async () => {
    await rollbackRealmMigration(t.app, SYSTEM_ACTOR);
    const stop = new AbortController();
    const stopped = await runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 100, signal: stop.signal, onProgress: (p) => void (p.rowsDone >= 300 && stop.abort()) });
    expect(stopped).toMatchObject({ status: 'STOPPED', rowsDone: 300 });
    expect(await nullRows()).toBe(totalRows - 300);
    expect(await t.db.realmMigrationRun.findUniqueOrThrow({ where: { id: stopped.runId } })).toMatchObject({ status: 'FAILED', rowsDone: 300 });
    expect((await realmMigrationStatus(t.app, SYSTEM_ACTOR)).live).toBe(false);

    const resumed = await runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 100 });
    expect(resumed).toMatchObject({ runId: stopped.runId, resumed: true, status: 'COMPLETED', rowsMoved: totalRows - 300, rowsDone: totalRows, rowsTotal: totalRows });
    const [{ n }] = await q(`SELECT count(*)::int AS n FROM realm_migration_items WHERE run_id = $1`, [stopped.runId]);
    expect(n).toBe(totalRows);
  });

  it('keeps one default realm per user while the app creates default realms and rows during the run', async () => {
    await rollbackRealmMigration(t.app, SYSTEM_ACTOR);
    const users = tenants.userIds;
    const migration = runRealmMigration(t.app, SYSTEM_ACTOR, { batchSize: 25 });
    const app = Promise.all(
      users.map((userId, i) =>
        inActorTransaction(t.db, SYSTEM_ACTOR, async (tx) => {
          const realm = await ensureRealmForNewRow(tx, SYSTEM_ACTOR, { ownerId: userId });
          const u = await tx.user.findUniqueOrThrow({ where: { id: userId } });
          await tx.chatSession.create({ data: { organizationId: u.organizationId!, userId, realmId: realm.id, title: `during ${i}` } });
          return realm.id;
          // Every user at once on a small pool, some waiting on the migration's row locks: on a
          // busy machine a transaction waits past Prisma's 2 s default for a connection.
        }, { maxWait: 60_000, timeout: 60_000 }),
      ),
    );
    const [result, realmIds] = await Promise.all([migration, app]);
    expect(result.status).toBe('COMPLETED');
    expect(await duplicateDefaults()).toEqual([]);
    const defaults = await t.db.realm.findMany({ where: { ownerId: { in: users }, isDefault: true } });
    expect(new Set(realmIds)).toEqual(new Set(defaults.map((d) => d.id)));
    expect(await nullRows()).toBe(0);
  });
});
