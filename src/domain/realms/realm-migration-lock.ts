import { Prisma, type PrismaClient } from '@prisma/client';
import { AppError } from '../shared/app-error.js';
import { pgErrorCode } from './pg-error-code.js';

// Any constant works; it only has to be the same for every Realmgate process
// (the SQL migration runner uses 727_274_001).
const LOCK_KEY = 727_274_003;
const HOLD_MS = 7 * 24 * 3_600_000;

export interface MigrationLock {
  /** Throws if the connection holding the lock was lost: stop writing then. */
  assertHeld(): void;
}

/**
 * Runs `fn` while this process holds the realm-migration advisory lock, so at
 * most one migration or rollback runs per database. The lock is transaction
 * scoped and held by one pooled connection kept open (idle, no snapshot, no
 * xid) until `fn` settles; if the process dies, PostgreSQL drops the connection
 * and the lock with it, so a killed run never blocks the next one.
 * `waitMs` 0 fails at once with CONFLICT; otherwise waits up to that long.
 */
export async function withRealmMigrationLock<T>(db: PrismaClient, fn: (lock: MigrationLock) => Promise<T>, options: { waitMs?: number } = {}): Promise<T> {
  const waitMs = Math.max(0, Math.floor(options.waitMs ?? 0));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let lost: unknown = null;
  let settle!: (acquired: boolean) => void;
  let fail!: (e: unknown) => void;
  const acquired = new Promise<boolean>((res, rej) => ((settle = res), (fail = rej)));

  const holder = db
    .$transaction(
      async (tx) => {
        let ok: boolean;
        if (waitMs === 0) {
          const rows = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${LOCK_KEY}::bigint) AS ok`;
          ok = rows[0]!.ok;
        } else {
          await tx.$executeRaw(Prisma.sql`SELECT set_config('lock_timeout', ${`${waitMs}ms`}, true)`);
          ok = await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_KEY}::bigint)`.then(
            () => true,
            (e: unknown) => {
              if (pgErrorCode(e) === '55P03' || /lock timeout/i.test(String((e as Error)?.message ?? e))) return false;
              throw e;
            },
          );
        }
        settle(ok);
        if (ok) await released;
      },
      { timeout: HOLD_MS, maxWait: 10_000 + waitMs },
    )
    .catch((e: unknown) => {
      lost = e;
      fail(e);
    });

  if (!(await acquired)) {
    await holder;
    throw new AppError('CONFLICT', 'A realm migration is already running');
  }
  try {
    return await fn({
      assertHeld() {
        if (lost) throw new Error(`Lost the realm migration lock: ${(lost as Error).message ?? lost}`);
      },
    });
  } finally {
    release();
    await holder;
  }
}

/** True while some process holds the realm-migration lock on this database. */
export async function realmMigrationLockHeld(tx: Prisma.TransactionClient): Promise<boolean> {
  const rows = await tx.$queryRaw<{ held: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND classid = 0 AND objid = ${LOCK_KEY}::oid AND objsubid = 1) AS held`;
  return rows[0]!.held;
}
