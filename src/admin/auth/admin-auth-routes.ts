import express, { Router, type Request } from 'express';
import type AdminJS from 'adminjs';
import type { AppDeps } from '../../app.js';
import { signInPolicyFrom } from '../../domain/auth/sign-in-policy.js';
import { recordSignInEvent, type SignInEvent } from '../../domain/audit/record-sign-in.js';
import { authenticateAdmin } from './authenticate-admin.js';
import { SESSION_COOKIE, type AdminSession, type AdminSessionUser } from './admin-session.js';
import { CSRF_FIELD, csrfTokenFor } from '../../http/security/csrf.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * GET <root>/logout (AdminJS's menu navigates there) answers a small page whose
 * form POSTs the sign-out; it submits itself only when the browser says the
 * navigation came from our own pages, so a link elsewhere cannot sign anyone out.
 */
// Its inline script gets this response's CSP nonce from security-headers.ts like AdminJS's pages.
function signOutPage(action: string, token: string, auto: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out · Realmgate</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;background:#f6f7fb;display:flex;justify-content:center;padding-top:10vh}
form{background:#fff;padding:32px;border-radius:8px;box-shadow:0 2px 12px #0001;width:320px;text-align:center}
button{padding:10px 24px;background:#3040d6;color:#fff;border:0;border-radius:4px;font-size:15px}a{display:block;margin-top:14px;font-size:13px}</style></head>
<body><form id="sign-out" method="post" action="${esc(action)}"><input type="hidden" name="${CSRF_FIELD}" value="${esc(token)}">
<p>Sign out of Realmgate?</p><button type="submit">Sign out</button><a href="/admin">Stay signed in</a></form>
${auto ? `<script>document.getElementById('sign-out').submit();</script>` : ''}</body></html>`;
}

/** The one answer to every failed sign-in, whatever the reason (see src/domain/auth/sign-in.ts). */
export const LOGIN_ERROR = 'Invalid email or password';

export interface AdminAuthRoutesOptions {
  admin: AdminJS;
  session: AdminSession;
  deps: Pick<AppDeps, 'systemDb' | 'config' | 'log'>;
}

/**
 * Our own POST <root>/login and GET <root>/logout, mounted before AdminJS's router.
 * AdminJS's login keeps the pre-login session id (session fixation) and its retry
 * limit lives in one process's memory. These handlers answer every request
 * themselves: AdminJS's router must never see a request a body parser has read.
 */
export function adminAuthRoutes({ admin, session, deps }: AdminAuthRoutesOptions): Router {
  const { rootPath, loginPath, logoutPath } = admin.options;
  const authenticate = adminAuthenticate(deps);
  const router = Router();
  // The audit row is a record of the event, not a condition of it: a failure to write it is logged, the answer stands.
  const audit = (req: Request, event: SignInEvent) =>
    recordSignInEvent(deps.systemDb, event, { ip: clientIp(req), userAgent: (req.get('user-agent') ?? '').slice(0, 512) }).catch((e) => deps.log.error({ err: e }, 'could not record a sign-in event'));

  router.post(loginPath, session.middleware, express.urlencoded({ extended: false, limit: '8kb' }), async (req, res, next) => {
    try {
      const ip = clientIp(req);
      const user = await authenticate(req.body?.email, req.body?.password, { req });
      if (!user) {
        await audit(req, { kind: 'sign-in-failed', email: typeof req.body?.email === 'string' ? req.body.email.trim() : '' });
        res.status(401).type('html').send(await admin.renderLogin({ action: loginPath, errorMessage: LOGIN_ERROR }));
        return;
      }
      // A new id: whatever id the browser brought (perhaps planted) never becomes signed in.
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.adminUser = user;
        req.session.client = { ip, userAgent: (req.get('user-agent') ?? '').slice(0, 512) };
        req.session.signedInAt = Date.now();
        req.session.save((saveErr) => (saveErr ? next(saveErr) : void audit(req, { kind: 'sign-in', user }).then(() => res.redirect(302, rootPath))));
      });
    } catch (e) {
      next(e);
    }
  });

  router.get(logoutPath, session.middleware, (req, res) => {
    if (!req.session.adminUser) return res.redirect(302, loginPath);
    const token = csrfTokenFor(req, { secret: deps.config.SESSION_SECRET, sessionCookie: SESSION_COOKIE }) ?? '';
    res.type('html').send(signOutPage(logoutPath, token, req.get('sec-fetch-site') === 'same-origin'));
  });

  // Sign-out changes state, so it is a POST (the global CSRF guard in app.ts checks Origin or the token).
  router.post(logoutPath, session.middleware, (req, res, next) => {
    const user = req.session?.adminUser;
    req.session.destroy(async (err) => {
      if (err) return next(err);
      if (user) await audit(req, { kind: 'sign-out', user });
      res.clearCookie(SESSION_COOKIE, { path: session.cookiePath });
      res.redirect(302, loginPath);
    });
  });

  return router;
}

/** The `authenticate` callback for AdminJS (its own login route is only a fallback behind ours): same rules. */
export function adminAuthenticate(deps: Pick<AppDeps, 'systemDb' | 'config' | 'log' | 'metrics'>) {
  const policy = signInPolicyFrom(deps.config);
  const onFailure = (reason: string) => deps.metrics?.signInFailures.inc({ channel: 'panel', reason });
  // Nobody is signed in yet: the lookup and the lockout counters are system work.
  return (email: unknown, password: unknown, context?: { req?: Request }): Promise<AdminSessionUser | null> =>
    authenticateAdmin(deps.systemDb, policy, { email, password, ip: context?.req ? clientIp(context.req) : '' }, deps.log, onFailure);
}

/** The client's address; behind a proxy it is right only with TRUST_PROXY set (see README). */
function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? '';
}
