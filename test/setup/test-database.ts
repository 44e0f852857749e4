import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { PrismaClient } from '@prisma/client';
import { createPrisma } from '../../src/db/client.js';
import { withDatabase } from '../../src/db/embedded-postgres.js';
import { migrateUp } from '../../src/db/migrate.js';

export interface EmptyDatabase {
  /** Connection string of the new database. */
  url: string;
  name: string;
  /** Drops the database (forcing out any connection left open). */
  drop(): Promise<void>;
}

export interface TestDatabase extends EmptyDatabase {
  /** Prisma client on the new database; closed by drop(). */
  db: PrismaClient;
}

/** Admin URL of the run's PostgreSQL server (see global-setup.ts). */
export function adminUrl(): string {
  return inject('pgAdminUrl');
}

/** Runs `fn` with a pg client connected to `url`, closing it afterwards. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function uniqueName(label: string): string {
  const worker = process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? '0';
  const clean = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  return `rg_t${worker}_${clean}_${crypto.randomBytes(4).toString('hex')}`;
}

/** A new, empty database (no migrations) on the test server. */
export async function emptyDatabase(label = 'db'): Promise<EmptyDatabase> {
  const admin = adminUrl();
  const name = uniqueName(label);
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  let dropped = false;
  return {
    name,
    url: withDatabase(admin, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}

/** A new database with every migration applied and a Prisma client on it. */
export async function freshDatabase(label = 'db'): Promise<TestDatabase> {
  const empty = await emptyDatabase(label);
  try {
    await migrateUp(empty.url);
  } catch (e) {
    await empty.drop();
    throw e;
  }
  const db = createPrisma(empty.url, { max: 4 });
  return {
    ...empty,
    db,
    async drop() {
      await db.$disconnect().catch(() => {});
      await empty.drop();
    },
  };
}
