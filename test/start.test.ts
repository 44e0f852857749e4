import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../src/db/migrate.js';
import { descendantsOf, exitWithin, postgresProcessesOf, startApp, type AppProcess } from './setup/app-process.js';
import { emptyDatabase, withClient, type EmptyDatabase } from './setup/test-database.js';

/**
 * The acceptance, end to end: `npm start` (node --import tsx src/main.ts)
 * on a fresh machine starts an embedded PostgreSQL, migrates, seeds, answers
 * /healthz, /readyz and /admin/login, prints a working sign-in, stops cleanly on
 * SIGTERM and Ctrl-C leaving no PostgreSQL process, and keeps its data across
 * restarts; with DATABASE_URL it uses that database instead.
 */
const START_MS = 90_000; // cold start: tsx compiles, AdminJS loads, initdb runs
const STOP_MS = 15_000;
const RUNNING = /Realmgate is running: http:\/\/([^\s:]+):(\d+)\/admin/;
const SIGN_IN = /Sign in as (\S+)(.*)/;

const apps: AppProcess[] = [];
const folders: string[] = [];
const databases: EmptyDatabase[] = [];

function launch(env: Record<string, string>): AppProcess {
  const app = startApp({ LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env });
  apps.push(app);
  return app;
}

/** A folder for PGDATA_DIR that the "postgres" user can reach when the tests run as root. */
function tempFolder(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-start-')));
  fs.chmodSync(dir, 0o755);
  folders.push(dir);
  return dir;
}

afterEach(() => {
  // A failed assertion must not leave an app (and its PostgreSQL) running.
  for (const app of apps.splice(0)) app.kill();
});
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

