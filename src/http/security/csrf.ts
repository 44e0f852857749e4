import crypto from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../../domain/shared/app-error.js';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';
export const CSRF_COOKIE = 'realmgate.csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfOptions {
  secret: string;
  /** Name of the cookie that signs a person in (the panel's session). */
  sessionCookie: string;
  /** Path of the CSRF cookie: where the panel's scripts run. */
  cookiePath: string;
}

function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The CSRF token of the session `req` carries: an HMAC of its session cookie,
 * so it changes with every new session (sign-in regenerates the id) and a
 * planted cookie of ours cannot stand in for it. Null without a session.
 */
export function csrfTokenFor(req: Request, options: Pick<CsrfOptions, 'secret' | 'sessionCookie'>): string | null {
  const session = cookieValue(req, options.sessionCookie);
  if (!session) return null;
  return crypto.createHmac('sha256', options.secret).update(`csrf:${session}`).digest('base64url');
}

function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The origin this request was addressed to (scheme from `trust proxy`, host header). */
function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? ''}`.toLowerCase();
}

const refuse = (message: string) => new AppError('FORBIDDEN', message);

/**
 * The one cross-site request guard, for every route (panel, API, sign-in,
 * sign-out, change-password):
 * - safe methods pass (they change nothing); they also hand the panel's
 *   scripts the session's token in a readable cookie;
 * - an unsafe request whose Origin is not ours, or that says
 *   `Sec-Fetch-Site: cross-site`, is refused (403);
 * - with neither header (old browsers, privacy tools, scripts), a request that
 *   carries the session cookie must bring the token, in the X-CSRF-Token
 *   header or a `_csrf` form field;
 * - a request authenticated only by an Authorization header (API keys, JWTs:
 *   gateways) carries no ambient credential, so it needs none.
 */
export function csrfProtection(options: CsrfOptions): RequestHandler {
  const formBody = express.urlencoded({ extended: false, limit: '8kb' });
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      issueCookie(req, res, options);
      return next();
    }
    const origin = req.get('origin');
    const site = req.get('sec-fetch-site')?.toLowerCase();
    if (origin !== undefined && origin.toLowerCase() !== ownOrigin(req)) return next(refuse('Cross-site request refused (Origin)'));
    if (site === 'cross-site') return next(refuse('Cross-site request refused (Sec-Fetch-Site)'));
    if (origin !== undefined || site === 'same-origin') return next();

    const expected = csrfTokenFor(req, options);
    if (expected === null) return next(); // no session cookie: nothing ambient to abuse (Authorization-only API calls, sign-in)
    if (sameToken(req.get(CSRF_HEADER), expected)) return next();
    if (req.is('application/x-www-form-urlencoded')) {
      // Our own HTML forms (sign-out, change-password) carry the token as a field.
      return formBody(req, res, (err?: unknown) => {
        if (err) return next(err);
        if (sameToken((req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD], expected)) return next();
        next(refuse('Missing or wrong CSRF token'));
      });
    }
    next(refuse('Missing or wrong CSRF token'));
  };
}

function issueCookie(req: Request, res: Response, options: CsrfOptions): void {
  const token = csrfTokenFor(req, options);
  if (!token || cookieValue(req, CSRF_COOKIE) === token) return;
  // Readable by the panel's scripts (src/http/security/csrf-client.ts sends it back as a header).
  res.cookie(CSRF_COOKIE, token, { path: options.cookiePath, sameSite: 'strict', secure: req.secure, httpOnly: false });
}
