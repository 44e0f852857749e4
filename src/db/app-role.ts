import crypto from 'node:crypto';
import pg from 'pg';

/**
 * The app's own PostgreSQL login. Migrations run as the database owner; the app
 * connects as a LOGIN member of `realmgate_app` (created by migration 0002),
 * which owns no table and has no BYPASSRLS, so row-level security applies to
 * every query it makes.
 */
export const APP_GROUP_ROLE = 'realmgate_app';
export const DEFAULT_APP_LOGIN = 'realmgate_app_login';
/**
 * System-wide work (sign-in lookup, API key lookup, session store, seeds,
 * realm migration, cross-tenant batches, superadmins) runs as a separate LOGIN
 * in `realmgate_system` (migration 0006): the tenant-facing login's policies
 * ignore any claim of system scope, so SQL run on it cannot widen its reach.
 */
export const SYSTEM_GROUP_ROLE = 'realmgate_system';
export const DEFAULT_SYSTEM_LOGIN = 'realmgate_system_login';

type WarnLog = { warn(obj: object, msg: string): void };

export interface AppLoginOptions {
  /** Name of the LOGIN role (cluster-wide); default: appLoginName(ownerUrl), one per database. */
  role?: string;
  log?: WarnLog;
}

/**
 * The app login's name for the database in `url`: one login per database, so
 * two Realmgate databases on one server (staging and production, or parallel
 * test runs) never overwrite each other's password.
 */
