import pg from 'pg';
import type { PrismaClient } from '@prisma/client';
import { ConfigError, parseDatabaseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openDatabase } from '../db/database.js';
import { createPrisma } from '../db/client.js';
import { migrationsCurrent } from '../db/migrate.js';

/** A failure the CLI reports as one line on stderr, exit code 1. */
export class CliError extends Error {}

export interface CliDatabase {
  db: PrismaClient;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the database the way `npm run migrate` does (DATABASE_URL, else the
 * embedded PostgreSQL on PGDATA_DIR) and refuses to go on while migrations are
 * pending: the realm tools need the schema the code was written for.
 */
export async function openCliDatabase(env: NodeJS.ProcessEnv = process.env): Promise<CliDatabase> {
  let config;
  try {
    config = parseDatabaseConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  let database;
  try {
    database = await openDatabase(config, log);
  } catch (e) {
    throw new CliError(`Could not open the database: ${(e as Error).message}`);
  }
  try {
    const client = new pg.Client({ connectionString: database.url, application_name: 'realmgate-cli' });
    await client.connect();
    let current: boolean;
    try {
      current = await migrationsCurrent((sql) => client.query(sql));
    } finally {
      await client.end().catch(() => {});
    }
    if (!current) throw new CliError('The database schema is not current: migrations are pending or changed. Run `npm run migrate -- up` (or start the app once), then try again.');
  } catch (e) {
    await database.stop().catch(() => {});
    if (e instanceof CliError) throw e;
    throw new CliError(`Could not reach the database: ${(e as Error).message}`);
  }
  const db = createPrisma(database.url, { max: 4 });
  return {
    db,
    url: database.url,
    async close() {
      await db.$disconnect().catch(() => {});
      await database.stop().catch(() => {});
    },
  };
}
