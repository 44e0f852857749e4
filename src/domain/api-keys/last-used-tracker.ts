import type { PrismaClient } from '@prisma/client';
import { SYSTEM_TENANT, inTenantTransaction } from '../../db/tenant-context.js';

export interface LastUsedTrackerOptions {
  /** At most one write per key per this many seconds (default 60). */
  intervalSeconds?: number;
  /** Injected in tests; defaults to the system clock. */
  now?: () => Date;
  /** Flush due keys on a timer (default true); tests drive flushDue() by hand. */
  autoFlush?: boolean;
  /** Called when a timed flush fails (the uses stay pending and are retried). */
  onError?: (err: unknown) => void;
}

/**
 * Keeps api_keys.last_used_at without a write per request: uses are coalesced
 * in memory (latest time per key) and written at most once per key per
 * interval, all due keys in one UPDATE that never moves the time backwards
 * (another instance may have written a later use). Call stop() on shutdown so
 * the last uses are not lost. Precision is the interval, by design.
 */
export class LastUsedTracker {
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private readonly pending = new Map<string, number>();
  private readonly lastWrite = new Map<string, number>();
  private readonly timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<number> = Promise.resolve(0);
  /** Rows written so far (for metrics). */
  writes = 0;

  constructor(
    private readonly db: PrismaClient,
    options: LastUsedTrackerOptions = {},
  ) {
    this.intervalMs = Math.max(0, (options.intervalSeconds ?? 60) * 1000);
    this.now = options.now ?? (() => new Date());
    if (options.autoFlush !== false && this.intervalMs > 0) {
      this.timer = setInterval(() => void this.flushDue().catch((e) => options.onError?.(e)), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Notes a use of `apiKeyId` at `at`; no I/O. */
  touch(apiKeyId: string, at: Date = this.now()): void {
    const t = at.getTime();
    if ((this.pending.get(apiKeyId) ?? -Infinity) < t) this.pending.set(apiKeyId, t);
  }

  /** Number of keys with an unwritten use. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes the keys not written within the last interval; returns rows written. */
  flushDue(): Promise<number> {
    return this.serialize(false);
  }

  /** Writes every pending use now, due or not (shutdown). */
  flush(): Promise<number> {
    return this.serialize(true);
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private serialize(force: boolean): Promise<number> {
    this.inFlight = this.inFlight.catch(() => 0).then(() => this.write(force));
    return this.inFlight;
  }

  private async write(force: boolean): Promise<number> {
    const nowMs = this.now().getTime();
    const due: [string, number][] = [];
    for (const [id, at] of this.pending) {
      const last = this.lastWrite.get(id);
      if (force || last === undefined || nowMs - last >= this.intervalMs) due.push([id, at]);
    }
    for (const [id, last] of this.lastWrite) if (nowMs - last >= this.intervalMs) this.lastWrite.delete(id); // keep the map small
    if (!due.length) return 0;
    for (const [id] of due) {
      this.pending.delete(id);
      this.lastWrite.set(id, nowMs);
    }
    const ids = due.map(([id]) => id);
    const ats = due.map(([, at]) => new Date(at));
    try {
      // No actor here: the gateway has no person behind it, and one write spans organizations.
      const written = await inTenantTransaction(this.db, SYSTEM_TENANT, async (tx) => {
        return tx.$executeRaw`
          UPDATE api_keys k SET last_used_at = v.at
            FROM unnest(${ids}::uuid[], ${ats}::timestamptz[]) AS v(id, at)
           WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.at)`;
      });
      this.writes += written;
      return written;
    } catch (e) {
      for (const [id, at] of due) this.touch(id, new Date(at)); // retried at the next flush
      throw e;
    }
  }
}
