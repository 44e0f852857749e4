import { Prisma } from '@prisma/client';
import type { RealmKind } from './realm-kinds.js';

// The SQL of the realm migration, in one place so that the dry run, the run and
// the rollback agree on who owns a row. Table names come from REALM_KINDS
// (constants), never from input.

export const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/** Whole-table reads (dry run, counting what a run will move) on tables of tens of millions of rows. */
export const LONG_TX_MS = 30 * 60_000;

/** Suffix given to a knowledge base renamed because its name was taken in the target realm. */
const KB_SUFFIX_SQL = `' #' || left(t.id::text, 8)`;
const KB_SUFFIX_LEN = 10;

/**
 * The admin who receives an organization's rows that have no owning user: the
 * oldest ACTIVE admin, else the oldest admin. Deterministic, so a dry run and a
 * later (or resumed) run pick the same person.
 */
export const ORG_ADMINS_CTE = Prisma.sql`org_admins AS (
  SELECT DISTINCT ON (organization_id) organization_id, id
  FROM users
  WHERE role = 'ADMIN' AND organization_id IS NOT NULL
  ORDER BY organization_id, (status <> 'ACTIVE'), created_at, id)`;

export type OwnerSource = 'USER' | 'ORGANIZATION';

export type BlockedReason = 'ORGANIZATION_WITHOUT_ADMIN' | 'OWNER_WITHOUT_ORGANIZATION' | 'OWNER_IN_OTHER_ORGANIZATION';

/**
 * Rows without a realm, grouped by the owner whose default realm would receive
 * them, or by why they cannot move. The owner's realm organization is the one of
 * their existing default realm, else their own (a new default realm's).
 */
export function classifySql(k: RealmKind): Prisma.Sql {
  return Prisma.sql`WITH ${ORG_ADMINS_CTE}
  SELECT owner_id::text AS owner_id, source, organization_id::text AS organization_id, blocked, count(*)::int AS n FROM (
    SELECT COALESCE(t.user_id, oa.id) AS owner_id,
      CASE WHEN t.user_id IS NULL THEN 'ORGANIZATION' ELSE 'USER' END AS source,
      t.organization_id,
      CASE
        WHEN t.user_id IS NULL AND oa.id IS NULL THEN 'ORGANIZATION_WITHOUT_ADMIN'
        WHEN COALESCE(d.organization_id, u.organization_id) IS NULL THEN 'OWNER_WITHOUT_ORGANIZATION'
        WHEN COALESCE(d.organization_id, u.organization_id) <> t.organization_id THEN 'OWNER_IN_OTHER_ORGANIZATION'
      END AS blocked
    FROM ${Prisma.raw(k.table)} t
    LEFT JOIN org_admins oa ON t.user_id IS NULL AND oa.organization_id = t.organization_id
    LEFT JOIN users u ON u.id = COALESCE(t.user_id, oa.id)
    LEFT JOIN realms d ON d.owner_id = u.id AND d.is_default
    WHERE t.realm_id IS NULL) x
  GROUP BY owner_id, source, organization_id, blocked`;
}

export interface MoveBatch {
  /** Rows without a realm looked at (some may be blocked or locked); 0 = this pass is done. */
  scanned: number;
  moved: number;
  renamed: number;
  lastId: string | null;
  rowsDone: number;
  rowsTotal: number;
}

/**
 * Moves up to `batchSize` rows without a realm (ids after `cursor`, in id order)
 * into their owner's default realm, journals each move and advances the run's
 * progress, all in one statement: a crash loses the batch or keeps all of it.
 * Knowledge-base names are unique per realm: a name already taken there (or
 * twice in the batch) gets a suffix from the row id, which the rollback strips.
 */
