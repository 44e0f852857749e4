import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MIGRATIONS_DIR,
  loadMigrations,
  migrateDown,
  migrateUp,
  migrationStatus,
  MigrationError,
  type MigrationFile,
} from '../src/db/migrate.js';
import { dumpSchema, userRelations, userTypes } from './setup/schema-dump.js';
import { emptyDatabase, withClient, type EmptyDatabase } from './setup/test-database.js';

const RUNNER_TABLE = '_realmgate_migrations';
const created: EmptyDatabase[] = [];
async function newDatabase(label: string): Promise<EmptyDatabase> {
  const d = await emptyDatabase(label);
  created.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(created.map((d) => d.drop()));
});

const appliedRows = (url: string) =>
  withClient(url, async (c) => (await c.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM ${RUNNER_TABLE} ORDER BY name`)).rows);

describe('migrations', () => {
  const files = loadMigrations();

  it('finds the migrations on disk, each with a down.sql', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files.map((f) => f.name)).toEqual([...files.map((f) => f.name)].sort());
    for (const f of files) expect(f.down, `${f.name} has no down.sql`).not.toBeNull();
  });

  it('up to latest, down to zero and up again leave the same schema', async () => {
    const { url } = await newDatabase('roundtrip');
    // The runner's own table is created by any call; this is the baseline "zero".
    await migrationStatus(url);
    const before = await withClient(url, dumpSchema);

    expect(await migrateUp(url)).toEqual(files.map((f) => f.name));
    const first = await withClient(url, dumpSchema);
    // The dump must see what it compares, or equality would prove nothing.
    expect(first.relations.some((l) => l.startsWith('public.organizations kind=r'))).toBe(true);
    expect(first.columns.some((l) => l.startsWith('public.users.email #') && l.includes('character varying(254) NOT NULL'))).toBe(true);
    expect(first.indexes.some((l) => l.includes('realms_one_default_per_owner') && l.includes('WHERE is_default'))).toBe(true);
    expect(first.constraints.some((l) => l.includes('realms_owner_id_fkey f') && l.includes('ON DELETE CASCADE'))).toBe(true);
    expect(first.triggers.some((l) => l.includes('usage_events_append_only'))).toBe(true);
    expect(first.enums).toContain('public.PricingPlan = FREE, STARTER, PRO, ENTERPRISE');
    expect(first.functions.some((l) => l.includes('reject_mutation'))).toBe(true);
    expect((await migrationStatus(url)).every((s) => s.applied && !s.changed)).toBe(true);
    expect(await migrateUp(url), 'a second up applies nothing').toEqual([]);

    expect(await migrateDown(url, { steps: files.length })).toEqual(files.map((f) => f.name).reverse());
    await withClient(url, async (c) => {
      expect(await userRelations(c, [RUNNER_TABLE]), 'tables, views or sequences left after down to zero').toEqual([]);
      expect(await userTypes(c), 'types left after down to zero').toEqual([]);
      expect(await dumpSchema(c), 'down to zero restores the empty database').toEqual(before);
    });
    expect(await appliedRows(url)).toEqual([]);

    expect(await migrateUp(url)).toEqual(files.map((f) => f.name));
    const second = await withClient(url, dumpSchema);
    expect(second).toEqual(first);
  });

  it('steps one migration at a time, up and down', async () => {
    const { url } = await newDatabase('steps');
    for (const f of files) expect(await migrateUp(url, { steps: 1 })).toEqual([f.name]);
    expect(await migrateUp(url, { steps: 1 })).toEqual([]);
    for (const f of [...files].reverse()) expect(await migrateDown(url)).toEqual([f.name]);
    expect(await migrateDown(url)).toEqual([]);
  });

  it('records checksums and refuses a migration edited after it was applied', async () => {
    const { url } = await newDatabase('checksum');
    await migrateUp(url);
    expect((await appliedRows(url)).map((r) => [r.name, r.checksum])).toEqual(files.map((f) => [f.name, f.checksum]));

    // A copy of the migrations folder with the first file edited, read back by the real loader.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-migrations-'));
    try {
      fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      const target = path.join(dir, files[0]!.name, 'migration.sql');
      fs.appendFileSync(target, '\n-- an innocent-looking edit\n');
      const edited = loadMigrations(dir);
      expect(edited[0]!.checksum).not.toBe(files[0]!.checksum);

      const error = await migrateUp(url, { files: edited }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(new RegExp(`${files[0]!.name} was changed after it was applied`));
      expect((error as Error).message).not.toContain('\n');
      await expect(migrateDown(url, { files: edited })).rejects.toThrow(MigrationError);
      expect((await migrationStatus(url, edited))[0]).toMatchObject({ name: files[0]!.name, applied: true, changed: true });

      // Line endings alone are not an edit (a Windows checkout must still start).
      fs.writeFileSync(target, files[0]!.up.replace(/\n/g, '\r\n'));
      expect(await migrateUp(url, { files: loadMigrations(dir) })).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Nothing was applied or rolled back by the refused calls.
    expect((await appliedRows(url)).map((r) => r.name)).toEqual(files.map((f) => f.name));
  });

  it('refuses a database that has a migration this code does not know', async () => {
    const { url } = await newDatabase('unknown');
    await migrateUp(url);
    const older = files.slice(0, -1);
    await expect(migrateUp(url, { files: older })).rejects.toThrow(new RegExp(`${files[files.length - 1]!.name} is applied in the database but missing`));
  });

  it('two concurrent runners apply each migration exactly once', async () => {
    const { url } = await newDatabase('concurrent');
    const results = await Promise.all([migrateUp(url), migrateUp(url), migrateUp(url)]);
    const applied = results.flat();
    expect(applied.sort()).toEqual(files.map((f) => f.name).sort());
    expect((await appliedRows(url)).map((r) => r.name)).toEqual(files.map((f) => f.name));

    // Same schema as a database migrated alone.
    const alone = await newDatabase('alone');
    await migrateUp(alone.url);
    expect(await withClient(url, dumpSchema)).toEqual(await withClient(alone.url, dumpSchema));
  });

  it('a failing migration leaves nothing half-applied', async () => {
    const { url } = await newDatabase('failing');
    const synthetic = (name: string, up: string, down: string | null = null): MigrationFile => ({ name, up, down, checksum: `sum-${name}-${up.length}` });
    const good = synthetic('0001_good', 'CREATE TABLE t_good (id int PRIMARY KEY);', 'DROP TABLE t_good;');
    const bad = synthetic(
      '0002_bad',
      `CREATE TYPE t_mood AS ENUM ('ok');
       CREATE TABLE t_half (id int PRIMARY KEY, mood t_mood);
       INSERT INTO t_good VALUES (1);
       ALTER TABLE t_good ADD COLUMN extra text;
       SELECT 1 / 0;`,
    );
    const after = synthetic('0003_after', 'CREATE TABLE t_after (id int);');

    const error = await migrateUp(url, { files: [good, bad, after] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/0002_bad failed: division by zero/);

    await withClient(url, async (c) => {
      expect(await userRelations(c, [RUNNER_TABLE])).toEqual(['public.t_good']);
      expect(await userTypes(c)).toEqual([]);
      const cols = await c.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 't_good' ORDER BY ordinal_position`);
      expect(cols.rows.map((r) => r.column_name)).toEqual(['id']);
      expect((await c.query('SELECT count(*)::int AS n FROM t_good')).rows[0].n).toBe(0);
    });
    expect((await appliedRows(url)).map((r) => r.name)).toEqual(['0001_good']);

    // A down that fails is rolled back too: the migration stays applied.
    const brokenDown = { ...good, down: 'DROP TABLE t_good; SELECT * FROM no_such_table;' };
    await expect(migrateDown(url, { files: [brokenDown] })).rejects.toThrow(/Rolling back 0001_good failed/);
    await withClient(url, async (c) => expect(await userRelations(c, [RUNNER_TABLE])).toEqual(['public.t_good']));
    expect((await appliedRows(url)).map((r) => r.name)).toEqual(['0001_good']);

    // Once fixed, the rest applies.
    const fixed = { ...bad, up: 'CREATE TABLE t_half (id int PRIMARY KEY);', checksum: 'sum-fixed' };
    expect(await migrateUp(url, { files: [good, fixed, after] })).toEqual(['0002_bad', '0003_after']);
  });
});
