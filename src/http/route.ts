import type { Request, RequestHandler, Response, Router } from 'express';
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { ZodObject, type AnyZodObject, type ZodTypeAny } from 'zod';
import { withTenant, tenantFromActor } from '../db/tenant-context.js';
import type { ApiKeyScope } from '../domain/api-keys/api-key-scopes.js';
import type { Operation, ResourceName } from '../domain/access/permissions.js';
import type { Actor } from '../domain/shared/actor.js';
import { AppError, type ErrorCode } from '../domain/shared/app-error.js';
import { z } from './zod.js';
import { authenticate, requestMeta, type AuthDeps } from './auth/authenticate.js';
import type { Principal, SignInKind } from './auth/principal.js';
import { requireScope } from './auth/require-scope.js';
import { errorEnvelopeSchema } from './schemas/common.js';
import { writeJsonAnswer } from './write-json.js';
import { asJson, compileAnswerShape, MISMATCH } from './answer-shape.js';
import { isDeepStrictEqual } from 'node:util';
import { SECURITY } from './openapi.js';
import type { Logger } from '../logger.js';
import type { RequestMeta } from '../domain/audit/record-audit.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler may return for a schema: Dates where it says string (sent as ISO), bigints where it says number. */
export type Wire<T> = T extends string
  ? T | Date
  : T extends number
    ? T | bigint
    : T extends Array<infer U>
      ? Array<Wire<U>>
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

export interface HandlerContext<P extends AnyZodObject, Q extends AnyZodObject, B extends ZodTypeAny> {
  req: Request;
  res: Response;
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** The caller (throws on a public route, which has none). */
  principal: Principal;
  /** principal.actor: what domain functions take. */
  actor: Actor;
  /** IP, user agent, request id: for audit rows. */
  meta: RequestMeta & { requestId: string };
}

export interface RouteSpec<P extends AnyZodObject, Q extends AnyZodObject, B extends ZodTypeAny, R extends ZodTypeAny> {
  method: Method;
  /** Express style, relative to /api/v1: '/realms/:id'. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** 'none' = public (no sign-in). Default: any of the three sign-ins. */
  auth?: 'none' | readonly SignInKind[];
  /** The API key scope this operation needs (people are bound by their role only). */
  scope?: ApiKeyScope;
  /** The permission-matrix entry the caller's role (a key's owner's role) must hold; else 403. */
  access?: readonly [ResourceName, Operation];
  /**
   * Called with an API key, the handler acts as the key itself
   * (principal.apiKey.actor), never as its owner: the owner is not loaded (see
   * AuthenticateOptions.keyOnly), and the domain function re-reads the key's
   * state in its own transaction. Not with `access`, which needs the owner's role.
   */
  keyOnly?: boolean;
  params?: P;
  query?: Q;
  /** A zod object: made .strict() here, so unknown top-level fields are refused. */
  body?: B;
  /** The answer's schema: the answer is parsed with it (unknown fields dropped, drift caught). */
  response: R;
  status?: 200 | 201 | 202;
  responseDescription?: string;
  /** Error codes this operation may answer beyond those implied by auth/params/body (e.g. CONFLICT, QUOTA_EXCEEDED). */
  errors?: ErrorCode[];
  /** Allowed while the user still has to change a temporary password (GET /me). */
  allowPendingPasswordChange?: boolean;
  /**
   * Served in the gateway lane too (src/http/gateway-lane.ts: without Express,
   * for the calls a gateway makes on every model request). A GET or POST whose
   * handler uses principal, params and body, not ctx.req or ctx.res.
   */
  lane?: boolean;
  handle(ctx: HandlerContext<P, Q, B>): Promise<Wire<z.input<R>>> | Wire<z.input<R>>;
}

export interface ApiRouteDeps extends AuthDeps {
  log: Logger;
}

const EMPTY_BODY = z.object({}).strict();
const EMPTY = z.object({});

const ERROR_TEXT: Record<ErrorCode | 'INTERNAL', string> = {
  INVALID: 'INVALID: the request does not match the schema (details name the field)',
  UNAUTHENTICATED: 'UNAUTHENTICATED: no valid API key, token or session',
  FORBIDDEN: 'FORBIDDEN: the key lacks the scope, or the role may not do this',
  NOT_FOUND: 'NOT_FOUND: no such record in your scope',
  CONFLICT: 'CONFLICT: the change conflicts with existing data',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE: the body is over API_BODY_LIMIT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE: bodies must be application/json',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED or RATE_LIMITED: a limit was reached (see Retry-After)',
  RATE_LIMITED: 'QUOTA_EXCEEDED or RATE_LIMITED: a limit was reached (see Retry-After)',
  INTERNAL: 'INTERNAL: unexpected server error (logged with the request id)',
};
const STATUS: Record<ErrorCode | 'INTERNAL', number> = {
  INVALID: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415, QUOTA_EXCEEDED: 429, RATE_LIMITED: 429, INTERNAL: 500,
};

