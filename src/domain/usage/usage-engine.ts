import crypto from 'node:crypto';
import pg from 'pg';
import { loadModelCatalog, loadUserModelRules, type ModelCatalog, type SqlQuery, type UserModelRule } from '../model-access/usable-models.js';
import { AppError } from '../shared/app-error.js';
import { systemSessionUrl } from '../../db/app-role.js';
import { BEGIN_SYSTEM, IdempotencyRace, lockCounters, lockRateWindows, lockReservations, readBatch, writeBatch } from './batch-sql.js';
import { decideBatch } from './decide-batch.js';
import { ensureCounters, ensureRateWindows } from './ensure-rows.js';
import { TtlCache } from './ttl-cache.js';
import type { AdmissionBase, Outcome, UsageOperation } from './usage-ops.js';

export interface UsageEngineOptions {
  /** the app's connection string (row-level security applies; batches run as the system tenant) */
  databaseUrl: string;
  /** a hold not settled, released or extended within this many seconds is given back (default 300) */
  reservationTtlSeconds?: number;
  /** how long the first request of a batch waits for company (default 1 ms) */
  batchWindowMs?: number;
  /** at most this many operations per batch (default 256) */
  maxBatch?: number;
  /** batch transactions in flight at once (default 4) */
  maxInFlight?: number;
  /** catalogs and user rules are cached this long, at most 1000 ms (default 1000) */
  cacheTtlMs?: number;
  /** clock, for tests */
  now?: () => Date;
}

interface Pending {
  op: UsageOperation;
  resolve: (o: Outcome<unknown>) => void;
}

const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/**
 * The gateway hot path: an in-process admission batcher. Operations gathered
 * for a millisecond (or until maxBatch) are decided in ONE transaction that
 * locks the counters they touch in a fixed order, decides each in arrival
 * order in memory, writes everything with one statement and commits; only
 * then is any caller answered. Exact across instances because every batch
 * holds the counter rows it changes until it commits.
 */
