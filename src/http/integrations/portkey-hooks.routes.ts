import { errorEnvelopeSchema } from '../schemas/common.js';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { writeJson } from '../write-json.js';
import { API_BASE, type Api } from '../api-router.js';
import { authenticate } from '../auth/authenticate.js';
import { requestLogging } from '../request-logging.js';
import { SECURITY } from '../openapi.js';
import { z } from '../zod.js';
import { tenantFromActor, withTenant } from '../../db/tenant-context.js';
import type { Actor } from '../../domain/shared/actor.js';
import { AppError, isAppError } from '../../domain/shared/app-error.js';
import { portkeyAfterHook, portkeyBeforeHook, type PortkeyHookDeps } from '../../domain/portkey/portkey-hooks.js';
import { refusal, type PortkeyVerdict } from '../../domain/portkey/portkey-verdict.js';
import { RecentHolds } from '../../domain/portkey/recent-holds.js';

export const PORTKEY_HOOKS_PATH = '/integrations/portkey';

/**
 * The API key that authenticates a webhook call: the `headers` of the hook's
 * check in the gateway config carry `Authorization: Bearer rgk_…`. Only API
 * keys (not tokens or the panel session) run gateway hooks, and the usage
 * domain needs the key itself as the actor (its scopes and its quotas), also
 * when the key belongs to a user.
 */
async function hookActor(api: Api, req: Request, res: Parameters<RequestHandler>[1]): Promise<Actor> {
  if (req.headers.authorization === undefined) throw new AppError('UNAUTHENTICATED', 'Put the Realmgate API key in the hook\'s headers: Authorization: Bearer rgk_…');
  const principal = await authenticate(api.deps, req, res, { keyOnly: true });
  if (principal.via !== 'api-key' || !principal.apiKey) throw new AppError('UNAUTHENTICATED', 'Gateway hooks are authenticated with an API key');
  return principal.apiKey.actor;
}

const verdictSchema = z
  .object({ verdict: z.boolean(), data: z.record(z.unknown()) })
  .openapi('PortkeyVerdict', {
    example: { verdict: false, data: { code: 'QUOTA_EXCEEDED', message: 'Over the API key\'s monthly tokens', limitName: 'apiKey.monthlyTokens', limit: 1000, left: 12, reset: '2026-12-01T00:00:00.000Z' } },
  });
const hookBodySchema = z
  .object({
    eventType: z.enum(['beforeRequestHook', 'afterRequestHook']),
    requestType: z.string(),
    provider: z.string().optional(),
    metadata: z.object({ realmgate_request_id: z.string(), realmgate_user_id: z.string().uuid().optional() }).passthrough(),
    request: z.object({ json: z.record(z.unknown()), isStreamingRequest: z.boolean().optional() }).passthrough(),
    response: z.object({ json: z.record(z.unknown()).nullable().optional(), statusCode: z.number().int().nullable().optional() }).passthrough().optional(),
  })
  .passthrough()
  .openapi('PortkeyHookBody');

/**
 * POST /api/v1/integrations/portkey/{before,after}: the webhooks of Portkey's
 * gateway (README, "Use Realmgate with Portkey's gateway"). Thin: the API key
 * from the hook's headers, the domain call, the verdict out. Every refusal,
 * including a bad key, a malformed or oversized body, is answered 200 with
 * `verdict: false`: the gateway counts a non-2xx answer as a check *error*,
 * and an errored check passes unless the config sets failOnError, so an error
 * status would open the gate. Mounted ahead of the /api/v1 router for its own
 * body limit (the gateway sends the whole prompt and answer).
 */
export function portkeyHookRoutes(api: Api): Router {
  const router = Router();
  const hookDeps: PortkeyHookDeps = { engine: api.deps.usage, defaultMaxTokens: api.deps.config.PORTKEY_DEFAULT_MAX_TOKENS, recentHolds: new RecentHolds() };
  const hooks = { before: portkeyBeforeHook, after: portkeyAfterHook } as const;
  const bodyErrors: ErrorRequestHandler = (err, req, res, _next) => {
    const tooLarge = (err as { type?: string }).type === 'entity.too.large';
    (req.log ?? api.deps.log).warn({ err: { type: (err as { type?: string }).type } }, 'portkey hook body refused');
    writeJson(res, 200, refusal(new AppError(tooLarge ? 'PAYLOAD_TOO_LARGE' : 'INVALID', tooLarge ? 'Hook body over PORTKEY_HOOK_BODY_LIMIT' : 'Malformed JSON body')));
  };

  const logging = requestLogging(api.deps.log);
  const body = express.json({ limit: api.deps.config.PORTKEY_HOOK_BODY_LIMIT, type: () => true });
  router.use(...logging, body);

  for (const [name, hook] of Object.entries(hooks)) {
    api.registry.registerPath({
      method: 'post',
      path: `${PORTKEY_HOOKS_PATH}/${name}`,
      operationId: `portkey${name === 'before' ? 'Before' : 'After'}RequestHook`,
      summary: name === 'before' ? 'Portkey before_request_hook: check the key and model, hold the estimate' : 'Portkey after_request_hook: settle the hold with the provider\'s usage',
      description:
        'Called by Portkey\'s gateway (`default.webhook` check). Always answers 200 with `{ verdict, data }`; a refusal is `verdict: false` with `data.code` and, for quotas, `limit`, `left` and `reset`.\n\nAPI key scope: `usage:write`.',
      tags: ['Integrations'],
      security: [{ [SECURITY.apiKey]: ['usage:write'] }],
      request: { body: { required: true, content: { 'application/json': { schema: hookBodySchema } } } },
      responses: {
        200: { description: 'The verdict (refusals too: a missing or bad key, an unusable model and a quota are `verdict: false`)', content: { 'application/json': { schema: verdictSchema } } },
        500: { description: 'An unexpected failure (logged; the gateway then applies its failOnError choice)', content: { 'application/json': { schema: errorEnvelopeSchema } } },
      },
    });
    const handler: RequestHandler = async (req, res) => {
      let answer: PortkeyVerdict;
      try {
        const actor = await hookActor(api, req, res);
        answer = await withTenant(tenantFromActor(actor), () => hook(hookDeps, actor, req.body));
      } catch (err) {
        if (!isAppError(err)) (req.log ?? api.deps.log).error({ err }, 'portkey hook failed');
        answer = refusal(err);
      }
      writeJson(res, 200, answer);
    };
    router.post(`/${name}`, handler);
    // The gateway calls these on every model request: served without Express too (gateway-lane.ts).
    api.lane?.route('POST', `${API_BASE}${PORTKEY_HOOKS_PATH}/${name}`, `${API_BASE}${PORTKEY_HOOKS_PATH}`, [...logging, body, handler], bodyErrors);
  }

  router.use(bodyErrors);
  return router;
}
