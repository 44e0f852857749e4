// The app of bench:scale on loopback, as main.ts builds it (tenant client on
// the app login, system login beside it), with sign-in and a JSON GET helper.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { PrismaClient } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createTenantPrisma } from '../src/db/tenant-context.js';

const SECRET = 'bench-secret-bench-secret-bench-secret-0000';

export interface BenchServer {
  url: string;
  logSql: boolean;
  /** With logSql: every statement Prisma sent since it was last emptied. */
  sqlLog: string[];
  /**
   * Server time of every request since it was last emptied: from the request's
   * arrival to its response's last byte handed to the socket, without the
   * in-process client's fetch, decompression and JSON parsing.
   */
  serverTimes: number[];
  signIn(email: string, password: string): Promise<string>;
  get(cookie: string, apiPath: string): Promise<any>;
  close(): Promise<void>;
}

export async function startBenchServer(opts: { appUrl: string; systemUrl: string; logSql?: boolean }): Promise<BenchServer> {
  const sqlLog: string[] = [];
  if (opts.logSql) {
    // Every statement any pool sends (Prisma's adapter, the session store), as PostgreSQL receives it.
    const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as string | { text?: string; values?: unknown[] };
      const text = typeof q === 'string' ? q : q?.text;
      const values = typeof q === 'string' ? args[1] : q?.values;
      if (text) sqlLog.push(`${text.replace(/\s+/g, ' ').slice(0, 300)}${values ? ` ${JSON.stringify(values).slice(0, 120)}` : ''}`);
      return query.apply(this, args);
    } as never;
  }
  const client = (url: string, max: number) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max }) });
  const base = client(opts.appUrl, 8);
  const system = client(opts.systemUrl, 4);
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: SECRET, API_KEY_PEPPER: SECRET, ENCRYPTION_KEY: 'a'.repeat(64) });
  const built = await buildApp({ config, db: createTenantPrisma(base, system), databaseUrl: opts.appUrl, systemDb: system, systemDatabaseUrl: opts.systemUrl, log: createLogger((process.env.BENCH_LOG ?? 'silent') as 'silent') });
  const serverTimes: number[] = [];
  const timed: typeof built.listener = (req, res) => {
    const t0 = performance.now();
    res.once('finish', () => serverTimes.push(performance.now() - t0));
    return built.listener(req, res);
  };
  const http = await new Promise<Server>((resolve) => {
    const s = createServer(timed).listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    logSql: !!opts.logSql,
    sqlLog,
    serverTimes,
    async signIn(email, password) {
      const res = await fetch(`${url}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password }).toString() });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('realmgate.sid='));
      if (res.status !== 302 || !cookie) throw new Error(`sign-in of ${email} failed: ${res.status}`);
      return cookie.split(';')[0]!;
    },
    async get(cookie, apiPath) {
      const res = await fetch(`${url}/admin/api${apiPath}`, { headers: { cookie, accept: 'application/json' } });
      const body = await res.json();
      if (res.status !== 200 || body?.notice?.type === 'error') throw new Error(`${apiPath}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      return body;
    },
    async close() {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await built.close();
      await base.$disconnect();
      await system.$disconnect();
    },
  };
}