export function moveBatchSql(k: RealmKind, source: OwnerSource, p: { runId: string; cursor: string; batchSize: number; skipLocked: boolean }): Prisma.Sql {
  const table = Prisma.raw(k.table);
  const isKb = k.kind === 'KNOWLEDGE_BASE';
  const ownerFilter = source === 'USER' ? Prisma.sql`t.user_id IS NOT NULL` : Prisma.sql`t.user_id IS NULL`;
  const clash = isKb
    ? Prisma.sql`(row_number() OVER (PARTITION BY p.realm_id, p.name ORDER BY p.id) > 1
        OR EXISTS (SELECT 1 FROM knowledge_bases k WHERE k.realm_id = p.realm_id AND k.name = p.name))`
    : Prisma.sql`false`;
  const setName = isKb ? Prisma.raw(`, name = CASE WHEN r.clash THEN left(t.name, ${100 - KB_SUFFIX_LEN}) || ${KB_SUFFIX_SQL} ELSE t.name END`) : Prisma.empty;
  const ownerJoin =
    source === 'USER'
      ? Prisma.sql`JOIN realms d ON d.owner_id = s.user_id AND d.is_default AND d.organization_id = s.organization_id`
      : Prisma.sql`JOIN org_admins oa ON oa.organization_id = s.organization_id
        JOIN realms d ON d.owner_id = oa.id AND d.is_default AND d.organization_id = s.organization_id`;
  // `scan` walks the primary key from the cursor (the keyset) and locks what it
  // returns, one table only, so a batch costs its own rows, not the table's.
  return Prisma.sql`WITH ${ORG_ADMINS_CTE},
  scan AS MATERIALIZED (
    SELECT t.id, t.user_id, t.organization_id${isKb ? Prisma.sql`, t.name` : Prisma.empty} FROM ${table} t
    WHERE t.realm_id IS NULL AND ${ownerFilter} AND t.id > ${p.cursor}::uuid
    ORDER BY t.id
    LIMIT ${p.batchSize}
    FOR UPDATE ${p.skipLocked ? Prisma.sql`SKIP LOCKED` : Prisma.empty}),
  picked AS MATERIALIZED (
    SELECT s.id, d.id AS realm_id${isKb ? Prisma.sql`, s.name` : Prisma.empty} FROM scan s ${ownerJoin}),
  ranked AS (SELECT p.id, p.realm_id, ${clash} AS clash FROM picked p),
  moved AS (
    UPDATE ${table} t SET realm_id = r.realm_id${setName}
    FROM ranked r WHERE t.id = r.id AND t.realm_id IS NULL
    RETURNING t.id, t.realm_id, r.clash),
  journal AS (
    INSERT INTO realm_migration_items (run_id, kind, row_id, realm_id)
    SELECT ${p.runId}::uuid, ${k.kind}::"RealmScopedKind", m.id, m.realm_id FROM moved m
    ON CONFLICT (kind, row_id) DO UPDATE SET run_id = EXCLUDED.run_id, realm_id = EXCLUDED.realm_id, moved_at = now()
    RETURNING 1),
  progress AS (
    UPDATE realm_migration_runs
    SET rows_done = rows_done + (SELECT count(*) FROM journal),
        rows_total = GREATEST(rows_total, rows_done + (SELECT count(*) FROM journal)),
        heartbeat_at = now()
    WHERE id = ${p.runId}::uuid
    RETURNING rows_done, rows_total)
  SELECT (SELECT count(*) FROM scan)::int AS scanned,
    (SELECT count(*) FROM moved)::int AS moved,
    (SELECT count(*) FROM moved WHERE clash)::int AS renamed,
    (SELECT id::text FROM scan ORDER BY id DESC LIMIT 1) AS "lastId",
    (SELECT rows_done FROM progress) AS "rowsDone",
    (SELECT rows_total FROM progress) AS "rowsTotal"`;
}

export interface RevertBatch {
  /** Journal rows looked at (of any run); 0 = this kind is done. */
  scanned: number;
  cleared: number;
  reverted: number;
  kept: string[];
  lastRowId: string | null;
}

/**
 * Puts back up to `batchSize` rows journaled by a run (row ids after `cursor`):
 * realm_id returns to NULL only where the row is still in the realm the run put
 * it in; rows a person moved since stay and are reported. The journal rows go.
 */
export function revertBatchSql(k: RealmKind, p: { runId: string; cursor: string; batchSize: number }): Prisma.Sql {
  const table = Prisma.raw(k.table);
  const restoreName =
    k.kind === 'KNOWLEDGE_BASE'
      ? Prisma.raw(`, name = CASE WHEN right(t.name, ${KB_SUFFIX_LEN}) = ${KB_SUFFIX_SQL} THEN left(t.name, length(t.name) - ${KB_SUFFIX_LEN}) ELSE t.name END`)
      : Prisma.empty;
  // `scan` walks the (kind, row_id) unique index from the cursor; the run is
  // filtered afterwards so no plan ever sorts a whole run's journal per batch.
  return Prisma.sql`WITH scan AS MATERIALIZED (
    SELECT i.id, i.row_id, i.realm_id, i.run_id FROM realm_migration_items i
    WHERE i.kind = ${k.kind}::"RealmScopedKind" AND i.row_id > ${p.cursor}::uuid
    ORDER BY i.row_id LIMIT ${p.batchSize}
    FOR UPDATE),
  j AS MATERIALIZED (SELECT s.id, s.row_id, s.realm_id FROM scan s WHERE s.run_id = ${p.runId}::uuid),
  reverted AS (
    UPDATE ${table} t SET realm_id = NULL${restoreName}
    FROM j WHERE t.id = j.row_id AND t.realm_id = j.realm_id
    RETURNING t.id),
  cleared AS (DELETE FROM realm_migration_items i USING j WHERE i.id = j.id RETURNING 1)
  SELECT (SELECT count(*) FROM scan)::int AS scanned,
    (SELECT count(*) FROM cleared)::int AS cleared,
    (SELECT count(*) FROM reverted)::int AS reverted,
    ARRAY(SELECT j.row_id::text FROM j JOIN ${table} t ON t.id = j.row_id
          WHERE j.row_id NOT IN (SELECT id FROM reverted)) AS kept,
    (SELECT row_id::text FROM scan ORDER BY row_id DESC LIMIT 1) AS "lastRowId"`;
}

/**
 * Settings for a batch transaction. Batch statements join a small set of ids to
 * big tables; with stale statistics (a table just filled or emptied) the
 * planner may hash-join them with a full scan of the big table on every batch,
 * which makes a migration quadratic, so every access is by index. A batch lost
 * to a server crash is harmless (data and journal vanish together and the next
 * run redoes it), so a batch need not wait for its commit to reach the disk.
 */
export const BATCH_SETTINGS = Prisma.sql`SELECT set_config('enable_seqscan', 'off', true), set_config('synchronous_commit', 'off', true)`;

/** A realm-scoped row referencing realm `r` exists (the realm holds data). */
export function realmHoldsDataSql(realmAlias: string): Prisma.Sql {
  const tables = ['api_keys', 'vector_servers', 'knowledge_bases', 'documents', 'ingestion_jobs', 'chat_sessions', 'usage_events'];
  return Prisma.raw(tables.map((t) => `EXISTS (SELECT 1 FROM ${t} x WHERE x.realm_id = ${realmAlias}.id)`).join(' OR '));
}
