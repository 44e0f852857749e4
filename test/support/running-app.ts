import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { PrismaClient } from '@prisma/client';
import { createTenantPrisma } from '../../src/db/tenant-context.js';
import type { AppDatabase } from './app-database.js';
import { HTTP_SERVER_OPTIONS } from '../../src/http/server-options.js';

const TEST_SECRETS = {
  SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
  API_KEY_PEPPER: 'test-api-key-pepper-0123456789abcdef0123456789',
  ENCRYPTION_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
};

export interface RunningApp {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  config: Config;
  built: BuiltApp;
  close(): Promise<void>;
}

/**
 * The real app (buildApp, as src/main.ts builds it) listening on an ephemeral
 * port over `database`, reached through the app login as in production. Two
 * calls on one database are two app instances (or one app before and after a
 * restart): they share sessions, users and the sign-in throttle.
 */
export async function startRunningApp(database: AppDatabase, env: Record<string, string> = {}): Promise<RunningApp> {
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SECRETS, ...env });
  const log = createLogger(config.LOG_LEVEL);
  const built = await buildApp({ config, db: database.app, databaseUrl: database.appUrl, systemDb: database.system, systemDatabaseUrl: database.systemUrl, log });
  const server: Server = await new Promise((resolve, reject) => {
    const s = http.createServer(HTTP_SERVER_OPTIONS, built.listener);
    s.listen(0, '127.0.0.1', () => resolve(s)).on('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  // Outside production AdminJS bundles the custom components on the first request
  // for them. Do it here, once per worker (the bundle then stays on disk), so a
  // browser test's page load never waits on a bundle build on a busy machine.
  await fetch(`${baseUrl}/admin/frontend/assets/components.bundle.js`, { signal: AbortSignal.timeout(180_000) }).then((r) => r.arrayBuffer());
  let closed = false;
  return {
    baseUrl,
    config,
    built,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await built.close();
    },
  };
}

/**
 * The app on clients of the test's choosing for both logins (a pool of one
 * connection, a client that counts what it runs), routed by tenant as in
 * production; close() also disconnects them.
 */
export async function startRunningAppOn(database: AppDatabase, clients: { tenant: PrismaClient; system: PrismaClient }): Promise<RunningApp> {
  const app = await startRunningApp({ ...database, app: createTenantPrisma(clients.tenant, clients.system), system: clients.system });
  return {
    ...app,
    async close() {
      await app.close();
      await clients.tenant.$disconnect();
      await clients.system.$disconnect();
    },
  };
}

/** A cookie jar of one: the session cookie as a browser would send it back. */
export class Browserless {
  cookie = '';
  constructor(readonly baseUrl: string, readonly headers: Record<string, string> = {}) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(this.baseUrl + path, {
      redirect: 'manual',
      ...init,
      // A browser sends Origin with every POST; the CSRF guard (app.ts) checks it.
      headers: { origin: this.baseUrl, ...this.headers, ...(this.cookie ? { cookie: this.cookie } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('realmgate.sid='));
    if (set) {
      const value = set.split(';')[0]!;
      // An expiry in the past (clearCookie) empties the jar.
      this.cookie = /expires=Thu, 01 Jan 1970/i.test(set) ? '' : value;
    }
    return res;
  }

  /** POST <root>/login; the response (302 to /admin on success, 401 with the form otherwise). */
  async signIn(email: string, password: string): Promise<Response> {
    const res = await this.request('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }).toString(),
    });
    await res.text();
    return res;
  }

  /** True when the panel answers as for a signed-in user (no redirect to the login page). */
  async signedIn(): Promise<boolean> {
    const res = await this.request('/admin');
    await res.text();
    return res.status === 200;
  }

  /** GET an AdminJS API route as JSON. */
  async api<T = any>(path: string): Promise<{ status: number; body: T }> {
    const res = await this.request(`/admin/api${path}`, { headers: { accept: 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T };
  }

  /** POST an AdminJS API route (a record or bulk action) as JSON. */
  async apiPost<T = any>(path: string, body: Record<string, unknown> = {}): Promise<{ status: number; body: T }> {
    const res = await this.request(`/admin/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T };
  }
}

/** The session id inside a `realmgate.sid=s%3A<sid>.<signature>` cookie. */
export function sidOf(cookie: string): string {
  const value = decodeURIComponent(cookie.split('=')[1] ?? '');
  return value.replace(/^s:/, '').split('.')[0]!;
}
