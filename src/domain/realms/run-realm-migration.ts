import { Prisma, type PrismaClient, type RealmScopedKind } from '@prisma/client';
import { z } from 'zod';
import { recordAudit } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { parseInput } from '../shared/parse-input.js';
import { createMissingDefaultRealms } from './create-default-realms.js';
import { classifyRows } from './plan-realm-migration.js';
import { REALM_KINDS, zeroCounts, type KindCounts } from './realm-kinds.js';
import { requireMigrationActor } from './realm-migration-access.js';
import { withRealmMigrationLock, type MigrationLock } from './realm-migration-lock.js';
import { BATCH_SETTINGS, FIRST_UUID, LONG_TX_MS, moveBatchSql, type MoveBatch, type OwnerSource } from './realm-migration-sql.js';

export const runRealmMigrationInput = z.object({
  batchSize: z.number().int().min(1).max(50_000).default(1000),
  /** 0: fail with CONFLICT at once when another migration holds the lock. */
  lockWaitMs: z.number().int().min(0).max(3_600_000).default(0),
});

export interface RealmMigrationProgress {
  runId: string;
  phase: 'realms' | 'rows';
  kind?: RealmScopedKind;
  rowsDone: number;
  rowsTotal: number;
  realmsCreated: number;
}

export interface RunRealmMigrationOptions extends z.input<typeof runRealmMigrationInput> {
  /** Awaited after every committed batch. */
  onProgress?: (p: RealmMigrationProgress) => void | Promise<void>;
  /** Aborting stops after the current batch; the run can be resumed. */
  signal?: AbortSignal;
}

export interface RealmMigrationResult {
  runId: string;
  /** This invocation resumed an interrupted run rather than starting one. */
  resumed: boolean;
  status: 'COMPLETED' | 'STOPPED';
  /** By this invocation. */
  realmsCreated: number;
  rowsMoved: number;
  movedByKind: KindCounts;
  renamedKnowledgeBases: number;
  /** Whole run, across resumptions. */
  rowsDone: number;
  rowsTotal: number;
  /** Rows still without a realm: they cannot move (see the dry run for why). */
  rowsLeftWithoutRealm: number;
}

const LEFT_WITHOUT_REALM = Prisma.sql`SELECT (${Prisma.raw(REALM_KINDS.map((k) => `(SELECT count(*) FROM ${k.table} WHERE realm_id IS NULL)`).join(' + '))})::int AS n`;

const countMovable = async (db: PrismaClient, actor: Actor) =>
  inActorTransaction(db, actor, async (tx) => (await classifyRows(tx)).filter((r) => !r.blocked).reduce((a, r) => a + r.n, 0), { timeout: LONG_TX_MS });

/** Starts a run, or resumes the latest one if it never finished (we hold the lock, so it is not live). */
async function startOrResume(db: PrismaClient, actor: Actor, startedById: string | null, batchSize: number) {
  const movable = await countMovable(db, actor);
  return inActorTransaction(db, actor, async (tx) => {
    const last = await tx.realmMigrationRun.findFirst({ orderBy: [{ startedAt: 'desc' }, { id: 'desc' }] });
    const resume = last && (last.status === 'RUNNING' || last.status === 'FAILED') ? last : null;
    const run = resume
      ? await tx.realmMigrationRun.update({
          where: { id: resume.id },
          data: { status: 'RUNNING', error: null, batchSize, rowsTotal: resume.rowsDone + movable, heartbeatAt: new Date(), finishedAt: null },
        })
      : await tx.realmMigrationRun.create({ data: { startedById, batchSize, rowsTotal: movable } });
    await recordAudit(tx, actor, { action: resume ? 'realm-migration.resume' : 'realm-migration.start', resource: 'RealmMigrationRun', recordId: run.id, after: { batchSize, rowsTotal: run.rowsTotal, rowsDone: run.rowsDone } });
    return { run, resumed: !!resume };
  });
}

async function moveKind(
  db: PrismaClient,
  actor: Actor,
  k: (typeof REALM_KINDS)[number],
  source: OwnerSource,
  p: { runId: string; batchSize: number; skipLocked: boolean; lock: MigrationLock; signal?: AbortSignal; report: (b: MoveBatch) => Promise<void> },
): Promise<boolean> {
  let cursor = FIRST_UUID;
  for (;;) {
    if (p.signal?.aborted) return false;
    p.lock.assertHeld();
    const [batch] = await inActorTransaction(
      db,
      actor,
      async (tx) => {
        await tx.$executeRaw(BATCH_SETTINGS);
        return tx.$queryRaw<MoveBatch[]>(moveBatchSql(k, source, { ...p, cursor }));
      },
      { timeout: 120_000 },
    );
    if (!batch!.scanned) return true;
    await p.report(batch!);
    cursor = batch!.lastId!;
  }
}