function validate<S extends ZodTypeAny>(schema: S, value: unknown, where: 'path' | 'query' | 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
  const first = issues[0]!;
  const field = first.path || undefined;
  throw new AppError('INVALID', `${where}${field ? `.${field}` : ''}: ${first.message}`, { in: where, field, issues });
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const strictBody = (body: ZodTypeAny) => (body instanceof ZodObject ? body.strict() : body);
const hasBody = (m: Method) => m === 'post' || m === 'put' || m === 'patch';

function documentedErrors(spec: RouteSpec<AnyZodObject, AnyZodObject, ZodTypeAny, ZodTypeAny>): Array<ErrorCode | 'INTERNAL'> {
  const codes = new Set<ErrorCode | 'INTERNAL'>();
  if (spec.auth !== 'none') codes.add('UNAUTHENTICATED').add('FORBIDDEN');
  if (spec.params || spec.query || hasBody(spec.method)) codes.add('INVALID');
  if (spec.params) codes.add('NOT_FOUND');
  if (hasBody(spec.method)) codes.add('PAYLOAD_TOO_LARGE').add('UNSUPPORTED_MEDIA_TYPE');
  for (const c of spec.errors ?? []) codes.add(c);
  codes.add('INTERNAL');
  return [...codes];
}

function register(registry: OpenAPIRegistry, spec: RouteSpec<AnyZodObject, AnyZodObject, ZodTypeAny, ZodTypeAny>, body: ZodTypeAny | undefined): void {
  const responses: Record<string, ResponseConfig> = {
    [String(spec.status ?? 200)]: { description: spec.responseDescription ?? spec.summary, content: { 'application/json': { schema: spec.response } } },
  };
  const byStatus = new Map<number, string[]>();
  for (const code of documentedErrors(spec)) byStatus.set(STATUS[code], [...new Set([...(byStatus.get(STATUS[code]) ?? []), ERROR_TEXT[code]])]);
  for (const [status, texts] of byStatus) {
    responses[String(status)] = {
      description: texts.join('; '),
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: errorEnvelopeSchema } },
    };
  }
  const kinds = spec.auth === 'none' ? [] : (spec.auth ?? (['api-key', 'jwt', 'session'] as const));
  const schemeOf = { 'api-key': SECURITY.apiKey, jwt: SECURITY.bearerJwt, session: SECURITY.sessionCookie } as const;
  const security: Array<Record<string, string[]>> = kinds.map((k): Record<string, string[]> => ({ [schemeOf[k]]: k === 'api-key' && spec.scope ? [spec.scope] : [] }));
  const scopeNote = spec.scope ? `\n\nAPI key scope: \`${spec.scope}\`.` : '';
  const accessNote = spec.access ? ` Role permission: ${spec.access[1]} ${spec.access[0]}.` : '';
  registry.registerPath({
    method: spec.method,
    path: toOpenApiPath(spec.path),
    operationId: spec.operationId,
    summary: spec.summary,
    description: `${spec.description ?? spec.summary}${scopeNote}${accessNote}`,
    tags: spec.tags,
    security,
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(body ? { body: { required: true, content: { 'application/json': { schema: body } } } } : {}),
    },
    responses,
  });
}

/**
 * Under NODE_ENV=test, every answer is also shaped the general way (zod on
 * the answer as JSON) and the two must agree: the whole suite checks the
 * compiled shaper (answer-shape.ts) on every answer it sees.
 */
function checkedInTests(operationId: string, schema: ZodTypeAny, shape: (value: unknown) => unknown): (value: unknown) => unknown {
  if (process.env.NODE_ENV !== 'test') return shape;
  return (value) => {
    const fast = shape(value);
    const general = schema.safeParse(asJson(value) ?? null);
    const expected = general.success ? general.data : MISMATCH;
    if (!isDeepStrictEqual(fast, expected) || JSON.stringify(fast) !== JSON.stringify(expected)) {
      throw new Error(`${operationId}: the compiled answer shaper and zod disagree: ${String(JSON.stringify(fast))} against ${String(JSON.stringify(expected))}`);
    }
    return fast;
  };
}

