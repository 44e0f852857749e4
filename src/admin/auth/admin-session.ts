import session, { type SessionOptions } from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import pg from 'pg';
import type { RequestHandler } from 'express';
import type { OrganizationType, PricingPlan, UserRole } from '@prisma/client';
import type { AppDeps } from '../../app.js';
import { accountUsableSql, UUID_PATTERN } from '../../domain/auth/account-state.js';
import { pruneLoginThrottle } from '../../domain/auth/login-throttle.js';
import { signInPolicyFrom } from '../../domain/auth/sign-in-policy.js';
import { inActorTransaction } from '../../domain/shared/actor-transaction.js';
import { throttleTouch } from './throttled-touch.js';

/** Who is signed in; the "session" table derives user_id and organization_id from it. */
export interface AdminSessionUser {
  id: string;
  email: string;
  role: UserRole;
  organizationId: string | null;
  title: string;
  /** Set after an admin gave a temporary password: every page leads to the change-password form. */
  mustChangePassword?: boolean;
}

declare module 'express-session' {
  interface SessionData {
    adminUser: AdminSessionUser;
    /** Read by the "session" table's generated ip and user_agent columns. */
    client: { ip: string; userAgent: string };
    /** Epoch ms of sign-in, for the absolute timeout and the Active sessions screen. */
    signedInAt: number;
  }
}

export const SESSION_COOKIE = 'realmgate.sid';
const PRUNE_EVERY_MS = 15 * 60_000;

export interface AdminSession {
  options: SessionOptions;
  cookiePath: string;
  middleware: RequestHandler;
  /** After `middleware` on every panel request: absolute timeout, and the user re-read from the database. */
  guard: RequestHandler;
  close(): Promise<void>;
}

/** express-session on connect-pg-simple: HttpOnly, SameSite=Lax, Secure on HTTPS, idle timeout that rolls. */
export function createAdminSession({ config, systemDatabaseUrl, log, systemDb }: Pick<AppDeps, 'config' | 'systemDatabaseUrl' | 'log' | 'systemDb'>, cookiePath: string): AdminSession {
  // The store finds any session by its secret id, so it runs on the system login.
  const pool = new pg.Pool({ connectionString: systemDatabaseUrl, max: 10, application_name: 'realmgate-sessions' });
  // An idle client's error (database restart, failover) must not crash the process: the pool replaces it.
  pool.on('error', (err) => log.warn({ err }, 'session store connection lost'));
  const PgStore = connectPgSimple(session);
  // The table comes from migration 0001 (with generated columns), never from the store.
  const store = new PgStore({
    pool,
    tableName: 'session',
    createTableIfMissing: false,
    errorLog: (...args: unknown[]) => log.error({ args: args.map(String) }, 'session store error'),
  });
  // The idle timeout's row update, at most once a minute per session (a tenth of the timeout when that is shorter).
  throttleTouch(store, Math.min(60_000, (config.SESSION_IDLE_MINUTES * 60_000) / 10));
  // The session's row and its user's, in one statement: one round trip fewer on every panel request.
  readUserWithSession(store, pool);
  const options: SessionOptions = {
    name: SESSION_COOKIE,
    secret: config.SESSION_SECRET,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: {
      path: cookiePath,
      httpOnly: true,
      sameSite: 'lax',
      secure: 'auto',
      maxAge: config.SESSION_IDLE_MINUTES * 60_000,
    },
  };
  // Expired sessions are pruned by the store (every 15 minutes); the sign-in
  // throttle's spent rows likewise, so the table holds only IPs seen lately.
  const policy = signInPolicyFrom(config);
  const prune = setInterval(() => {
    inActorTransaction(systemDb, { kind: 'system', reason: 'prune sign-in throttle' }, (tx) => pruneLoginThrottle(tx, policy)).catch((err) =>
      log.warn({ err }, 'could not prune the sign-in throttle'),
    );
  }, PRUNE_EVERY_MS);
  prune.unref();
  return {
    options,
    cookiePath,
    middleware: session(options),
    guard: sessionGuard(pool, config.SESSION_ABSOLUTE_HOURS),
    async close() {
      clearInterval(prune);
      await store.close();
      await pool.end();
    },
  };
}

// The bundles AdminJS serves under <root>/frontend/assets carry nothing of the
// user's; five of them load with every page, so they skip the database.
const ASSET_PATH = /^\/frontend\/assets\//;

/**
 * Runs on every panel request that carries a signed-in session:
 * - ends a session older than `absoluteHours` however active it was (the
 *   idle timeout is the cookie's and the store row's rolling expiry);
 * - re-reads the user with one primary-key query as 'system' on the store's
 *   pool, and ends the session when the user is gone, disabled or locked
 *   (migration 0003 also deletes such sessions the moment it happens); a
 *   changed role, organization or email takes effect on this very request.
 *   The same query reads the type and plan of the user's organization, which
 *   the request's actor needs (admin-tenant.ts): `req.sessionOrg`.
 * An ended session reaches AdminJS without adminUser: pages redirect to the
 * login, API calls are refused.
 */