/**
 * Every user gets exactly one default realm and every realm-scoped row without
 * a realm moves to its owner's default realm (the organization's designated
 * admin's for rows without a user), each batch journaled in the same statement.
 * Restartable: a later call resumes an interrupted run; idempotent: a finished
 * migration moves nothing; one at a time per database (advisory lock).
 */
export async function runRealmMigration(db: PrismaClient, actor: Actor, options: RunRealmMigrationOptions = {}): Promise<RealmMigrationResult> {
  const { startedById } = requireMigrationActor(actor);
  const { batchSize, lockWaitMs } = parseInput(runRealmMigrationInput, { batchSize: options.batchSize, lockWaitMs: options.lockWaitMs });
  const { signal, onProgress } = options;

  return withRealmMigrationLock(
    db,
    async (lock) => {
      const { run, resumed } = await startOrResume(db, actor, startedById, batchSize);
      const state = { rowsDone: run.rowsDone, rowsTotal: run.rowsTotal, realmsCreated: run.realmsCreated };
      const movedByKind = zeroCounts();
      let realmsCreated = 0;
      let renamed = 0;
      const progress = (phase: 'realms' | 'rows', kind?: RealmScopedKind) => onProgress?.({ runId: run.id, phase, kind, ...state });
      try {
        let completed = true;
        // Pass 1 skips rows someone else holds locked; pass 2 waits for them and
        // also catches users and rows created while pass 1 ran.
        for (const skipLocked of [true, false]) {
          const realms = await createMissingDefaultRealms(db, actor, {
            runId: run.id,
            batchSize,
            lock,
            signal,
            onBatch: (total) => ((state.realmsCreated = total), progress('realms')),
          });
          realmsCreated += realms.created;
          if (realms.stopped) completed = false;
          for (const k of REALM_KINDS) {
            for (const source of ['USER', 'ORGANIZATION'] as const) {
              if (!completed) break;
              completed = await moveKind(db, actor, k, source, {
                runId: run.id,
                batchSize,
                skipLocked,
                lock,
                signal,
                report: async (b) => {
                  movedByKind[k.kind] += b.moved;
                  renamed += b.renamed;
                  state.rowsDone = b.rowsDone;
                  state.rowsTotal = b.rowsTotal;
                  await progress('rows', k.kind);
                },
              });
            }
          }
          if (!completed) break;
        }
        const rowsMoved = Object.values(movedByKind).reduce((a, b) => a + b, 0);
        const finished = await inActorTransaction(db, actor, async (tx) => {
          const left = await tx.$queryRaw<{ n: number }[]>(LEFT_WITHOUT_REALM);
          const updated = await tx.realmMigrationRun.update({
            where: { id: run.id },
            data: completed
              ? { status: 'COMPLETED', finishedAt: new Date(), heartbeatAt: new Date(), rowsTotal: state.rowsDone }
              : { status: 'FAILED', heartbeatAt: new Date(), error: `Stopped on request after ${state.rowsDone} of ${state.rowsTotal} rows; run the migration again to resume.` },
          });
          await recordAudit(tx, actor, {
            action: completed ? 'realm-migration.complete' : 'realm-migration.stop',
            resource: 'RealmMigrationRun',
            recordId: run.id,
            after: { rowsDone: updated.rowsDone, rowsTotal: updated.rowsTotal, realmsCreated: updated.realmsCreated, rowsMoved, renamedKnowledgeBases: renamed },
          });
          return { updated, left: left[0]!.n };
        });
        return {
          runId: run.id,
          resumed,
          status: completed ? 'COMPLETED' : 'STOPPED',
          realmsCreated,
          rowsMoved,
          movedByKind,
          renamedKnowledgeBases: renamed,
          rowsDone: finished.updated.rowsDone,
          rowsTotal: finished.updated.rowsTotal,
          rowsLeftWithoutRealm: finished.left,
        } satisfies RealmMigrationResult;
      } catch (e) {
        const error = String((e as Error)?.message ?? e).slice(0, 2000);
        await inActorTransaction(db, actor, async (tx) => {
          await tx.realmMigrationRun.update({ where: { id: run.id }, data: { status: 'FAILED', error, heartbeatAt: new Date() } });
          await recordAudit(tx, actor, { action: 'realm-migration.fail', resource: 'RealmMigrationRun', recordId: run.id, after: { ...state, error } });
        }).catch(() => {});
        throw e;
      }
    },
    { waitMs: lockWaitMs },
  );
}