async function running(app: AppProcess): Promise<{ base: string; signIn: string }> {
  const m = await app.waitFor(RUNNING, START_MS);
  const signIn = (await app.waitFor(SIGN_IN, 5_000))[0];
  return { base: `http://${m[1]}:${m[2]}`, signIn };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { redirect: 'manual', headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

async function signIn(base: string, email: string, password: string): Promise<{ status: number; location: string | null; cookie: string }> {
  const res = await fetch(`${base}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString(),
  });
  await res.text();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { status: res.status, location: res.headers.get('location'), cookie };
}

/** Exit status 0 within STOP_MS; on failure the message carries the app's output. */
async function expectCleanExit(app: AppProcess): Promise<void> {
  const status = await exitWithin(app, STOP_MS);
  const tail = (t: string) => t.split('\n').slice(-25).join('\n');
  expect(status, `exit status\nstdout (tail):\n${tail(app.stdout())}\nstderr (tail):\n${tail(app.stderr())}`).toEqual({ code: 0, signal: null });
}

async function expectServing(base: string): Promise<void> {
  const health = await get(`${base}/healthz`);
  expect(health.status).toBe(200);
  expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
  const ready = await get(`${base}/readyz`);
  expect(ready.status, ready.body).toBe(200);
  expect(ready.type).toMatch(/application\/json/);
  expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready' });
  const login = await get(`${base}/admin/login`);
  expect(login.status).toBe(200);
  expect(login.type).toMatch(/text\/html/);
}

async function expectSignedIn(base: string, email: string, password: string): Promise<void> {
  const res = await signIn(base, email, password);
  expect(res.status, 'sign-in redirects').toBe(302);
  expect(res.location).toMatch(/\/admin\/?$/);
  const panel = await get(`${base}/admin`, { cookie: res.cookie });
  expect(panel.status, 'the panel opens with the new session').toBe(200);
}

describe('npm start', () => {
  it(
    'on embedded PostgreSQL: serves, stops cleanly on SIGTERM, restarts on the same data, stops cleanly on Ctrl-C',
    async () => {
      const dataDir = path.join(tempFolder(), 'postgres');

      // ── first start: creates the cluster, migrates, seeds, prints generated passwords ──
      const first = launch({ PGDATA_DIR: dataDir });
      const { base, signIn: line } = await running(first);
      const generated = line.match(/Sign in as (\S+) with password (\S+)/);
      expect(generated, `first start prints a generated password: ${line}`).not.toBeNull();
      const [, email, password] = generated!;
      expect(first.stdout()).toMatch(/Demo users .* with password \S+:\n\s+alice\.admin@acme\.example \(ADMIN\)/);
      await expectServing(base);
      await expectSignedIn(base, email!, password!);

      const started = first.logs().find((l) => l.msg === 'embedded PostgreSQL started');
      expect(started, 'logs that it started the embedded PostgreSQL').toBeDefined();
      expect(started!.dataDir, 'the data lives where PGDATA_DIR says').toBe(dataDir);
      expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
      const ours = postgresProcessesOf(dataDir);
      expect(ours.length, 'the PostgreSQL processes are visible while running').toBeGreaterThan(1);
      expect(descendantsOf(first.child.pid!).some((p) => /postgres/.test(p.cmdline)), 'and seen as started by the app').toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);

      first.child.kill('SIGTERM');
      await expectCleanExit(first);
      expect(postgresProcessesOf(dataDir), 'no PostgreSQL process left after SIGTERM').toEqual([]);
      expect(fs.existsSync(path.join(dataDir, 'postmaster.pid')), 'PostgreSQL shut down cleanly (pid file removed)').toBe(false);

      // ── second start: same data, no new passwords, no second seed ──
      const second = launch({ PGDATA_DIR: dataDir });
      const again = await running(second);
      expect(again.signIn).not.toMatch(/with password/);
      expect(second.stdout()).not.toMatch(/with password/);
      expect(second.stdout()).not.toContain(password!);
      // Issue #10: the banner names the demo users whenever they exist, and the way back in.
      expect(again.signIn).toContain(`(password printed at first start; lost it? npm run realmgate -- users temporary-password ${email})`);
      expect(second.stdout()).toMatch(/Demo users .*:\n\s+alice\.admin@acme\.example \(ADMIN\), bob\.user@acme\.example \(USER\), carol\.viewer@acme\.example \(VIEWER\), and \d+ more/);
      await expectServing(again.base);
      // The account (and its password) from the first start is still there.
      await expectSignedIn(again.base, email!, password!);
      expect(second.logs().find((l) => l.msg === 'migrations current'), 'nothing left to migrate').toBeDefined();

      // Ctrl-C in a terminal sends SIGINT to the whole foreground process group,
      // PostgreSQL included.
      process.kill(-second.child.pid!, 'SIGINT');
      await expectCleanExit(second);
      expect(postgresProcessesOf(dataDir), 'no PostgreSQL process left after Ctrl-C').toEqual([]);
      expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    },
    4 * START_MS,
  );

  it(
    'with DATABASE_URL: uses that database and starts no PostgreSQL of its own',
    async () => {
      const database = await emptyDatabase('start_external');
      databases.push(database);
      const folder = tempFolder();
      const pgDataDir = path.join(folder, 'postgres');

      // PGDATA_DIR only so that development secrets are written to the temp folder.
      const app = launch({ DATABASE_URL: database.url, PGDATA_DIR: pgDataDir });
      const { base, signIn: line } = await running(app);
      const generated = line.match(/Sign in as (\S+) with password (\S+)/); // a new database gets its own superadmin
      expect(generated, line).not.toBeNull();
      await expectServing(base);
      await expectSignedIn(base, generated![1]!, generated![2]!);

      // Other PostgreSQL servers may come and go on this machine: look only at what the app started.
      expect(descendantsOf(app.child.pid!).filter((p) => /postgres/.test(p.cmdline)), 'the app started no PostgreSQL').toEqual([]);
      expect(fs.existsSync(pgDataDir), 'no embedded data folder was created').toBe(false);
      expect(app.logs().some((l) => l.msg === 'embedded PostgreSQL started')).toBe(false);
      expect(app.logs().find((l) => l.msg === 'listening')).toMatchObject({ embeddedDatabase: false });

      // It migrated and seeded the database it was given.
      await withClient(database.url, async (c) => {
        const { rows } = await c.query<{ name: string }>('SELECT name FROM _realmgate_migrations ORDER BY name');
        expect(rows.map((r) => r.name)).toEqual(loadMigrations().map((f) => f.name));
        const users = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'SUPERADMIN'`);
        expect(users.rows[0]!.n).toBeGreaterThan(0);
      });

      // A database restart or failover closes every connection: the app must ride it out
      // (pools reconnect) rather than crash on an idle connection's error.
      const terminated = await withClient(database.url, async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()) t`,
        );
        return rows[0]!.n;
      });
      expect(terminated, 'the app held connections to terminate').toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(app.child.exitCode, `the app survives lost connections\nstderr:\n${app.stderr().slice(0, 2_000)}`).toBeNull();
      await expectServing(base);
      await expectSignedIn(base, generated![1]!, generated![2]!);

      app.child.kill('SIGTERM');
      await expectCleanExit(app);
    },
    2 * START_MS,
  );
});
