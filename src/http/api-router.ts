import { Router, type RequestHandler } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { AppDeps } from '../app.js';
import { LastUsedTracker } from '../domain/api-keys/last-used-tracker.js';
import { ApiKeyLookupCache } from '../domain/api-keys/authenticate-api-key.js';
import { jsonBody } from './body-parsing.js';
import { apiErrorHandler, apiNotFound } from './errors.js';
import { createApiRegistry, generateOpenApiDocument } from './openapi.js';
import { requestLogging } from './request-logging.js';
import type { ApiRouteDeps } from './route.js';
import { usageEngineMetrics, type Metrics } from './metrics.js';
import { meRoutes } from './routes/me.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { usageExportRoutes } from './routes/usage-export.routes.js';
import { realmDataRoutes } from './routes/realm-data.routes.js';
import { apiKeyRoutes } from './routes/api-keys.routes.js';
import { realmRoutes } from './routes/realms.routes.js';
import { usageRoutes } from './routes/usage.routes.js';
import { tenantRoutes } from './routes/tenant.routes.js';
import { assistantRoutes } from './routes/assistants.routes.js';
import { adminRoutes } from './routes/admin.routes.js';
import { UsageEngine } from '../domain/usage/usage-engine.js';
import type { GatewayLane } from './gateway-lane.js';
import type { LedgerCsvExports } from '../domain/usage-reports/export-ledger-csv.js';

/** Where the API is mounted (app.ts). */
export const API_BASE = '/api/v1';

/** What a routes file gets: the router to add to, the OpenAPI registry, and the app's dependencies. */
export interface Api {
  router: Router;
  registry: OpenAPIRegistry;
  deps: ApiRouteDeps & AppDeps & { metrics: Metrics; usage: UsageEngine; ledgerCsv: LedgerCsvExports };
  /** Serves a route in the gateway lane too (gateway-lane.ts), after the API's request log and body parser. */
  addToLane?(method: 'GET' | 'POST', path: string, handler: RequestHandler): void;
  /** The gateway lane itself, for routes with a pipeline of their own (Portkey's hooks). */
  lane?: GatewayLane;
}

/** Every routes file of /api/v1, in the order their operations appear in the document. */
const ROUTES: Array<(api: Api) => void> = [authRoutes, meRoutes, apiKeyRoutes, tenantRoutes, realmRoutes, realmDataRoutes, assistantRoutes, adminRoutes, usageRoutes, usageExportRoutes];

export interface ApiOptions {
  /** The panel's session middleware + guard: signed-in staff may use the API with their cookie. */
  session?: RequestHandler[];
  /** The gateway lane: routes defined with `lane: true` are served there too. */
  lane?: GatewayLane;
}

/**
 * The /api/v1 router: request id and logs, JSON body limits, every route
 * written with defineRoute (src/http/route.ts), GET /openapi.json, and the
 * error envelope for everything including unknown paths.
 */
export function buildApiRouter(deps: AppDeps & { metrics: Metrics; ledgerCsv: LedgerCsvExports }, options: ApiOptions = {}): { router: Router; registry: OpenAPIRegistry; api: Api; close(): Promise<void> } {
  const tracker = new LastUsedTracker(deps.db, { onError: (err) => deps.log.warn({ err }, 'could not record API key use') });
  const router = Router();
  const registry = createApiRegistry();
  // The gateway hot path's admission batcher (src/domain/usage): one per process.
  const usage = new UsageEngine({
    databaseUrl: deps.systemDatabaseUrl,
    reservationTtlSeconds: deps.config.USAGE_RESERVATION_TTL_SECONDS,
    batchWindowMs: deps.config.USAGE_BATCH_WINDOW_MS,
    maxBatch: deps.config.USAGE_BATCH_MAX,
    maxInFlight: deps.config.USAGE_BATCHES_IN_FLIGHT,
    joinUpTo: deps.config.USAGE_BATCH_JOIN_UP_TO,
  });
  usageEngineMetrics(deps.metrics, usage.stats);
  // The same handlers on the router and, for the lane's routes, in the lane.
  const logging = requestLogging(deps.log);
  const body = jsonBody(deps.config.API_BODY_LIMIT);
  const onError = apiErrorHandler(deps.log, deps.metrics);
  const { lane } = options;
  const api: Api = {
    router,
    registry,
    deps: { ...deps, pepper: deps.config.API_KEY_PEPPER, jwtSecret: deps.config.JWT_SECRET, tracker, session: options.session, usage, apiKeyCache: new ApiKeyLookupCache(1000, usage.query) },
    ...(lane ? { lane, addToLane: (method: 'GET' | 'POST', path: string, handler: RequestHandler) => lane.route(method, `${API_BASE}${path}`, API_BASE, [...logging, ...body, handler], onError) } : {}),
  };

  router.use(...logging);
  router.use(...body);
  for (const add of ROUTES) add(api);

  let document: unknown;
  router.get('/openapi.json', (_req, res) => {
    document ??= generateOpenApiDocument(registry);
    res.json(document);
  });
  router.use(apiNotFound);
  router.use(onError);
  return { router, registry, api, close: async () => { await usage.close(); await tracker.stop(); } };
}