export function appLoginName(url: string, prefix: string = DEFAULT_APP_LOGIN): string {
  const db = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  const name = `${prefix}_${db.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  return name.length <= 63 ? name : `${name.slice(0, 50)}_${crypto.createHash('sha1').update(db).digest('hex').slice(0, 12)}`;
}

/** The system login's name for the database in `url` (one per database, like the app login). */
export function systemLoginName(url: string): string {
  return appLoginName(url, DEFAULT_SYSTEM_LOGIN);
}

/** A stable password for the app login, derived from a secret every instance shares. */
export function deriveAppPassword(secret: string): string {
  return crypto.createHmac('sha256', secret).update('realmgate app login password v1').digest('hex');
}

/** A stable password for the system login; another derivation, so one never gives the other. */
export function deriveSystemPassword(secret: string): string {
  return crypto.createHmac('sha256', secret).update('realmgate system login password v1').digest('hex');
}

/** Replaces user and password in a PostgreSQL URL, keeping host, database and options. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * A SCRAM-SHA-256 verifier, so that ALTER ROLE never carries the password in
 * clear (statement logs would keep it). PostgreSQL stores it as given.
 */
function scramVerifier(password: string): string {
  const salt = crypto.randomBytes(16);
  const iterations = 4096;
  const salted = crypto.pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = crypto.createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = crypto.createHash('sha256').update(clientKey).digest();
  const serverKey = crypto.createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'realmgate-app-role' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Why `url` is not a safe app connection (superuser, BYPASSRLS, owns tables, not
 * in realmgate_app), or null when it is. Throws when it cannot connect.
 */
export async function appConnectionProblem(url: string, group: string = APP_GROUP_ROLE): Promise<string | null> {
  // Each login belongs to its own group only: a tenant login that also were a
  // system member would get the system policies back.
  const other = group === SYSTEM_GROUP_ROLE ? APP_GROUP_ROLE : SYSTEM_GROUP_ROLE;
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ user: string; rolsuper: boolean; rolbypassrls: boolean; member: boolean; other: boolean; owns: boolean }>(
      `SELECT r.rolname AS user, r.rolsuper, r.rolbypassrls,
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = $1) THEN pg_has_role(r.oid, $1, 'USAGE') ELSE false END AS member,
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = $2) THEN pg_has_role(r.oid, $2, 'MEMBER') ELSE false END AS other,
              EXISTS (SELECT 1 FROM pg_class t WHERE t.relowner = r.oid AND t.relkind IN ('r', 'p')) AS owns
         FROM pg_roles r WHERE r.rolname = current_user`,
      [group, other],
    );
    const r = rows[0]!;
    if (r.rolsuper) return `${r.user} is a superuser`;
    if (r.rolbypassrls) return `${r.user} has BYPASSRLS`;
    if (r.owns) return `${r.user} owns tables (it could disable row-level security)`;
    if (!r.member) return `${r.user} is not a member of ${group}`;
    if (r.other) return `${r.user} is also a member of ${other}`;
    return null;
  });
}

async function usable(appUrl: string, group: string): Promise<boolean> {
  try {
    return (await appConnectionProblem(appUrl, group)) === null;
  } catch {
    return false; // no such role yet, or another password
  }
}

// Roles are cluster-wide: instances starting together (or test workers on one
// server, each in its own database) may create or alter the same role at once.
const RETRYABLE = new Set(['23505', '42710', 'XX000', '40001', '40P01']);

/**
 * Creates or updates the app's LOGIN role (member of realmgate_app, no
 * superuser, no BYPASSRLS) with `password`, and returns the app's connection
 * URL: the owner's URL with that user. When the owner may not manage roles,
 * logs a warning and returns `ownerUrl` (set DATABASE_APP_URL instead).
 */
export async function ensureAppLogin(ownerUrl: string, password: string, options: AppLoginOptions = {}): Promise<string> {
  return ensureLogin(ownerUrl, password, APP_GROUP_ROLE, options.role ?? appLoginName(ownerUrl), options);
}

/**
 * Creates or updates the system LOGIN role (member of realmgate_system only)
 * and returns its URL, like ensureAppLogin. When the owner may not manage
 * roles, warns and returns `ownerUrl` (migration 0006 made the owner a member
 * of realmgate_system where it could; set DATABASE_SYSTEM_URL instead).
 */
export async function ensureSystemLogin(ownerUrl: string, password: string, options: AppLoginOptions = {}): Promise<string> {
  return ensureLogin(ownerUrl, password, SYSTEM_GROUP_ROLE, options.role ?? systemLoginName(ownerUrl), options);
}

async function ensureLogin(ownerUrl: string, password: string, group: string, role: string, options: AppLoginOptions): Promise<string> {
  const appUrl = withCredentials(ownerUrl, role, password);
  if (await usable(appUrl, group)) return appUrl; // already set up: no DDL on every start

  const fallback = async (owner: pg.Client, reason: string): Promise<string> => {
    const { rows } = await owner.query<{ bypass: boolean }>('SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user');
    const effect = rows[0]?.bypass
      ? 'row-level security is NOT enforced: the owner is a superuser or has BYPASSRLS'
      : 'row-level security still applies (tables FORCE it) but the owner could turn it off';
    const variable = group === SYSTEM_GROUP_ROLE ? 'DATABASE_SYSTEM_URL' : 'DATABASE_APP_URL';
    options.log?.warn({ reason }, `${group === SYSTEM_GROUP_ROLE ? 'system work' : 'app'} connects as the database owner: ${effect}. Set ${variable} to a LOGIN role in ${group}.`);
    return ownerUrl;
  };

  const done = await withClient(ownerUrl, async (owner) => {
    const { rows } = await owner.query<{ rolsuper: boolean; rolcreaterole: boolean; group_exists: boolean }>(
      `SELECT rolsuper, rolcreaterole, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS group_exists
         FROM pg_roles WHERE rolname = current_user`,
      [group],
    );
    const me = rows[0]!;
    if (!me.group_exists) return fallback(owner, `role ${group} does not exist (its migration could not create it)`);
    if (!me.rolsuper && !me.rolcreaterole) return fallback(owner, 'the owner may not create roles (no CREATEROLE)');

    const ident = owner.escapeIdentifier(role);
    const verifier = owner.escapeLiteral(scramVerifier(password));
    // ALTER ROLE may name SUPERUSER/BYPASSRLS/REPLICATION/CREATEDB, even to deny
    // them, only with that attribute; a CREATEROLE owner cannot grant them
    // either, and appConnectionProblem checks the result.
    const attributes = me.rolsuper ? 'NOSUPERUSER NOBYPASSRLS NOREPLICATION NOCREATEDB NOCREATEROLE' : '';
    for (let attempt = 1; ; attempt++) {
      try {
        await owner.query('BEGIN');
        const exists = await owner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
        if (!exists.rowCount) await owner.query(`CREATE ROLE ${ident} LOGIN INHERIT NOCREATEDB NOCREATEROLE`);
        await owner.query(`ALTER ROLE ${ident} WITH LOGIN INHERIT ${attributes} PASSWORD ${verifier}`);
        await owner.query(`GRANT ${owner.escapeIdentifier(group)} TO ${ident}`);
        await owner.query('COMMIT');
        return null;
      } catch (e) {
        await owner.query('ROLLBACK').catch(() => {});
        const code = (e as { code?: string }).code ?? '';
        if (code === '42501') return fallback(owner, (e as Error).message);
        if (!RETRYABLE.has(code) || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
      }
    }
  });
  if (done !== null) return done;

  const problem = await appConnectionProblem(appUrl, group);
  if (problem) throw new Error(`The login ${role} is not safe to use: ${problem}`);
  return appUrl;
}
