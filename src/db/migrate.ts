import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * The migration runner: SQL files in prisma/migrations/NNNN_name/{migration,down}.sql,
 * applied in order, one transaction per file holding a transaction-scoped advisory
 * lock (safe behind PgBouncer in transaction pooling), with name and checksum
 * recorded. A file edited after it was applied is refused.
 */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');
const TABLE = '_realmgate_migrations';
// Any constant works; it only has to be the same for every Realmgate process.
const LOCK_KEY = 727_274_001;

export interface MigrationFile {
  name: string;
  up: string;
  down: string | null;
  checksum: string;
}

export interface MigrationState {
  name: string;
  applied: boolean;
  appliedAt: Date | null;
  changed: boolean;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const checksum = (sql: string) => crypto.createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');

export function loadMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d{4}_[a-z0-9_]+$/.test(d.name))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const up = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      const downPath = path.join(dir, name, 'down.sql');
      return { name, up, down: fs.existsSync(downPath) ? fs.readFileSync(downPath, 'utf8') : null, checksum: checksum(up) };
    });
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'realmgate-migrate' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Runs `fn` in one transaction that holds the runners' advisory lock. The lock
 * is transaction-scoped, never session-level: behind PgBouncer in transaction
 * pooling a session lock would stay on whichever server connection took it (and
 * its unlock could land on another), so every step takes the lock afresh,
 * re-reads what is applied, and commits or rolls back with the lock.
 */
async function lockedTransaction<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      name TEXT PRIMARY KEY,
      checksum TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const out = await fn();
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

async function applied(client: pg.Client): Promise<Map<string, { checksum: string; appliedAt: Date }>> {
  const { rows } = await client.query<{ name: string; checksum: string; applied_at: Date }>(`SELECT name, checksum, applied_at FROM ${TABLE} ORDER BY name`);
  return new Map(rows.map((r) => [r.name, { checksum: r.checksum, appliedAt: r.applied_at }]));
}

function verify(files: MigrationFile[], done: Map<string, { checksum: string }>): void {
  const known = new Map(files.map((f) => [f.name, f]));
  for (const [name, row] of done) {
    const file = known.get(name);
    if (!file) throw new MigrationError(`Migration ${name} is applied in the database but missing from ${MIGRATIONS_DIR}: is this code older than the database?`);
    if (file.checksum !== row.checksum) {
      throw new MigrationError(`Migration ${name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)} in the database, ${file.checksum.slice(0, 12)} on disk). Add a new migration instead of editing an applied one.`);
    }
  }
}

/** Every migration with whether it is applied; throws if an applied file changed. */
export async function migrationStatus(url: string, files = loadMigrations()): Promise<MigrationState[]> {
  return withClient(url, (client) =>
    lockedTransaction(client, async () => {
      const done = await applied(client);
      return files.map((f) => {
        const row = done.get(f.name);
        return { name: f.name, applied: !!row, appliedAt: row?.appliedAt ?? null, changed: !!row && row.checksum !== f.checksum };
      });
    }),
  );
}

/**
 * Applies pending migrations in order (at most `steps`); returns the names applied.
 * One transaction per file, each under the lock and re-checking what is applied,
 * so racing runners (several instances starting at once) apply each file once.
 */
export async function migrateUp(url: string, opts: { steps?: number; files?: MigrationFile[] } = {}): Promise<string[]> {
  const files = opts.files ?? loadMigrations();
  const steps = opts.steps ?? Infinity;
  return withClient(url, async (client) => {
    const pending = await lockedTransaction(client, async () => {
      const done = await applied(client);
      verify(files, done);
      return files.filter((f) => !done.has(f.name)).slice(0, steps);
    });
    const appliedNow: string[] = [];
    for (const f of pending) {
      const did = await lockedTransaction(client, async () => {
        const done = await applied(client);
        verify(files, done);
        if (done.has(f.name)) return false; // another runner applied it meanwhile
        try {
          await client.query(f.up);
        } catch (e) {
          throw new MigrationError(`Migration ${f.name} failed: ${(e as Error).message}`);
        }
        await client.query(`INSERT INTO ${TABLE} (name, checksum) VALUES ($1, $2)`, [f.name, f.checksum]);
        return true;
      });
      if (did) appliedNow.push(f.name);
    }
    return appliedNow;
  });
}

/** Rolls back the last `steps` applied migrations with their down.sql; returns the names. */
export async function migrateDown(url: string, opts: { steps?: number; files?: MigrationFile[] } = {}): Promise<string[]> {
  const files = opts.files ?? loadMigrations();
  const steps = opts.steps ?? 1;
  return withClient(url, async (client) => {
    const reverted: string[] = [];
    while (reverted.length < steps) {
      const name = await lockedTransaction(client, async () => {
        const done = await applied(client);
        verify(files, done);
        const f = files.filter((x) => done.has(x.name)).pop();
        if (!f) return null;
        if (f.down === null) throw new MigrationError(`Migration ${f.name} has no down.sql and cannot be rolled back`);
        try {
          await client.query(f.down);
        } catch (e) {
          throw new MigrationError(`Rolling back ${f.name} failed: ${(e as Error).message}`);
        }
        await client.query(`DELETE FROM ${TABLE} WHERE name = $1`, [f.name]);
        return f.name;
      });
      if (!name) break;
      reverted.push(name);
    }
    return reverted;
  });
}

/**
 * True when every migration on disk is applied and none changed. Reads without
 * the advisory lock so a readiness probe never queues behind a running migration.
 */
export async function migrationsCurrent(query: (sql: string) => Promise<{ rows: { name: string; checksum: string }[] }>, files = loadMigrations()): Promise<boolean> {
  let rows: { name: string; checksum: string }[];
  try {
    ({ rows } = await query(`SELECT name, checksum FROM ${TABLE}`));
  } catch {
    return false;
  }
  const done = new Map(rows.map((r) => [r.name, r.checksum]));
  return files.every((f) => done.get(f.name) === f.checksum);
}
