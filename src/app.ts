import express, { type Express } from 'express';
import compression from 'compression';
import type { PrismaClient } from '@prisma/client';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { mountAdmin } from './admin/index.js';
import { healthRoutes } from './http/health-routes.js';
import { errorHandler } from './http/error-handler.js';
import { buildApiRouter } from './http/api-router.js';
import { docsRoutes } from './http/routes/docs.routes.js';
import { createMetrics, httpMetrics, type Metrics } from './http/metrics.js';
import { metricsRoutes } from './http/routes/metrics.routes.js';

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
}

export interface BuiltApp {
  app: Express;
  /** Releases what the app holds (session store pool). */
  close(): Promise<void>;
}

/** The whole Express app, without listening: tests import this. */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(deps.config.TRUST_PROXY));
  // Pages and JSON compressed on the fly; the panel's bundles come precompressed (admin/static-assets.ts).
  app.use(compression());

  const metrics = deps.metrics ?? createMetrics(deps.db);
  app.use(httpMetrics(metrics));
  app.use(healthRoutes(deps));
  app.use(metricsRoutes(metrics, deps.config.METRICS_TOKEN));
  const admin = await mountAdmin(app, { ...deps, metrics });
  const api = buildApiRouter({ ...deps, metrics }, { session: admin.session });
  app.use('/api/v1', api.router);
  app.use(docsRoutes());
  app.get('/', (_req, res) => res.redirect(admin.rootPath));
  app.use(errorHandler(deps.log));

  return {
    app,
    async close() {
      await api.close();
      await admin.close();
    },
  };
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value; // e.g. "loopback" or a CIDR list
}