export class UsageEngine {
  readonly pool: pg.Pool;
  private readonly ttlMs: number;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly now: () => Date;
  private readonly catalogs: TtlCache<ModelCatalog | null>;
  private readonly userRules: TtlCache<UserModelRule[]>;
  /** quota_counters ids by slot key (rows are never deleted but with their organization) */
  private readonly slotIds = new Map<string, string>();
  private readonly rateRows = new Set<string>();
  private queue: Pending[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** batches committed and operations decided, for the benchmark and metrics */
  readonly stats = { batches: 0, operations: 0, retries: 0 };

  constructor(options: UsageEngineOptions) {
    this.ttlMs = (options.reservationTtlSeconds ?? 300) * 1000;
    this.windowMs = options.batchWindowMs ?? 1;
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.now = options.now ?? (() => new Date());
    const cacheMs = Math.min(1000, options.cacheTtlMs ?? 1000);
    // Spare connections beyond the batches for row creation and cache loads.
    // Every connection is the system tenant for its session (one setting at connect,
    // not one set_config per transaction): the pool serves nothing but this engine.
    this.pool = new pg.Pool({ connectionString: systemSessionUrl(options.databaseUrl), max: this.maxInFlight + 4, application_name: 'realmgate-usage' });
    this.pool.on('error', () => {}); // an idle client's error is reported by the next query
    this.catalogs = new TtlCache(cacheMs, (orgId) => this.systemQuery((q) => loadModelCatalog(q, orgId)));
    this.userRules = new TtlCache(cacheMs, (userId) => this.systemQuery((q) => loadUserModelRules(q, userId)));
  }

  /** The organization's model catalog and the user's overrides, cached at most a second. */
  async context(organizationId: string, userId: string | null): Promise<{ catalog: ModelCatalog | null; userRules: UserModelRule[] }> {
    const [catalog, userRules] = await Promise.all([this.catalogs.get(organizationId), userId ? this.userRules.get(userId) : Promise.resolve([])]);
    return { catalog, userRules };
  }

  clock(): Date {
    return this.now();
  }

  /** Queues one operation; resolves after the batch that decided it committed. */
  submit<T>(op: UsageOperation): Promise<Outcome<T>> {
    if (this.closed) return Promise.resolve({ ok: false, error: new AppError('CONFLICT', 'The usage service is shutting down; retry') });
    return new Promise((resolve) => {
      this.queue.push({ op, resolve: resolve as (o: Outcome<unknown>) => void });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight >= this.maxInFlight || !this.queue.length) return;
    if (this.queue.length >= this.maxBatch) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.windowMs);
    }
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || !this.queue.length) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight++;
    try {
      const outcomes = await this.decide(batch.map((p) => p.op));
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (e) {
      // Nothing of this batch committed: every caller hears so, none is acknowledged.
      for (const p of batch) p.resolve({ ok: false, error: e instanceof Error ? e : new Error(String(e)) });
    } finally {
      this.inFlight--;
      if (this.queue.length) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        void this.flush(); // callers already waited: no window
      }
      this.schedule();
    }
  }

  /** Creates missing counter rows and rate windows (outside the batch: creation never waits inside it). */
  private async prepare(ops: UsageOperation[]): Promise<(AppError | null)[]> {
    const problems: (AppError | null)[] = ops.map(() => null);
    const admissions = ops.filter((o): o is UsageOperation & AdmissionBase => o.kind === 'usage' || o.kind === 'hold');
    const slots = admissions.flatMap((o) => o.slots).filter((s) => !this.slotIds.has(s.key));
    const keys = ops.filter((o) => !this.rateRows.has(o.apiKeyId)).map((o) => ({ organizationId: o.organizationId, apiKeyId: o.apiKeyId }));
    if (!slots.length && !keys.length) return problems;
    try {
      await this.inSystemTx(async (c) => {
        for (const [k, id] of await ensureCounters(c, slots)) this.slotIds.set(k, id);
        await ensureRateWindows(c, keys);
      });
      for (const k of keys) this.rateRows.add(k.apiKeyId);
    } catch {
      // One operation naming a vanished organization must not sink the others: retry one by one.
      for (const [i, op] of ops.entries()) {
        try {
          await this.inSystemTx(async (c) => {
            if (op.kind === 'usage' || op.kind === 'hold') for (const [k, id] of await ensureCounters(c, op.slots)) this.slotIds.set(k, id);
            await ensureRateWindows(c, [{ organizationId: op.organizationId, apiKeyId: op.apiKeyId }]);
          });
          this.rateRows.add(op.apiKeyId);
        } catch {
          problems[i] = new AppError('UNAUTHENTICATED', 'Invalid or expired API key');
        }
      }
    }
    return problems;
  }

  private async decide(ops: UsageOperation[]): Promise<Outcome<unknown>[]> {
    const problems = await this.prepare(ops);
    const live = ops.filter((_, i) => !problems[i]);
    let decided: Outcome<unknown>[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        decided = live.length ? await this.runTransaction(live) : [];
        break;
      } catch (e) {
        const code = (e as { code?: string }).code ?? '';
        if (attempt >= MAX_ATTEMPTS || !(RETRYABLE.has(code) || e instanceof IdempotencyRace || e instanceof MissingRow)) throw e;
        if (e instanceof MissingRow) {
          this.slotIds.clear();
          this.rateRows.clear();
          await this.prepare(live);
        }
        this.stats.retries++;
      }
    }
    let j = 0;
    return ops.map((_, i) => (problems[i] ? { ok: false, error: problems[i]! } : decided[j++]!));
  }

  private async runTransaction(ops: UsageOperation[]): Promise<Outcome<unknown>[]> {
    return this.inSystemTx(async (c) => {
      const now = this.now();
      const uniq = <T>(xs: (T | null)[]) => [...new Set(xs.filter((x): x is T => x !== null))];
      const admissions = ops.filter((o): o is UsageOperation & AdmissionBase => o.kind === 'usage' || o.kind === 'hold');
      const targeted = ops.filter((o) => o.kind === 'extend' || o.kind === 'settle' || o.kind === 'release')
        .map((o) => ({ organizationId: o.organizationId, id: (o as { reservationId: string }).reservationId }));
      const locked = await lockReservations(c, targeted); // first in the lock order
      const state = await readBatch(c, {
        keyIds: uniq(ops.map((o) => o.apiKeyId)), userIds: uniq(admissions.map((o) => o.namedUserId)), realmIds: uniq(admissions.map((o) => o.realmId)),
        organizationIds: uniq(ops.map((o) => o.organizationId)), now,
        usageKeys: admissions.filter((o) => o.kind === 'usage').map((o) => ({ organizationId: o.organizationId, key: (o as { idempotencyKey: string }).idempotencyKey })),
        holdKeys: admissions.flatMap((o) => (o.kind === 'hold' && o.idempotencyKey ? [{ organizationId: o.organizationId, key: o.idempotencyKey }] : [])),
      });
      const reclaimed = state.reclaimed;
      const reclaimedIds = new Set(reclaimed.map((r) => r.id));
      const reservations = new Map(locked.map((r) => [r.id, reclaimedIds.has(r.id) ? { ...r, status: 'EXPIRED' as const } : r]));

      const counterIds = uniq([
        ...admissions.flatMap((o) => o.slots.map((s) => this.slotIds.get(s.key) ?? null)),
        ...[...locked, ...reclaimed].flatMap((r) => [...r.tokenCounterIds, ...r.callCounterIds]),
      ]);
      const counters = await lockCounters(c, counterIds);
      if (counters.size !== counterIds.length) throw new MissingRow('a counter row disappeared');
      const limited = [...state.keys.values()].filter((k) => k.ratePerMinute !== null).map((k) => ({ organizationId: k.organizationId, apiKeyId: k.id }));
      const rates = await lockRateWindows(c, limited);
      if (rates.size !== limited.length) throw new MissingRow('a rate window disappeared');

      const { outcomes, writes } = decideBatch(ops, {
        now, reservationTtlMs: this.ttlMs, newId: () => crypto.randomUUID(),
        keys: state.keys, users: state.users, realms: state.realms, reservations, reclaimed, counters, slotIds: this.slotIds, rates,
        answers: state.answers, holdsByKey: new Map(state.holds.map((r) => [`${r.organizationId}\u0000${r.idempotencyKey}`, r])),
      });
      await writeBatch(c, writes);
      this.stats.batches++;
      this.stats.operations += ops.length;
      return outcomes;
    });
  }

  /** Runs `fn` in a transaction as the system tenant; COMMIT before returning, ROLLBACK on error. */
  private async inSystemTx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query(BEGIN_SYSTEM);
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  /** One statement as the system tenant (the pool's sessions are), in its own implicit transaction. */
  readonly query: SqlQuery = async (text, values) => (await this.pool.query(text, values)).rows;

  private systemQuery<T>(fn: (q: SqlQuery) => Promise<T>): Promise<T> {
    return fn(this.query);
  }

  /** Waits for the queue to drain and closes the pool. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length || this.inFlight) await new Promise((r) => setTimeout(r, 5));
    await this.pool.end();
  }
}

class MissingRow extends Error {}
