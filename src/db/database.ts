import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import pg from 'pg';
import { loadOrCreateSecrets, secretsFileFor } from '../dev-secrets.js';
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgres } from './embedded-postgres.js';

const EMBEDDED_DB = 'realmgate';

export interface DatabaseHandle {
  /** URL the app and the migration runner use. */
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** As soon as an embedded server process exists (see EmbeddedOptions.onSpawn). */
  onSpawn?: (control: Pick<EmbeddedPostgres, 'stop' | 'stopNow'>) => void;
}

/** DATABASE_URL when set, otherwise the embedded PostgreSQL on PGDATA_DIR. */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'PGDATA_DIR' | 'EMBEDDED_PG_PORT'>,
  log: Logger,
  options: OpenDatabaseOptions = {},
): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const started = Date.now();
  const pg = await startEmbeddedPostgres({
    dataDir: path.resolve(config.PGDATA_DIR),
    port: config.EMBEDDED_PG_PORT,
    // Generated at the first initialisation, kept with the other generated secrets (0600).
    password: loadOrCreateSecrets(secretsFileFor(config.PGDATA_DIR), ['EMBEDDED_PG_PASSWORD']).EMBEDDED_PG_PASSWORD,
    onSpawn: options.onSpawn,
    onNotice: (m) => log.warn(m),
  });
  try {
    await ensureDatabase(pg.url, EMBEDDED_DB);
  } catch (e) {
    await pg.stop();
    throw e;
  }
  log.info({ dataDir: pg.dataDir, port: pg.port, ms: Date.now() - started }, 'embedded PostgreSQL started');
  return { url: withDatabase(pg.url, EMBEDDED_DB), embedded: true, stop: () => pg.stop() };
}

/** Creates `name` on the server at `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