/**
 * Registers one API operation twice from one spec: in the OpenAPI registry
 * (its zod schemas, examples, security and error answers) and on the Express
 * router (sign-in, scope, validation, tenant context, answer shaped by the
 * response schema). Every /api/v1 route is written with this.
 */
export function defineRoute<P extends AnyZodObject = typeof EMPTY, Q extends AnyZodObject = typeof EMPTY, B extends ZodTypeAny = typeof EMPTY_BODY, R extends ZodTypeAny = ZodTypeAny>(
  api: { router: Router; registry: OpenAPIRegistry; deps: ApiRouteDeps; addToLane?(method: 'GET' | 'POST', path: string, handler: RequestHandler): void },
  spec: RouteSpec<P, Q, B, R>,
): void {
  const body = spec.body ? strictBody(spec.body) : undefined;
  register(api.registry, spec as unknown as RouteSpec<AnyZodObject, AnyZodObject, ZodTypeAny, ZodTypeAny>, body);
  const bodySchema = body ?? EMPTY_BODY;
  const allowed = spec.auth === 'none' ? null : new Set(spec.auth ?? ['api-key', 'jwt', 'session']);
  if (spec.keyOnly && (spec.access || !allowed?.has('api-key'))) {
    throw new Error(`${spec.operationId}: keyOnly needs API key sign-in and no access (the owner's role is not loaded)`);
  }
  if (spec.lane && spec.method !== 'post' && spec.method !== 'get') throw new Error(`${spec.operationId}: only GET and POST routes are served in the gateway lane`);
  const authOptions = { keyOnly: spec.keyOnly };
  const shapeAnswer = checkedInTests(spec.operationId, spec.response, compileAnswerShape(spec.response));

  const handler: RequestHandler = async (req, res, next) => {
    try {
      let principal: Principal | null = null;
      if (allowed) {
        principal = await authenticate(api.deps, req, res, authOptions);
        if (!allowed.has(principal.via)) throw new AppError('FORBIDDEN', `This operation does not accept ${principal.via} sign-in`);
        if (principal.mustChangePassword && !spec.allowPendingPasswordChange) {
          throw new AppError('FORBIDDEN', 'Change your temporary password first (in the panel)', { reason: 'password-change-required' });
        }
        requireScope(principal, spec.scope, spec.access);
      }
      const params = validate(spec.params ?? EMPTY, req.params, 'path');
      const query = validate(spec.query ?? EMPTY, req.query, 'query');
      const parsedBody = hasBody(spec.method) || spec.method === 'delete' ? validate(bodySchema, req.body ?? {}, 'body') : {};
      const ctx: HandlerContext<P, Q, B> = {
        get req(): Request {
          if (spec.lane) throw new Error(`${spec.operationId} is served in the gateway lane: its handler has no Express request`);
          return req;
        },
        get res(): Response {
          if (spec.lane) throw new Error(`${spec.operationId} is served in the gateway lane: its handler has no Express response`);
          return res;
        },
        params,
        query,
        body: parsedBody as z.output<B>,
        get principal(): Principal {
          if (!principal) throw new Error(`${spec.operationId} is public and has no principal`);
          return principal;
        },
        get actor(): Actor {
          return ctx.principal.actor;
        },
        meta: principal?.meta ?? requestMeta(req),
      };
      const run = () => Promise.resolve(spec.handle(ctx));
      // Queries outside an explicit transaction run as the caller's tenant too (row-level security).
      const result = principal ? await withTenant(tenantFromActor(principal.actor), run) : await run();
      if (res.headersSent) return;
      const shaped = shapeAnswer(result);
      if (shaped === MISMATCH) {
        const issues = spec.response.safeParse(asJson(result) ?? null).error?.issues.slice(0, 5);
        api.deps.log.error({ operationId: spec.operationId, issues, requestId: String(req.id) }, 'answer does not match its schema');
        throw new Error(`answer of ${spec.operationId} does not match its schema`);
      }
      writeJsonAnswer(req, res, spec.status ?? 200, shaped);
    } catch (err) {
      next(err);
    }
  };
  api.router[spec.method](spec.path, handler);
  if (spec.lane) api.addToLane?.(spec.method === 'get' ? 'GET' : 'POST', spec.path, handler);
}
