import session, { type SessionOptions } from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import pg from 'pg';
import type { RequestHandler } from 'express';
import type { UserRole } from '@prisma/client';
import type { AppDeps } from '../../app.js';
import { systemSessionUrl } from '../../db/app-role.js';

/** Who is signed in; the "session" table derives user_id and organization_id from it. */
export interface AdminSessionUser {
  id: string;
  email: string;
  role: UserRole;
  organizationId: string | null;
  title: string;
}

declare module 'express-session' {
  interface SessionData {
    adminUser: AdminSessionUser;
    /** Read by the "session" table's generated ip and user_agent columns. */
    client: { ip: string; userAgent: string };
    /** Epoch ms of sign-in, for the absolute timeout. */
    signedInAt: number;
  }
}

export const SESSION_COOKIE = 'realmgate.sid';

export interface AdminSession {
  options: SessionOptions;
  cookiePath: string;
  middleware: RequestHandler;
  close(): Promise<void>;
}

/** express-session on connect-pg-simple: HttpOnly, SameSite=Lax, Secure on HTTPS, idle timeout that rolls. */
export function createAdminSession({ config, databaseUrl, log }: Pick<AppDeps, 'config' | 'databaseUrl' | 'log'>, cookiePath: string): AdminSession {
  // The store finds any session by its secret id, so it runs as 'system' under row-level security.
  const pool = new pg.Pool({ connectionString: systemSessionUrl(databaseUrl), max: 5, application_name: 'realmgate-sessions' });
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
  return {
    options,
    cookiePath,
    middleware: session(options),
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