function sessionGuard(pool: pg.Pool, absoluteHours: number): RequestHandler {
  const maxMs = absoluteHours * 3_600_000;
  return (req, _res, next) => {
    const s = req.session;
    const current = s?.adminUser;
    if (!current || ASSET_PATH.test(req.path)) return next();
    const end = () => s.destroy((err) => next(err));
    if (!(typeof s.signedInAt === 'number' && Date.now() - s.signedInAt < maxMs)) return end();
    const read = req.sessionUserRead;
    const user = read?.userId === current.id ? Promise.resolve(read.found) : loadSessionUser(pool, current.id);
    user.then((found) => {
      if (!found) return end();
      if (!sameUser(found.user, current)) s.adminUser = found.user;
      req.sessionOrg = found.org;
      next();
    }, next);
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The session's user as the store read it with the session's row on this request (readUserWithSession). */
    sessionUserRead?: { userId: string; found: SessionUserFound | null };
    /** The signed-in user's organization (type and plan) as the session guard read it on this request; null without one. */
    sessionOrg?: SessionOrganization | null;
  }
}

export interface SessionOrganization {
  type: OrganizationType;
  pricingPlan: PricingPlan;
}

export interface SessionUserFound {
  user: AdminSessionUser;
  org: SessionOrganization | null;
}

// The session user's columns and their organization's, as both reads below select them.
const SESSION_USER_COLUMNS = `u."id"::text AS id, u."email", u."role"::text AS role, u."organization_id"::text AS "organizationId",
            COALESCE(u."display_name", u."username") AS title, u."must_change_password" AS "mustChangePassword",
            o."type"::text AS "orgType", o."pricing_plan"::text AS "orgPlan"`;
type SessionUserRow = AdminSessionUser & { orgType: OrganizationType | null; orgPlan: PricingPlan | null };

function foundOf(row: SessionUserRow | undefined): SessionUserFound | null {
  if (!row?.id) return null;
  const { orgType, orgPlan, ...user } = row;
  return { user, org: orgType && orgPlan ? { type: orgType, pricingPlan: orgPlan } : null };
}

/**
 * The signed-in user as the database has it now, with their organization's
 * type and plan; null when they may no longer hold a session.
 */
export async function loadSessionUser(pool: pg.Pool, userId: string): Promise<SessionUserFound | null> {
  if (!UUID_PATTERN.test(userId)) return null;
  const { rows } = await pool.query<SessionUserRow>(
    `SELECT ${SESSION_USER_COLUMNS}
       FROM "users" AS u LEFT JOIN "organizations" AS o ON o."id" = u."organization_id"
      WHERE u."id" = $1::uuid AND ${accountUsableSql('u')}`,
    [userId],
  );
  return foundOf(rows[0]);
}

/**
 * Makes the store read a session's row and its user's (loadSessionUser's
 * columns) in one statement, and hands the user to the session guard as
 * `req.sessionUserRead`: the guard then needs no query of its own. Expiry as
 * connect-pg-simple checks it (`expire` against the clock in whole seconds);
 * a row whose JSON cannot be read is destroyed, as it does. The user comes
 * through `createSession`, which express-session calls with the very object
 * `get` answered, so the session's data carries nothing more (its hash, which
 * decides whether the session is saved, is untouched). The store's own `get`
 * also started its prune timer; its `touch`, which the first request of a
 * session on this instance always reaches, starts it as well.
 */
function readUserWithSession(store: session.Store, pool: pg.Pool): void {
  const users = new WeakMap<object, { userId: string; found: SessionUserFound | null }>();
  store.get = (sid, callback) => {
    pool
      .query<{ sess: unknown; user_id: string | null } & Partial<SessionUserRow>>(
        `SELECT s."sess", s."user_id", ${SESSION_USER_COLUMNS}
           FROM "session" AS s
           LEFT JOIN "users" AS u
             ON u."id" = CASE WHEN s."user_id" ~* '${UUID_PATTERN.source}' THEN s."user_id"::uuid END
            AND ${accountUsableSql('u')}
           LEFT JOIN "organizations" AS o ON o."id" = u."organization_id"
          WHERE s."sid" = $1 AND s."expire" >= to_timestamp($2)`,
        [sid, Math.ceil(Date.now() / 1000)],
      )
      .then(({ rows: [row] }) => {
        if (!row) return callback(null, null);
        let sess: session.SessionData;
        try {
          sess = (typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess) as session.SessionData;
        } catch {
          return store.destroy(sid, (err) => callback(err, null));
        }
        if (sess && typeof sess === 'object' && row.user_id) users.set(sess, { userId: row.user_id, found: foundOf(row as SessionUserRow) });
        callback(null, sess);
      }, (err: unknown) => callback(err));
  };
  const createSession = store.createSession.bind(store);
  store.createSession = (req, sess) => {
    const read = users.get(sess);
    if (read) req.sessionUserRead = read;
    return createSession(req, sess);
  };
}

function sameUser(a: AdminSessionUser, b: AdminSessionUser): boolean {
  return a.id === b.id && a.email === b.email && a.role === b.role && a.organizationId === b.organizationId && a.title === b.title && !!a.mustChangePassword === !!b.mustChangePassword;
}
