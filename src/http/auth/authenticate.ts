import type { Request, RequestHandler } from 'express';
import type { PrismaClient } from '@prisma/client';
import { authenticateApiKey, type ApiKeyLookupCache } from '../../domain/api-keys/authenticate-api-key.js';
import type { LastUsedTracker } from '../../domain/api-keys/last-used-tracker.js';
import { AppError } from '../../domain/shared/app-error.js';
import type { RequestMeta } from '../../domain/audit/record-audit.js';
import { looksLikeJwt, verifyAccessToken } from './access-token.js';
import { loadPrincipalUser } from './load-principal-user.js';
import type { Principal } from './principal.js';
import { isSessionTokenFamilyActive } from './token-families.js';

export interface AuthDeps {
  /** The system login: keys, users and token families are looked up before anyone is known. */
  systemDb: PrismaClient;
  pepper: string;
  jwtSecret: string;
  tracker?: LastUsedTracker;
  /** Key lookups cached at most a second (see ApiKeyLookupCache). */
  apiKeyCache?: ApiKeyLookupCache;
  /** The panel's session middleware (express-session + its guard), so signed-in staff can use the API. */
  session?: RequestHandler[];
}

const MAX_USER_AGENT = 512;
const unauthenticated = (message = 'Authentication required') => new AppError('UNAUTHENTICATED', message);

export function requestMeta(req: Request): RequestMeta & { requestId: string } {
  // Node's own fields and those Express's router sets: the gateway lane (gateway-lane.ts) sets them too.
  return { ip: req.ip ?? null, userAgent: (req.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT) || null, requestId: String(req.id) };
}

/** `Bearer <token>` → token; another scheme or a malformed header → 401. */
function bearerToken(header: string): string {
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  if (!m) throw unauthenticated('Use Authorization: Bearer <API key or access token>');
  return m[1]!;
}

/**
 * How much of the caller a route needs. `keyOnly`: called with an API key, the
 * route acts as the key itself (the usage hot path, the gateway hooks, GET
 * /models and /quota: the key's quotas, scopes and models), so the key's owner
 * is not loaded on every request. Those routes re-read the key, its owner and
 * its organization in their own transaction and refuse at once (the usage
 * batch: decide-batch.ts; GET /models and /quota: apiKeyNow), as
 * loadPrincipalUser would have. A token or the panel session still loads its user.
 */
export interface AuthenticateOptions {
  keyOnly?: boolean;
}

async function fromApiKey(deps: AuthDeps, req: Request, secret: string, options: AuthenticateOptions): Promise<Principal> {
  const key = await authenticateApiKey(deps.systemDb, secret, { pepper: deps.pepper, tracker: deps.tracker, cache: deps.apiKeyCache });
  let user = null;
  if (key.actor.userId && !options.keyOnly) {
    const loaded = await loadPrincipalUser(deps.systemDb, key.actor.userId);
    // authenticateApiKey checked the owner a moment ago; gone since: the same refusal.
    if (!loaded) throw new AppError('UNAUTHENTICATED', 'Invalid or expired API key');
    user = { ...loaded.actor, apiKeyId: key.actor.apiKeyId };
  }
  return { via: 'api-key', actor: user ?? key.actor, user, scopes: key.actor.scopes, apiKey: key, mustChangePassword: false, meta: requestMeta(req) };
}

async function fromJwt(deps: AuthDeps, req: Request, token: string): Promise<Principal> {
  const claims = await verifyAccessToken(deps.jwtSecret, token);
  const [loaded, familyActive] = await Promise.all([loadPrincipalUser(deps.systemDb, claims.sub), isSessionTokenFamilyActive(deps.systemDb, claims.sub, claims.sid)]);
  // Logout, a password change, a disable or lock revoke the family (migration 0007_api_refresh_tokens):
  // the access token stops working on the next request, not when it expires.
  if (!loaded || !familyActive) throw unauthenticated('Invalid or expired token');
  return { via: 'jwt', actor: loaded.actor, user: loaded.actor, scopes: null, apiKey: null, mustChangePassword: loaded.mustChangePassword, meta: requestMeta(req) };
}

function runAll(handlers: RequestHandler[], req: Request, res: Parameters<RequestHandler>[1]): Promise<void> {
  return handlers.reduce<Promise<void>>(
    (prev, h) => prev.then(() => new Promise<void>((resolve, reject) => h(req, res, (err?: unknown) => (err ? reject(err) : resolve())))),
    Promise.resolve(),
  );
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A cookie rides along with every request the browser makes, so an unsafe
 * request signed in by the panel's cookie must come from the panel's own
 * origin: a same-origin Origin header, or Sec-Fetch-Site same-origin. (The
 * global CSRF middleware in app.ts may refuse such requests earlier.)
 */
function checkSameOrigin(req: Request): void {
  if (!UNSAFE.has(req.method)) return;
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin') throw new AppError('FORBIDDEN', 'Cross-site request refused');
  const origin = req.get('origin');
  if (origin) {
    const expected = `${req.protocol}://${req.get('host')}`;
    if (origin !== expected) throw new AppError('FORBIDDEN', 'Cross-origin request refused');
    return;
  }
  if (site === 'same-origin') return;
  throw new AppError('FORBIDDEN', 'Requests signed in with the panel session need an Origin header');
}

async function fromSession(deps: AuthDeps, req: Request, res: Parameters<RequestHandler>[1]): Promise<Principal | null> {
  if (!deps.session || !req.headers.cookie) return null;
  await runAll(deps.session, req, res);
  const sessionUser = req.session?.adminUser;
  if (!sessionUser) return null;
  checkSameOrigin(req);
  const loaded = await loadPrincipalUser(deps.systemDb, sessionUser.id);
  if (!loaded) return null;
  return { via: 'session', actor: loaded.actor, user: loaded.actor, scopes: null, apiKey: null, mustChangePassword: loaded.mustChangePassword, meta: requestMeta(req) };
}

/**
 * Establishes req.principal from one of the three sign-ins, or throws 401 with
 * one message whatever went wrong (no hint whether a key exists, was revoked
 * or expired). An Authorization header wins over a cookie; a Bearer token
 * shaped like a JWT is an access token, anything else an API key.
 */
export async function authenticate(deps: AuthDeps, req: Request, res: Parameters<RequestHandler>[1], options: AuthenticateOptions = {}): Promise<Principal> {
  const header = req.headers.authorization;
  let principal: Principal | null;
  if (header !== undefined) {
    const token = bearerToken(header);
    principal = looksLikeJwt(token) ? await fromJwt(deps, req, token) : await fromApiKey(deps, req, token, options);
  } else {
    principal = await fromSession(deps, req, res);
  }
  if (!principal) throw unauthenticated();
  req.principal = principal;
  return principal;
}
