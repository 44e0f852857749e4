import { Router, type RequestHandler } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { AppDeps } from '../app.js';
import { LastUsedTracker } from '../domain/api-keys/last-used-tracker.js';
import { jsonBody } from './body-parsing.js';
import { apiErrorHandler, apiNotFound } from './errors.js';
import { createApiRegistry, generateOpenApiDocument } from './openapi.js';
import { requestLogging } from './request-logging.js';
import type { ApiRouteDeps } from './route.js';
import type { Metrics } from './metrics.js';
import { meRoutes } from './routes/me.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { usageExportRoutes } from './routes/usage-export.routes.js';

/** What a routes file gets: the router to add to, the OpenAPI registry, and the app's dependencies. */
export interface Api {
  router: Router;
  registry: OpenAPIRegistry;
  deps: ApiRouteDeps & AppDeps & { metrics: Metrics };
}

/** Every routes file of /api/v1, in the order their operations appear in the document. */
const ROUTES: Array<(api: Api) => void> = [authRoutes, meRoutes, usageExportRoutes];

export interface ApiOptions {
  /** The panel's session middleware + guard: signed-in staff may use the API with their cookie. */
  session?: RequestHandler[];
}

/**
 * The /api/v1 router: request id and logs, JSON body limits, every route
 * written with defineRoute (src/http/route.ts), GET /openapi.json, and the
 * error envelope for everything including unknown paths.
 */
export function buildApiRouter(deps: AppDeps & { metrics: Metrics }, options: ApiOptions = {}): { router: Router; registry: OpenAPIRegistry; close(): Promise<void> } {
  const tracker = new LastUsedTracker(deps.db, { onError: (err) => deps.log.warn({ err }, 'could not record API key use') });
  const router = Router();
  const registry = createApiRegistry();
  const api: Api = {
    router,
    registry,
    deps: { ...deps, pepper: deps.config.API_KEY_PEPPER, jwtSecret: deps.config.JWT_SECRET, tracker, session: options.session },
  };

  router.use(...requestLogging(deps.log));
  router.use(...jsonBody(deps.config.API_BODY_LIMIT));
  for (const add of ROUTES) add(api);

  let document: unknown;
  router.get('/openapi.json', (_req, res) => {
    document ??= generateOpenApiDocument(registry);
    res.json(document);
  });
  router.use(apiNotFound);
  router.use(apiErrorHandler(deps.log, deps.metrics));
  return { router, registry, close: () => tracker.stop() };
}
