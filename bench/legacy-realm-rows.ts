import crypto from 'node:crypto';
import type pg from 'pg';

// Set-based generators for "legacy" data: realm-scoped rows with no realm, as
// they exist before the realm migration. Used by the benchmark (a million rows)
// and by the realm migration tests (thousands). Connect as the database owner;
// every statement runs as the 'system' tenant because tables FORCE row-level
// security.

export interface LegacyTenantsSpec {
  orgs: number;
  usersPerOrg: number;
  /** The last N organizations get no ADMIN: their rows without a user cannot move. */
  orgsWithoutAdmin?: number;
}

export interface LegacyTenants {
  tag: string;
  orgIds: string[];
  userIds: string[];
}

async function asSystem<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('app.role', 'system', true)`);
    const out = await fn();
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}

/** Organizations, each with one ADMIN (the oldest user) and USERs. */
export async function createLegacyTenants(client: pg.ClientBase, spec: LegacyTenantsSpec): Promise<LegacyTenants> {
  const tag = crypto.randomBytes(4).toString('hex');
  return asSystem(client, async () => {
    const orgs = await client.query<{ id: string }>(
      `INSERT INTO organizations (name) SELECT 'legacy-' || $1 || '-' || g FROM generate_series(1, $2::int) g RETURNING id`,
      [tag, spec.orgs],
    );
    const users = await client.query<{ id: string }>(
      `INSERT INTO users (organization_id, username, email, password_hash, role, created_at)
       SELECT o.id, 'l' || $1 || '_' || o.n || '_' || g, 'l' || $1 || '_' || o.n || '_' || g || '@legacy.test', 'x',
         (CASE WHEN g = 1 AND o.n <= $3::int - $4::int THEN 'ADMIN' ELSE 'USER' END)::"UserRole",
         now() - make_interval(mins => $2::int - g)
       FROM (SELECT id, row_number() OVER (ORDER BY name) AS n FROM organizations WHERE name LIKE 'legacy-' || $1 || '-%') o,
            generate_series(1, $2::int) g
       RETURNING id`,
      [tag, spec.usersPerOrg, spec.orgs, spec.orgsWithoutAdmin ?? 0],
    );
    return { tag, orgIds: orgs.rows.map((r) => r.id), userIds: users.rows.map((r) => r.id) };
  });
}

export interface LegacyRowsSpec {
  /** About this many rows in all, spread evenly over the six kinds. */
  rows: number;
  /** Every Nth row has no owning user (an organization's row); 0 = none. */
  orgOwnedEvery?: number;
  /** Only users of these tenants own the rows (default: every user with an organization). */
  tenants?: LegacyTenants;
  /**
   * Bulk-load speed for throwaway databases: skip foreign-key triggers while
   * inserting (the rows reference existing rows by construction). Superuser only.
   */
  skipTriggers?: boolean;
}

/** Inserts realm-scoped rows with realm_id NULL; returns how many of each table. */
export async function insertLegacyRows(client: pg.ClientBase, spec: LegacyRowsSpec): Promise<Record<string, number>> {
  const per = Math.max(1, Math.floor(spec.rows / 6));
  const tag = crypto.randomBytes(4).toString('hex');
  const counts: Record<string, number> = {};
  await asSystem(client, async () => {
    if (spec.skipTriggers) await client.query(`SET LOCAL session_replication_role = replica`);
    await client.query(
      `CREATE TEMP TABLE legacy_owner ON COMMIT DROP AS
       SELECT (row_number() OVER (ORDER BY id) - 1)::int AS i, id, organization_id FROM users
       WHERE organization_id IS NOT NULL AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))`,
      [spec.tenants?.userIds ?? null],
    );
    // Row g belongs to owner g mod n; with orgOwnedEvery, every Nth row keeps only the organization.
    await client.query(
      `CREATE TEMP TABLE legacy_slot ON COMMIT DROP AS
       SELECT g, o.organization_id AS org, CASE WHEN $2::int > 0 AND g % $2::int = 0 THEN NULL ELSE o.id END AS usr
       FROM generate_series(1, $1::int) g JOIN legacy_owner o ON o.i = g % (SELECT count(*) FROM legacy_owner)`,
      [per, spec.orgOwnedEvery ?? 0],
    );
    const run = async (table: string, sql: string) => {
      counts[table] = (await client.query(sql, [tag])).rowCount ?? 0;
    };
    await run('api_keys', `INSERT INTO api_keys (organization_id, user_id, name, prefix, key_hash)
      SELECT org, usr, 'legacy key ' || g, 'rg_legacy', encode(sha256(($1::text || ':' || g)::bytea), 'hex') FROM legacy_slot`);
    await run('vector_servers', `INSERT INTO vector_servers (organization_id, user_id, name, type, host, port)
      SELECT org, usr, 'legacy server ' || g || ' ' || $1::text, 'QDRANT', 'qdrant.internal', 6333 FROM legacy_slot`);
    await run('knowledge_bases', `INSERT INTO knowledge_bases (organization_id, user_id, name)
      SELECT org, usr, 'kb ' || $1::text || ' ' || g FROM legacy_slot`);
    await run('documents', `INSERT INTO documents (organization_id, user_id, name, mime_type, size_bytes)
      SELECT org, usr, 'doc-' || $1::text || '-' || g || '.pdf', 'application/pdf', 1000 + g FROM legacy_slot`);
    await run('ingestion_jobs', `INSERT INTO ingestion_jobs (organization_id, user_id, document_id, document_name, document_type)
      SELECT d.organization_id, d.user_id, d.id, d.name, d.mime_type FROM documents d WHERE d.name LIKE 'doc-' || $1::text || '-%'`);
    await run('chat_sessions', `INSERT INTO chat_sessions (organization_id, user_id, title)
      SELECT org, usr, 'legacy chat ' || g || ' ' || $1::text FROM legacy_slot`);
  });
  return counts;
}

/** ANALYZE the realm-scoped tables so the planner knows their new size. */
export async function analyzeRealmTables(client: pg.ClientBase): Promise<void> {
  await client.query('ANALYZE users, realms, api_keys, vector_servers, knowledge_bases, documents, ingestion_jobs, chat_sessions');
}
