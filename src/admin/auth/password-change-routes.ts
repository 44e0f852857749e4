import express, { Router, type Request, type RequestHandler } from 'express';
import type { AppDeps } from '../../app.js';
import { changeOwnPassword } from '../../domain/auth/change-own-password.js';
import { isAppError } from '../../domain/shared/app-error.js';
import { SESSION_COOKIE, type AdminSession } from './admin-session.js';
import { CSRF_FIELD, csrfTokenFor } from '../../http/security/csrf.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(action: string, logout: string, token: string, error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Change your password · Realmgate</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;background:#f6f7fb;display:flex;justify-content:center;padding-top:10vh}
form{background:#fff;padding:32px;border-radius:8px;box-shadow:0 2px 12px #0001;width:360px}
h1{font-size:20px;margin:0 0 8px}p{color:#555;font-size:14px}label{display:block;font-size:13px;margin:14px 0 4px}
input{width:100%;box-sizing:border-box;padding:9px;border:1px solid #ccd;border-radius:4px}
button{margin-top:20px;width:100%;padding:10px;background:#3040d6;color:#fff;border:0;border-radius:4px;font-size:15px}
.err{background:#fdecea;color:#a12;padding:8px 10px;border-radius:4px;font-size:14px}a{font-size:13px}</style></head>
<body><form method="post" action="${action}"><h1>Choose a new password</h1>
<p>Enter your current password (the temporary one, if an administrator gave you one) and choose a new one. Your other sessions end.</p>
${error ? `<div class="err" role="alert">${esc(error)}</div>` : ''}
<label for="currentPassword">Current password</label><input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password" required>
<label for="newPassword">New password (12 characters or more)</label><input id="newPassword" name="newPassword" type="password" autocomplete="new-password" minlength="12" required>
<label for="confirmPassword">New password again</label><input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required>
<input type="hidden" name="${CSRF_FIELD}" value="${esc(token)}">
<button type="submit">Save and continue</button><p><a href="${logout}">Sign out</a></p></form></body></html>`;
}

/**
 * GET/POST <root>/change-password, and the gate that sends a user who must
 * change their password (a temporary one from an admin) there from every other
 * panel page; API calls get 403 until it is done.
 */
export function passwordChangeRoutes({ rootPath, logoutPath, session, deps }: { rootPath: string; logoutPath: string; session: AdminSession; deps: Pick<AppDeps, 'db' | 'config'> }): { router: Router; gate: RequestHandler } {
  const path = `${rootPath}/change-password`;
  const router = Router();
  const token = (req: Request) => csrfTokenFor(req, { secret: deps.config.SESSION_SECRET, sessionCookie: SESSION_COOKIE }) ?? '';
  router.get(path, session.middleware, session.guard, (req, res) => {
    if (!req.session.adminUser) return res.redirect(302, `${rootPath}/login`);
    res.type('html').send(page(path, logoutPath, token(req)));
  });
  router.post(path, session.middleware, session.guard, express.urlencoded({ extended: false, limit: '8kb' }), async (req, res, next) => {
    const user = req.session.adminUser;
    if (!user) return res.redirect(302, `${rootPath}/login`);
    try {
      await changeOwnPassword(
        deps.db,
        { kind: 'user', userId: user.id, organizationId: user.organizationId, role: user.role, email: user.email },
        { currentPassword: String(req.body?.currentPassword ?? ''), newPassword: String(req.body?.newPassword ?? ''), confirmPassword: String(req.body?.confirmPassword ?? '') },
        { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null },
      );
      // The new password ended every session of this user (a trigger, migration
      // 0006_hardening_values), this one too: carry on under a fresh session id.
      const { client, signedInAt } = req.session;
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.adminUser = { ...user, mustChangePassword: false };
        req.session.client = client;
        req.session.signedInAt = signedInAt;
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(302, rootPath)));
      });
    } catch (e) {
      if (!isAppError(e)) return next(e);
      res.status(400).type('html').send(page(path, logoutPath, token(req), e.message.replace(/^(\w+): /, (_m, f: string) => `${f.replace(/([A-Z])/g, ' $1').toLowerCase()} `)));
    }
  });
  const gate: RequestHandler = (req, res, next) => {
    if (!req.session?.adminUser?.mustChangePassword || /^\/frontend\/assets\//.test(req.path) || req.path === '/logout') return next();
    if (req.path.startsWith('/api/')) return res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Change your temporary password first' } });
    res.redirect(302, path);
  };
  return { router, gate };
}
