import { Prisma, type PrismaClient, type RealmScopedKind } from '@prisma/client';
import { z } from 'zod';
import { recordAudit } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { REALM_KINDS } from './realm-kinds.js';
import { requireMigrationActor } from './realm-migration-access.js';
import { withRealmMigrationLock } from './realm-migration-lock.js';
import { BATCH_SETTINGS, FIRST_UUID, realmHoldsDataSql, revertBatchSql, type RevertBatch } from './realm-migration-sql.js';

export const rollbackRealmMigrationInput = z.object({
  /** One run; default: every run not rolled back yet, newest first. */
  runId: z.string().uuid().optional(),
  batchSize: z.number().int().min(1).max(50_000).default(1000),
  lockWaitMs: z.number().int().min(0).max(3_600_000).default(0),
});

export interface RollbackProgress {
  runId: string;
  phase: 'rows' | 'realms';
  done: number;
  total: number;
}

export interface RollbackOptions extends z.input<typeof rollbackRealmMigrationInput> {
  onProgress?: (p: RollbackProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface RunRollback {
  runId: string;
  rowsReverted: number;
  /** Rows a person moved to another realm since the run: left where they are. */
  rowsKept: Array<{ kind: RealmScopedKind; rowId: string }>;
  /** Journaled rows that no longer exist (deleted since the run). */
  rowsGone: number;
  realmsDeleted: number;
  /** Default realms the run created that hold data created since: kept. */
  realmsKept: string[];
}

export interface RollbackResult {
  status: 'COMPLETED' | 'STOPPED';
  runs: RunRollback[];
}

/**
 * Returns the rows a migration run moved to realm_id NULL (only those still in
 * the realm the run put them in), removes the run's default realms that are
 * empty, clears its journal and marks it ROLLED_BACK. Never deletes user data;
 * resumable after an interruption; one at a time with runs (advisory lock).
 */
export async function rollbackRealmMigration(db: PrismaClient, actor: Actor, options: RollbackOptions = {}): Promise<RollbackResult> {
  requireMigrationActor(actor);
  const input = parseInput(rollbackRealmMigrationInput, { runId: options.runId, batchSize: options.batchSize, lockWaitMs: options.lockWaitMs });
  const { signal, onProgress } = options;

  return withRealmMigrationLock(
    db,
    async (lock) => {
      const runs = await inActorTransaction(db, actor, (tx) =>
        tx.realmMigrationRun.findMany({
          where: input.runId ? { id: input.runId } : { status: { not: 'ROLLED_BACK' } },
          orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        }),
      );
      if (input.runId && !runs.length) throw new AppError('NOT_FOUND', 'Realm migration run not found', { field: 'runId' });
      const out: RunRollback[] = [];
      for (const run of runs) {
        if (run.status === 'ROLLED_BACK') continue;
        const r: RunRollback = { runId: run.id, rowsReverted: 0, rowsKept: [], rowsGone: 0, realmsDeleted: 0, realmsKept: [] };
        out.push(r);
        const total = await inActorTransaction(db, actor, (tx) => tx.realmMigrationItem.count({ where: { runId: run.id } }));
        let done = 0;
        for (const k of REALM_KINDS) {
          let cursor = FIRST_UUID;
          for (;;) {
            if (signal?.aborted) return { status: 'STOPPED', runs: out };
            lock.assertHeld();
            const [b] = await inActorTransaction(
              db,
              actor,
              async (tx) => {
                await tx.$executeRaw(BATCH_SETTINGS);
                return tx.$queryRaw<RevertBatch[]>(revertBatchSql(k, { runId: run.id, cursor, batchSize: input.batchSize }));
              },
              { timeout: 120_000 },
            );
            if (!b!.scanned) break;
            r.rowsReverted += b!.reverted;
            for (const id of b!.kept) r.rowsKept.push({ kind: k.kind, rowId: id });
            r.rowsGone += b!.cleared - b!.reverted - b!.kept.length;
            done += b!.cleared;
            cursor = b!.lastRowId!;
            await onProgress?.({ runId: run.id, phase: 'rows', done, total });
          }
        }

        let cursor = FIRST_UUID;
        for (;;) {
          if (signal?.aborted) return { status: 'STOPPED', runs: out };
          lock.assertHeld();
          const [b] = await inActorTransaction(db, actor, (tx) =>
            tx.$queryRaw<{ lastId: string | null; deleted: number; kept: string[] }[]>(Prisma.sql`
              WITH doomed AS MATERIALIZED (
                SELECT r.id FROM realms r
                WHERE r.created_by_migration_run_id = ${run.id}::uuid AND r.id > ${cursor}::uuid
                ORDER BY r.id LIMIT ${input.batchSize} FOR UPDATE),
              del AS (DELETE FROM realms r USING doomed WHERE r.id = doomed.id AND NOT (${realmHoldsDataSql('r')}) RETURNING r.id)
              SELECT (SELECT id::text FROM doomed ORDER BY id DESC LIMIT 1) AS "lastId",
                (SELECT count(*) FROM del)::int AS deleted,
                ARRAY(SELECT id::text FROM doomed WHERE id NOT IN (SELECT id FROM del)) AS kept`),
          );
          if (!b!.lastId) break;
          r.realmsDeleted += b!.deleted;
          r.realmsKept.push(...b!.kept);
          cursor = b!.lastId;
          await onProgress?.({ runId: run.id, phase: 'realms', done: r.realmsDeleted, total: run.realmsCreated });
        }

        await inActorTransaction(db, actor, async (tx) => {
          await tx.realmMigrationRun.update({ where: { id: run.id }, data: { status: 'ROLLED_BACK', heartbeatAt: new Date(), error: null } });
          await recordAudit(tx, actor, {
            action: 'realm-migration.rollback',
            resource: 'RealmMigrationRun',
            recordId: run.id,
            before: { status: run.status },
            after: { status: 'ROLLED_BACK', rowsReverted: r.rowsReverted, rowsKept: r.rowsKept.length, rowsGone: r.rowsGone, realmsDeleted: r.realmsDeleted, realmsKept: r.realmsKept.length },
          });
        });
      }
      return { status: 'COMPLETED', runs: out };
    },
    { waitMs: input.lockWaitMs },
  );
}
