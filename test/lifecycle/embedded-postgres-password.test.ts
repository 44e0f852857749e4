import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSecrets, secretsFileFor } from '../../src/dev-secrets.js';
import { openDatabase } from '../../src/db/database.js';
import { LEGACY_PASSWORD, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';

/**
 * Issue #7, "The embedded PostgreSQL": no well-known superuser password. A new
 * cluster gets a generated one kept in secrets.json (0600) beside the data
 * folder; it listens on 127.0.0.1 only; a cluster still on the old `postgres`
 * password gets the generated one at its next start.
 */
const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-pgpw-')));
fs.chmodSync(folder, 0o755); // reachable by the "postgres" user when tests run as root
const log = createLogger('silent');

afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

async function canConnect(port: number, password: string): Promise<true | string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  } finally {
    await client.end().catch(() => {});
  }
}

describe('embedded PostgreSQL credentials', () => {
  it('a new cluster: generated password in secrets.json (0600), "postgres" refused, loopback only', async () => {
    const dataDir = path.join(folder, 'fresh', 'postgres');
    const database = await openDatabase({ PGDATA_DIR: dataDir, EMBEDDED_PG_PORT: 0 }, log);
    try {
      const file = secretsFileFor(dataDir);
      expect(file).toBe(path.join(folder, 'fresh', 'secrets.json'));
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const { EMBEDDED_PG_PASSWORD: password } = JSON.parse(fs.readFileSync(file, 'utf8')) as { EMBEDDED_PG_PASSWORD: string };
      expect(password.length).toBeGreaterThanOrEqual(32);
      const port = Number(new URL(database.url).port);

      expect(await canConnect(port, password)).toBe(true);
      expect(await canConnect(port, LEGACY_PASSWORD), 'the old fixed password is refused').toBe('28P01');

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ listen: string; method: string }>(
          `SELECT current_setting('listen_addresses') AS listen,
                  (SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules) AS method`,
        );
        expect(rows[0]).toEqual({ listen: '127.0.0.1', method: 'scram-sha-256' });
      } finally {
        await client.end();
      }
    } finally {
      await database.stop();
    }
  }, 120_000);

  it('an existing cluster still on the password "postgres" gets the generated one at its next start', async () => {
    const dataDir = path.join(folder, 'legacy', 'postgres');
    // A cluster as every start before issue #7 made it.
    const old = await startEmbeddedPostgres({ dataDir, password: LEGACY_PASSWORD });
    const oldPort = old.port;
    expect(await canConnect(oldPort, LEGACY_PASSWORD)).toBe(true);
    await old.stop();
    const hba = fs.readFileSync(path.join(dataDir, 'pg_hba.conf'), 'utf8');
    fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), hba.replace(/scram-sha-256/g, 'password')); // as initdb --auth=password wrote it

    const database = await openDatabase({ PGDATA_DIR: dataDir, EMBEDDED_PG_PORT: 0 }, log);
    try {
      const port = Number(new URL(database.url).port);
      const { EMBEDDED_PG_PASSWORD: password } = loadOrCreateSecrets(secretsFileFor(dataDir), ['EMBEDDED_PG_PASSWORD']);
      expect(await canConnect(port, LEGACY_PASSWORD), 'the old password no longer works').toBe('28P01');
      expect(await canConnect(port, password)).toBe(true);
      expect(fs.readFileSync(path.join(dataDir, 'pg_hba.conf'), 'utf8')).not.toMatch(/\spassword\s*$/m);
    } finally {
      await database.stop();
    }
  }, 120_000);

  it('secrets.json written by an older version keeps its values, gains the password and is made 0600', () => {
    const dir = path.join(folder, 'older');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'secrets.json');
    fs.writeFileSync(file, JSON.stringify({ SESSION_SECRET: 's'.repeat(40), API_KEY_PEPPER: 'p'.repeat(40), ENCRYPTION_KEY: 'a'.repeat(64) }), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const got = loadOrCreateSecrets(file, ['SESSION_SECRET', 'EMBEDDED_PG_PASSWORD']);
    expect(got.SESSION_SECRET).toBe('s'.repeat(40));
    expect(got.EMBEDDED_PG_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ API_KEY_PEPPER: 'p'.repeat(40), EMBEDDED_PG_PASSWORD: got.EMBEDDED_PG_PASSWORD });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
