import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test server: a role that may CREATE DATABASE. */
    pgAdminUrl: string;
  }
}

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL when set, otherwise an
 * embedded server in a fresh folder under the OS temp dir, removed afterwards.
 * Workers get the admin URL through `inject('pgAdminUrl')` and create their own
 * databases (test/setup/test-database.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    await assertCanCreateDatabase(external);
    project.provide('pgAdminUrl', external);
    return async () => {};
  }

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-test-'));
  // mkdtemp makes the folder private (0700); when we run as root PostgreSQL runs as
  // the "postgres" user, which must be able to enter it.
  fs.chmodSync(root, 0o755);
  let server: EmbeddedPostgres;
  try {
    server = await startEmbeddedPostgres({ dataDir: path.join(root, 'pgdata'), throwaway: true });
  } catch (e) {
    fs.rmSync(root, { recursive: true, force: true });
    throw e;
  }
  project.provide('pgAdminUrl', server.url);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  };
  // An interrupted run (Ctrl-C) must not leave the server behind either.
  const onSignal = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  };
}

async function assertCanCreateDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT rolsuper OR rolcreatedb AS ok FROM pg_roles WHERE rolname = current_user',
    );
    if (!rows[0]?.ok) throw new Error('the role may not CREATE DATABASE');
  } catch (e) {
    throw new Error(`TEST_DATABASE_URL is not usable for tests: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
