import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { descendantsOf, exitWithin, postgresProcessesOf, startApp, survivorsAfter, type AppProcess } from '../setup/app-process.js';

/**
 * Issue #13 (a shutdown that always finishes) and #10's "SIGTERM sent to npm".
 * Every case runs the real server on an embedded PostgreSQL (one data folder
 * for the file, so only the first start pays for initdb) and ends with no
 * server and no PostgreSQL process left.
 */
const START_MS = 120_000;
const RUNNING = /Realmgate is running: http:\/\/([^\s:]+):(\d+)\/admin/;

const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-stop-')));
fs.chmodSync(folder, 0o755); // the "postgres" user must reach the data folder when tests run as root
const dataDir = path.join(folder, 'postgres');
const apps: AppProcess[] = [];
const sockets: net.Socket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const app of apps.splice(0)) app.kill();
  for (const p of postgresProcessesOf(dataDir)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

async function launch(env: Record<string, string> = {}, options: { viaNpm?: boolean } = {}): Promise<{ app: AppProcess; port: number; pids: number[] }> {
  const app = startApp({ LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', PGDATA_DIR: dataDir, SEED_DEMO: 'false', ...env }, options);
  apps.push(app);
  const m = await app.waitFor(RUNNING, START_MS);
  const tree = descendantsOf(app.child.pid!);
  expect(tree.some((p) => /postgres/.test(p.cmdline)), 'the app runs an embedded PostgreSQL').toBe(true);
  return { app, port: Number(m[2]), pids: [app.child.pid!, ...tree.map((p) => p.pid)] };
}

/** Everything the start created is gone: the processes seen while running, and any PostgreSQL on the data folder. */
async function expectAllGone(pids: number[], ms: number): Promise<void> {
  expect(await survivorsAfter(pids, ms), 'processes of the app still running').toEqual([]);
  expect(postgresProcessesOf(dataDir), 'PostgreSQL processes still running').toEqual([]);
}

/** A POST to the sign-in form whose body arrives slowly; resolves with the answer's status line. */
function slowSignIn(port: number, body: string) {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.setEncoding('utf8');
  let answer = '';
  socket.on('data', (c: string) => (answer += c));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    `POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  return {
    send: (part: string) => socket.write(part),
    answer: () => answer,
    closed,
  };
}

describe('stopping the server', () => {
  it('stops within the deadline after SIGTERM to its group when the reader of its piped stdout has gone', async () => {
    const { app, pids } = await launch();
    app.child.stdout!.destroy(); // a log collector that exited: further writes meet EPIPE
    await new Promise((r) => setTimeout(r, 500));
    process.kill(-app.child.pid!, 'SIGTERM'); // as a process manager stops the group
    const status = await exitWithin(app, 10_000 + 5_000);
    expect(status.signal).toBeNull();
    await expectAllGone(pids, 5_000);
  }, START_MS + 60_000);

  it('lets a request in flight finish after SIGTERM, then exits 0', async () => {
    const { app, port, pids } = await launch();
    const body = new URLSearchParams({ email: 'nobody@example.com', password: 'not-the-password' }).toString();
    const request = slowSignIn(port, body);
    request.send(body.slice(0, 5));
    await new Promise((r) => setTimeout(r, 300));
    app.child.kill('SIGTERM');
    // The rest of the body trickles in after the signal.
    for (const ch of body.slice(5)) {
      await new Promise((r) => setTimeout(r, 40));
      request.send(ch);
    }
    const status = await exitWithin(app, 20_000);
    expect(request.answer(), 'the request in flight got its answer').toMatch(/^HTTP\/1\.1 401 /);
    expect(status, app.stderr()).toEqual({ code: 0, signal: null });
    await expectAllGone(pids, 5_000);
    // And it stopped taking new connections.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, START_MS + 60_000);

  it('exits non-zero at SHUTDOWN_TIMEOUT_MS, naming what was pending, and stops PostgreSQL on that path too', async () => {
    const { app, port, pids } = await launch({ SHUTDOWN_TIMEOUT_MS: '2000' });
    const request = slowSignIn(port, 'email=a%40b.c&password=x'); // never completes its body
    request.send('email=');
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    app.child.kill('SIGTERM');
    const status = await exitWithin(app, 2_000 + 8_000);
    expect(Date.now() - signalled, 'not before the deadline').toBeGreaterThanOrEqual(1_900);
    expect(status.code, app.stderr()).not.toBe(0);
    expect(status.code).not.toBeNull();
    expect(app.stderr()).toMatch(/Shutdown did not finish within 2000 ms; still pending: http server \(1 connection open\)/);
    await expectAllGone(pids, 5_000);
  }, START_MS + 60_000);

  it('a second SIGTERM exits at once', async () => {
    const { app, port, pids } = await launch({ SHUTDOWN_TIMEOUT_MS: '120000' });
    const request = slowSignIn(port, 'email=a%40b.c&password=x');
    request.send('email=');
    await new Promise((r) => setTimeout(r, 300));
    app.child.kill('SIGTERM');
    app.child.kill('SIGTERM'); // the same request twice at once (npm forwarding Ctrl-C): one graceful stop
    await new Promise((r) => setTimeout(r, 1_500));
    expect(app.child.exitCode, 'still waiting for the request after the first signal').toBeNull();
    app.child.kill('SIGTERM');
    const status = await exitWithin(app, 8_000);
    expect(status.code, app.stderr()).toBe(143);
    expect(app.stderr()).toMatch(/Stopping now \(second SIGTERM\)/);
    await expectAllGone(pids, 5_000);
  }, START_MS + 60_000);

  it('SIGTERM to the `npm start` process stops node and PostgreSQL', async () => {
    const { app, pids } = await launch({}, { viaNpm: true });
    expect(pids.length, 'npm, node and PostgreSQL').toBeGreaterThan(2);
    app.child.kill('SIGTERM'); // npm's PID only, not the group
    await exitWithin(app, 20_000);
    await expectAllGone(pids, 15_000);
    expect(app.stderr(), 'a graceful stop, not the emergency path').not.toMatch(/Stopping now/);
  }, START_MS + 60_000);
});

describe('starting', () => {
  it('a port that is taken fails the start before any database or password is created', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as net.AddressInfo;
    const fresh = path.join(folder, 'never-created', 'postgres');
    try {
      const app = startApp({ LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), PGDATA_DIR: fresh });
      apps.push(app);
      const status = await exitWithin(app, 60_000);
      expect(status.code).toBe(1);
      expect(app.stderr()).toMatch(new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      expect(fs.existsSync(fresh), 'no data folder was created').toBe(false);
      expect(app.stdout()).not.toMatch(/password/);
    } finally {
      blocker.close();
    }
  }, 90_000);
});
