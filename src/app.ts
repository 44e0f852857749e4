import express, { type Express } from 'express';
import type { PrismaClient } from '@prisma/client';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { mountAdmin } from './admin/index.js';
import { healthRoutes } from './http/health-routes.js';
import { errorHandler } from './http/error-handler.js';
import { buildApiRouter } from './http/api-router.js';
import { docsRoutes } from './http/routes/docs.routes.js';
import { PORTKEY_HOOKS_PATH, portkeyHookRoutes } from './http/integrations/portkey-hooks.routes.js';

export interface AppDeps {
  config: Config;
  db: PrismaClient;
  /** Connection string for the session store and raw SQL. */
  databaseUrl: string;
  log: Logger;
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

  app.use(healthRoutes(deps));
  const admin = await mountAdmin(app, deps);
  const api = buildApiRouter(deps, { session: admin.session });
  // Gateway webhooks first: their own body limit and always-200 verdicts (see the routes file).
  app.use(`/api/v1${PORTKEY_HOOKS_PATH}`, portkeyHookRoutes(api.api));
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
