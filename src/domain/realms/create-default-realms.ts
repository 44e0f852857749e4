import type { PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { DEFAULT_REALM_DESCRIPTION, DEFAULT_REALM_NAME, ensureDefaultRealm } from './ensure-default-realm.js';
import type { MigrationLock } from './realm-migration-lock.js';
import { FIRST_UUID } from './realm-migration-sql.js';

interface UserBatch {
  lastId: string | null;
  created: number;
  missing: string[];
}

/**
 * Gives every user of an organization who has no default realm one named
 * "Default", recorded as created by `runId`. Set-based per batch of users; the
 * few the batch insert skips (a realm already named "Default", or a default
 * realm created meanwhile by the app) go through ensureDefaultRealm. The
 * partial unique index realms_one_default_per_owner keeps it at one per user
 * whatever races. Returns how many realms it created.
 */
export async function createMissingDefaultRealms(
  db: PrismaClient,
  actor: Actor,
  p: { runId: string; batchSize: number; lock: MigrationLock; signal?: AbortSignal; onBatch?: (realmsCreated: number) => Promise<void> | void },
): Promise<{ created: number; stopped: boolean }> {
  let cursor = FIRST_UUID;
  let created = 0;
  for (;;) {
    if (p.signal?.aborted) return { created, stopped: true };
    p.lock.assertHeld();
    const batch = await inActorTransaction(db, actor, async (tx) => {
      const [row] = await tx.$queryRaw<UserBatch[]>`
        WITH batch AS MATERIALIZED (
          SELECT u.id, u.organization_id FROM users u
          WHERE u.organization_id IS NOT NULL AND u.id > ${cursor}::uuid
          ORDER BY u.id LIMIT ${p.batchSize}),
        ins AS (
          INSERT INTO realms (organization_id, owner_id, name, description, is_default, created_by_migration_run_id)
          SELECT b.organization_id, b.id, ${DEFAULT_REALM_NAME}, ${DEFAULT_REALM_DESCRIPTION}, true, ${p.runId}::uuid FROM batch b
          WHERE NOT EXISTS (SELECT 1 FROM realms r WHERE r.owner_id = b.id AND r.is_default)
          ON CONFLICT DO NOTHING
          RETURNING owner_id)
        SELECT (SELECT id::text FROM batch ORDER BY id DESC LIMIT 1) AS "lastId",
          (SELECT count(*) FROM ins)::int AS created,
          ARRAY(SELECT b.id::text FROM batch b
                WHERE NOT EXISTS (SELECT 1 FROM realms r WHERE r.owner_id = b.id AND r.is_default)
                  AND b.id NOT IN (SELECT owner_id FROM ins)) AS missing`;
      let made = row!.created;
      for (const id of row!.missing) {
        const user = await tx.user.findUnique({ where: { id }, select: { id: true, organizationId: true } });
        if (!user?.organizationId) continue;
        if ((await ensureDefaultRealm(tx, { id: user.id, organizationId: user.organizationId }, { createdByMigrationRunId: p.runId })).created) made++;
      }
      const run = await tx.realmMigrationRun.update({
        where: { id: p.runId },
        data: { realmsCreated: { increment: made }, heartbeatAt: new Date() },
        select: { realmsCreated: true },
      });
      return { lastId: row!.lastId, created: made, total: run.realmsCreated };
    });
    created += batch.created;
    if (!batch.lastId) return { created, stopped: false };
    cursor = batch.lastId;
    await p.onBatch?.(batch.total);
  }
}
