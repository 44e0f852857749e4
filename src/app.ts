import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import type { PrismaClient } from '@prisma/client';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { mountAdmin } from './admin/index.js';
import { healthRoutes } from './http/health-routes.js';
import { errorHandler } from './http/error-handler.js';
import { API_BASE, buildApiRouter } from './http/api-router.js';
import { compressResponses } from './http/compress-responses.js';
import { docsRoutes } from './http/routes/docs.routes.js';
import { createMetrics, httpMetrics, type Metrics } from './http/metrics.js';
import { metricsRoutes } from './http/routes/metrics.routes.js';
import { jsonSecurityHeaders, securityHeaders } from './http/security/security-headers.js';
import { GatewayLane } from './http/gateway-lane.js';
import { csrfProtection } from './http/security/csrf.js';
import { CSRF_CLIENT_SCRIPT, CSRF_SCRIPT_PATH } from './http/security/csrf-client.js';
import { createAdminSession, SESSION_COOKIE } from './admin/auth/admin-session.js';
import { PORTKEY_HOOKS_PATH, portkeyHookRoutes } from './http/integrations/portkey-hooks.routes.js';
import { LedgerCsvExports } from './domain/usage-reports/export-ledger-csv.js';
import { TenantSqlReads, type SqlReader } from './db/tenant-sql-reads.js';

export interface AppDeps {
  config: Config;
  /**
   * The tenant client: queries run on the tenant-facing login (realmgate_app)
   * scoped to the current tenant, and on the system login for the 'system'
   * and SUPERADMIN contexts (src/db/tenant-context.ts).
   */
  db: PrismaClient;
  /** The tenant-facing login's connection string. */
  databaseUrl: string;
  /**
   * The system login (realmgate_system): sign-in, API key lookup, session
   * store, seeds, realm migration and cross-tenant batches. Never hand it to
   * code that serves a tenant's request with that tenant's scope.
   */
  systemDb: PrismaClient;
  systemDatabaseUrl: string;
  log: Logger;
  /** Prometheus metrics; buildApp creates them when not given. */
  metrics?: Metrics;
  /** Reads that bypass Prisma (the ledger lists, src/db/tenant-sql-reads.ts); buildApp makes them on the two logins when not given. */
  reads?: SqlReader;
}

export interface BuiltApp {
  app: Express;
  /** The server's request listener: the gateway lane, then the Express app (http.createServer(listener)). */
  listener: RequestListener;
  /** The gateway lane alone (tests tell its requests from Express's with it). */
  lane: GatewayLane;
  /** Releases what the app holds (session store pool). */
  close(): Promise<void>;
}

/** The whole Express app, without listening: tests import this. */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(deps.config.TRUST_PROXY));
  // Pages and JSON compressed on the fly (compress-responses.ts); the panel's bundles come precompressed
  // (admin/static-assets.ts). Only reads: what a POST, PUT or DELETE answers is a small JSON document,
  // and a gateway's hot path (POST /api/v1/usage) should not pay for wrapping every answer.
  const compress = compressResponses();
  app.use(compress);

  const metrics = deps.metrics ?? createMetrics(deps.db);
  app.use(httpMetrics(metrics));
  const production = deps.config.NODE_ENV === 'production';
  app.use(securityHeaders({ production }));
  app.use(csrfProtection({ secret: deps.config.SESSION_SECRET, sessionCookie: SESSION_COOKIE, cookiePath: '/' }));
  app.get(CSRF_SCRIPT_PATH, (_req, res) => res.type('application/javascript').set('Cache-Control', 'no-cache').send(CSRF_CLIENT_SCRIPT));
  app.use(healthRoutes(deps));
  app.use(metricsRoutes(metrics, deps.config.METRICS_TOKEN));
  // The ledger lists' reads and the exports' COPY (which Prisma cannot send) on pools of their own, shared by the panel and the API.
  const ownReads = deps.reads ? null : new TenantSqlReads({ tenantUrl: deps.databaseUrl, systemUrl: deps.systemDatabaseUrl });
  const reads = deps.reads ?? ownReads!;
  const ledgerCsv = new LedgerCsvExports({ reads, tenantUrl: deps.databaseUrl, systemUrl: deps.systemDatabaseUrl });
  // The panel's sessions (in PostgreSQL). Cookie path '/': the same cookie signs staff in to the API too.
  const session = createAdminSession(deps, '/');
  // The API before the panel: a gateway's call (POST /api/v1/usage, thousands a second)
  // then walks none of the panel's routers. Gateway webhooks first: their own body
  // limit and always-200 verdicts (see the routes file).
  // The gateway's calls are served ahead of Express by the same handlers (gateway-lane.ts).
  const lane = new GatewayLane({ metrics, securityHeaders: jsonSecurityHeaders({ production }), trustProxy: app.get('trust proxy fn'), compress });
  const api = buildApiRouter({ ...deps, metrics, reads, ledgerCsv }, { session: [session.middleware, session.guard], lane });
  app.use(`${API_BASE}${PORTKEY_HOOKS_PATH}`, portkeyHookRoutes(api.api));
  app.use(API_BASE, api.router);
  const admin = await mountAdmin(app, { ...deps, metrics, reads, ledgerCsv }, session);
  app.use(docsRoutes());
  app.get('/', (_req, res) => res.redirect(admin.rootPath));
  // Our own 404 (Express's default answers with its own, narrower headers).
  app.use((_req, res) => res.status(404).json({ error: { code: 'NOT_FOUND', message: 'Not found' } }));
  app.use(errorHandler(deps.log));

  return {
    app,
    listener: lane.listener(app),
    lane,
    async close() {
      await api.close();
      await session.close();
      await ledgerCsv.close();
      await ownReads?.close();
    },
  };
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value; // e.g. "loopback" or a CIDR list
}
