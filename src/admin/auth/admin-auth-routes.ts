import express, { Router, type RequestHandler } from 'express';
import type AdminJS from 'adminjs';
import type { PrismaClient } from '@prisma/client';
import { authenticateAdmin } from './authenticate-admin.js';
import { SESSION_COOKIE, type AdminSession } from './admin-session.js';

export const LOGIN_ERROR = 'Invalid email or password';

/**
 * Our own POST <root>/login and GET <root>/logout, mounted before AdminJS's router.
 * AdminJS's login keeps the pre-login session id (session fixation) and its retry
 * limit lives in one process's memory. These handlers answer every request
 * themselves: AdminJS's router must never see a request a body parser has read.
 */
export function adminAuthRoutes(opts: { admin: AdminJS; db: PrismaClient; session: AdminSession }): Router {
  const { admin, db, session } = opts;
  const { rootPath, loginPath, logoutPath } = admin.options;
  const router = Router();

  router.post(loginPath, session.middleware, express.urlencoded({ extended: false, limit: '8kb' }), async (req, res, next) => {
    try {
      const user = await authenticateAdmin(db, req.body?.email, req.body?.password);
      if (!user) {
        res.status(401).type('html').send(await admin.renderLogin({ action: loginPath, errorMessage: LOGIN_ERROR }));
        return;
      }
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.adminUser = user;
        req.session.client = { ip: req.ip ?? '', userAgent: (req.get('user-agent') ?? '').slice(0, 512) };
        req.session.signedInAt = Date.now();
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(302, rootPath)));
      });
    } catch (e) {
      next(e);
    }
  });

  router.get(logoutPath, session.middleware, (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(SESSION_COOKIE, { path: session.cookiePath });
      res.redirect(302, loginPath);
    });
  });

  return router;
}

/** Ends a session older than `hours` however active it was; AdminJS then sends the user to the login page. */
export function absoluteTimeout(hours: number): RequestHandler {
  const maxMs = hours * 3_600_000;
  return (req, _res, next) => {
    const s = req.session;
    if (s?.adminUser && !(s.signedInAt && Date.now() - s.signedInAt < maxMs)) {
      s.destroy((err) => next(err));
      return;
    }
    next();
  };
}
