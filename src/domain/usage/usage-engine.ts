import pg from 'pg';
import { loadModelCatalogs, loadUserModelRulesOf, type ModelCatalog, type SqlQuery, type UserModelRule } from '../model-access/usable-models.js';
import { AppError } from '../shared/app-error.js';
import { timeOrderedId } from '../shared/time-ordered-id.js';
import { partitionMonthAhead } from '../ledger/usage-partitions.js';
import { isIdempotencyRace, lockMoreHolds, readAndLock, writeAndCommit, type BatchLocks } from './batch-sql.js';
import { decideBatch } from './decide-batch.js';
import { ensureRows } from './ensure-rows.js';
import { TtlCache } from './ttl-cache.js';
import type { ReservationRow } from './batch-state.js';
import type { AdmissionBase, Outcome, UsageOperation } from './usage-ops.js';

export interface UsageEngineOptions {
  /** the system login's connection string (realmgate_system): one batch spans organizations and no person is behind it */
  databaseUrl: string;
  /** a hold not settled, released or extended within this many seconds is given back (default 300) */
  reservationTtlSeconds?: number;
  /** how long the first request of a batch waits for company (default 1 ms) */
  batchWindowMs?: number;
  /** at most this many operations per batch (default 256) */
  maxBatch?: number;
  /** batch transactions in flight at once (default 2): one per lane, each lane a share of the organizations */
  maxInFlight?: number;
  /**
   * Operations that arrive while a batch waits for its locks join it, up to
   * this many operations in all (default 32, 0 for none). Past about 32 a
   * batch's fixed cost is already shared, and a batch that took every waiting
   * operation would leave none ready for the next one to start at its commit:
   * PostgreSQL would wait while this process answers (measured in the README).
   */
  joinUpTo?: number;
  /** catalogs and user rules are cached this long, at most 1000 ms (default 1000) */
  cacheTtlMs?: number;
  /** clock, for tests */
  now?: () => Date;
}

interface Pending {
  op: UsageOperation;
  resolve: (o: Outcome<unknown>) => void;
}

/** The operations waiting in a lane, as its batch sees them once it holds its locks. */
interface Waiting {
  /** those `wanted` says, left where they are */
  peek(wanted: (op: UsageOperation) => boolean): UsageOperation[];
  /** those `covered` says the batch holds everything for, taken into the batch */
  take(covered: (op: UsageOperation) => boolean): UsageOperation[];
}

type TargetedOp = Extract<UsageOperation, { reservationId: string }>;
const targetsHold = (op: UsageOperation): op is TargetedOp => op.kind === 'extend' || op.kind === 'settle' || op.kind === 'release';

/** A share of the organizations (by id), whose operations are batched one transaction at a time. */
interface Lane {
  queue: Pending[];
  busy: boolean;
  timer: NodeJS.Timeout | null;
}

/**
 * The lane of an organization: its id's first 32 bits (a UUID, random for
 * every organization made here) modulo the lane count. Any stable spread
 * would do; the point is that one organization always lands in one lane.
 */
export function laneOf(organizationId: string, lanes: number): number {
  const head = Number.parseInt(organizationId.slice(0, 8), 16);
  return Number.isFinite(head) ? head % lanes : 0;
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
 *
 * Batches run in lanes: each organization belongs to one lane (laneOf), and a
 * lane runs one batch at a time. Every row a batch locks (counters, rate
 * windows, holds) belongs to one organization, so this process's batches in
 * flight never wait for each other's locks and commits: operations that
 * would have queued on a row lock wait in their lane's queue instead, and
 * join its next batch. (With one shared queue, batches in flight shared
 * organizations, and each waited for the other's commit to be flushed.)
 *
 * A batch costs two round trips to PostgreSQL: BEGIN with every read and lock
 * in one message, then every write with COMMIT in another (batch-sql.ts).
 * Operations that reach the lane while its batch's locks are on their way
 * join that batch when it already holds every row they need (joinsLocked):
 * a hot tenant's next requests are decided on rows already locked, instead of
 * waiting a whole batch for the next one.
 * Rows a batch will lock are created beforehand, in one more message, only
 * the first time this process meets a slot or key.
 */
export class UsageEngine {
  readonly pool: pg.Pool;
  private readonly ttlMs: number;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly joinUpTo: number;
  private readonly now: () => Date;
  private readonly catalogs: TtlCache<ModelCatalog | null>;
  private readonly userRules: TtlCache<UserModelRule[]>;
  /** quota_counters ids by slot key (rows are never deleted but with their organization) */
  private readonly slotIds = new Map<string, string>();
  private readonly rateRows = new Set<string>();
  /** the month whose ledger partitions (it and the next) this process made sure of */
  private partitionsEnsured: string | null = null;
  private readonly lanes: Lane[];
  private closed = false;
  /** batches committed, operations decided in them (joiners included), retries, operations that joined a batch waiting for its locks; for the benchmark and metrics */
  readonly stats = { batches: 0, operations: 0, retries: 0, joined: 0 };

  constructor(options: UsageEngineOptions) {
    this.ttlMs = (options.reservationTtlSeconds ?? 300) * 1000;
    this.windowMs = options.batchWindowMs ?? 1;
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.joinUpTo = options.joinUpTo ?? 32;
    this.now = options.now ?? (() => new Date());
    this.lanes = Array.from({ length: this.maxInFlight }, () => ({ queue: [], busy: false, timer: null }));
    const cacheMs = Math.min(1000, options.cacheTtlMs ?? 1000);
    // Spare connections beyond the batches for row creation and cache loads.
    // The system login: its policies admit every organization, so no tenant setting
    // per transaction (and nothing session-level: fine behind PgBouncer).
    this.pool = new pg.Pool({ connectionString: options.databaseUrl, max: this.maxInFlight + 4, application_name: 'realmgate-usage' });
    this.pool.on('error', () => {}); // an idle client's error is reported by the next query
    this.catalogs = new TtlCache<ModelCatalog | null>(cacheMs, (orgIds) => this.systemQuery((q) => loadModelCatalogs(q, orgIds)), null);
    this.userRules = new TtlCache<UserModelRule[]>(cacheMs, (userIds) => this.systemQuery((q) => loadUserModelRulesOf(q, userIds)), []);
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
    const lane = this.lanes[laneOf(op.organizationId, this.lanes.length)]!;
    return new Promise((resolve) => {
      lane.queue.push({ op, resolve: resolve as (o: Outcome<unknown>) => void });
      this.schedule(lane);
    });
  }

  private schedule(lane: Lane): void {
    if (lane.busy || !lane.queue.length) return;
    if (lane.queue.length >= this.maxBatch) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
      void this.flush(lane);
    } else if (!lane.timer) {
      lane.timer = setTimeout(() => {
        lane.timer = null;
        void this.flush(lane);
      }, this.windowMs);
    }
  }

  private async flush(lane: Lane): Promise<void> {
    if (lane.busy || !lane.queue.length) return;
    const batch = lane.queue.splice(0, this.maxBatch);
    lane.busy = true;
    const room = () => this.joinUpTo - batch.length;
    const waiting: Waiting = {
      peek: (wanted) => (room() > 0 ? lane.queue.filter((p) => wanted(p.op)).slice(0, room()).map((p) => p.op) : []),
      take: (covered) => {
        const taken: Pending[] = [];
        const kept: Pending[] = [];
        for (const p of lane.queue) (taken.length < room() && covered(p.op) ? taken : kept).push(p);
        if (!taken.length) return [];
        lane.queue = kept;
        batch.push(...taken);
        return taken.map((p) => p.op);
      },
    };
    let outcomes: Outcome<unknown>[];
    try {
      outcomes = await this.decide(batch.map((p) => p.op), waiting);
    } catch (e) {
      // Nothing of this batch committed: every caller hears so, none is acknowledged.
      outcomes = batch.map(() => ({ ok: false, error: e instanceof Error ? e : new Error(String(e)) }));
    }
    lane.busy = false;
    const answer = () => batch.forEach((p, i) => p.resolve(outcomes[i]!));
    if (!lane.queue.length) return answer();
    // The lane's next batch first, its callers already waited (no window); this
    // batch's callers are answered in the next turn of the event loop, once the
    // next batch's first statement is on its way: PostgreSQL works on it while
    // the answers are written, instead of after them.
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    void this.flush(lane);
    setImmediate(answer);
  }

  /** Creates missing counter rows and rate windows (outside the batch: creation never waits inside it). */
  private async prepare(ops: UsageOperation[]): Promise<(AppError | null)[]> {
    const problems: (AppError | null)[] = ops.map(() => null);
    const admissions = ops.filter((o): o is UsageOperation & AdmissionBase => o.kind === 'usage' || o.kind === 'hold');
    const slots = admissions.flatMap((o) => o.slots).filter((s) => !this.slotIds.has(s.key));
    const keys = ops.filter((o) => !this.rateRows.has(o.apiKeyId)).map((o) => ({ organizationId: o.organizationId, apiKeyId: o.apiKeyId }));
    const month = partitionMonthAhead(this.now());
    const partitions = month && month !== this.partitionsEnsured ? month : null;
    if (!slots.length && !keys.length && !partitions) return problems;
    try {
      await this.withClient(async (c) => {
        for (const [k, id] of await ensureRows(c, slots, keys, partitions)) this.slotIds.set(k, id);
      });
      for (const k of keys) this.rateRows.add(k.apiKeyId);
      if (partitions) this.partitionsEnsured = partitions;
    } catch {
      // One operation naming a vanished organization must not sink the others: retry one by one.
      for (const [i, op] of ops.entries()) {
        try {
          await this.withClient(async (c) => {
            const own = op.kind === 'usage' || op.kind === 'hold' ? op.slots : [];
            for (const [k, id] of await ensureRows(c, own, [{ organizationId: op.organizationId, apiKeyId: op.apiKeyId }])) this.slotIds.set(k, id);
          });
          this.rateRows.add(op.apiKeyId);
        } catch {
          problems[i] = new AppError('UNAUTHENTICATED', 'Invalid or expired API key');
        }
      }
    }
    return problems;
  }

  /**
   * Decides `ops`, then the operations that join once the batch holds its
   * locks (first attempt only), in that order. A failed attempt is retried
   * with the operations that joined it as members from the start.
   */
  private async decide(ops: UsageOperation[], waiting?: Waiting): Promise<Outcome<unknown>[]> {
    const problems = await this.prepare(ops);
    const live = ops.filter((_, i) => !problems[i]);
    const joined: UsageOperation[] = [];
    const counted: Waiting | undefined = waiting && {
      peek: waiting.peek,
      take: (covered) => {
        const more = waiting.take(covered);
        joined.push(...more);
        this.stats.joined += more.length;
        return more;
      },
    };
    let decided: Outcome<unknown>[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        decided = live.length ? await this.runTransaction(live, attempt === 1 ? counted : undefined) : [];
        break;
      } catch (e) {
        live.push(...joined.splice(0));
        const code = (e as { code?: string }).code ?? '';
        if (attempt >= MAX_ATTEMPTS || !(RETRYABLE.has(code) || isIdempotencyRace(e) || e instanceof MissingRow)) throw e;
        if (e instanceof MissingRow) {
          this.slotIds.clear();
          this.rateRows.clear();
          await this.prepare(live);
        }
        this.stats.retries++;
      }
    }
    // The operations of `ops` in their order, then those that joined, in theirs.
    let j = 0;
    const own = ops.map((_, i) => (problems[i] ? { ok: false as const, error: problems[i]! } : decided[j++]!));
    return j < decided.length ? [...own, ...decided.slice(j)] : own;
  }

  /**
   * Whether a batch holding `state` and `holds` can decide `op` as well as
   * one that had it from the start. A usage or hold: its key, rate window,
   * named user and realm read, its counters locked, the rows made beforehand;
   * its idempotency key was not looked up, but the write's unique keys still
   * judge, and a replay found there retries the batch (batch-sql.ts). An
   * extend, settle or release: its key read, its hold and the hold's counters
   * locked.
   */
  private joinsLocked(state: BatchLocks, holds: Map<string, ReservationRow>): (op: UsageOperation) => boolean {
    return (op) => {
      if (targetsHold(op)) {
        const r = holds.get(op.reservationId);
        return !!r && state.keys.has(op.apiKeyId) && [...r.tokenCounterIds, ...r.callCounterIds].every((id) => state.counters.has(id));
      }
      if (op.kind !== 'usage' && op.kind !== 'hold') return false;
      const key = state.keys.get(op.apiKeyId);
      if (!key || !this.rateRows.has(op.apiKeyId) || (key.ratePerMinute !== null && !state.rates.has(op.apiKeyId))) return false;
      if ((op.namedUserId && !state.users.has(op.namedUserId)) || (op.realmId && !state.realms.has(op.realmId))) return false;
      return op.slots.every((s) => {
        const id = this.slotIds.get(s.key);
        return id !== undefined && state.counters.has(id);
      });
    };
  }

  /** One batch: BEGIN + reads + locks in one round trip, decisions in memory, writes + COMMIT in the second. */
  private async runTransaction(ops: UsageOperation[], waiting?: Waiting): Promise<Outcome<unknown>[]> {
    return this.withClient(async (c) => {
      try {
        const now = this.now();
        const uniq = <T>(xs: (T | null)[]) => [...new Set(xs.filter((x): x is T => x !== null))];
        const byId = <T extends { id: string }>(xs: T[]) => [...new Map(xs.map((x) => [x.id, x])).values()];
        const admissions = ops.filter((o): o is UsageOperation & AdmissionBase => o.kind === 'usage' || o.kind === 'hold');
        const targeted = byId(ops.filter((o) => o.kind === 'extend' || o.kind === 'settle' || o.kind === 'release')
          .map((o) => ({ organizationId: o.organizationId, id: (o as { reservationId: string }).reservationId })));
        const slotCounters = byId(admissions.flatMap((o) => o.slots.map((s) => ({ organizationId: s.organizationId, id: this.slotIds.get(s.key) ?? '' }))));
        if (slotCounters.some((x) => !x.id)) throw new MissingRow('a slot has no counter id');
        const state = await readAndLock(c, {
          targeted, counters: slotCounters, keys: byId(ops.map((o) => ({ organizationId: o.organizationId, id: o.apiKeyId }))),
          userIds: uniq(admissions.map((o) => o.namedUserId)), realmIds: uniq(admissions.map((o) => o.realmId)),
          organizationIds: uniq(ops.map((o) => o.organizationId)), now,
          usageKeys: admissions.filter((o) => o.kind === 'usage').map((o) => ({ organizationId: o.organizationId, key: (o as { idempotencyKey: string }).idempotencyKey })),
          holdKeys: admissions.flatMap((o) => (o.kind === 'hold' && o.idempotencyKey ? [{ organizationId: o.organizationId, key: o.idempotencyKey }] : [])),
        });
        const reclaimedIds = new Set(state.reclaimed.map((r) => r.id));
        const reservations = new Map(state.locked.map((r) => [r.id, reclaimedIds.has(r.id) ? { ...r, status: 'EXPIRED' as const } : r]));
        // Every counter the batch may move must be locked; a row gone since it was cached (its organization deleted) retries from scratch.
        const needed = [...slotCounters.map((x) => x.id), ...[...state.locked, ...state.reclaimed].flatMap((r) => [...r.tokenCounterIds, ...r.callCounterIds])];
        if (needed.some((id) => !state.counters.has(id))) throw new MissingRow('a counter row disappeared');
        // A key whose limit was set between the read and the lock: retried, then locked.
        if ([...state.keys.values()].some((k) => k.ratePerMinute !== null && !state.rates.has(k.id))) throw new MissingRow('a rate window is missing');

        let joined: UsageOperation[] = [];
        if (waiting) {
          // Extends, settles and releases waiting with a key the batch read name holds it has not
          // locked: it locks those no one else holds (SKIP LOCKED: taken after the counters, out of
          // the lock order, so it never waits for them), then takes whatever it now covers.
          const named = waiting.peek((op) => targetsHold(op) && state.keys.has(op.apiKeyId) && !reservations.has(op.reservationId)) as TargetedOp[];
          if (named.length) for (const r of await lockMoreHolds(c, named.map((op) => ({ organizationId: op.organizationId, id: op.reservationId })))) reservations.set(r.id, r);
          joined = waiting.take(this.joinsLocked(state, reservations));
        }
        const { outcomes, writes } = decideBatch(joined.length ? [...ops, ...joined] : ops, {
          now, reservationTtlMs: this.ttlMs, newId: () => timeOrderedId(now),
          keys: state.keys, users: state.users, realms: state.realms, reservations, reclaimed: state.reclaimed, counters: state.counters,
          slotIds: this.slotIds, rates: state.rates, answers: state.answers,
          holdsByKey: new Map(state.holds.map((r) => [`${r.organizationId}\u0000${r.idempotencyKey}`, r])),
        });
        await writeAndCommit(c, writes);
        this.stats.batches++;
        this.stats.operations += ops.length + joined.length;
        return outcomes;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }

  /** Runs `fn` on a pooled client of the system login; a client that failed below SQL (no SQLSTATE) is discarded. */
  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      const out = await fn(c);
      c.release();
      return out;
    } catch (e) {
      c.release((e as { code?: string }).code || e instanceof MissingRow ? undefined : (e as Error));
      throw e;
    }
  }

  /** One statement on the system login, in its own implicit transaction. */
  readonly query: SqlQuery = async (text, values) => (await this.pool.query(text, values)).rows;

  private systemQuery<T>(fn: (q: SqlQuery) => Promise<T>): Promise<T> {
    return fn(this.query);
  }

  /** Waits for the queue to drain and closes the pool. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.lanes.some((l) => l.queue.length || l.busy)) await new Promise((r) => setTimeout(r, 5));
    await this.pool.end();
  }
}

class MissingRow extends Error {}
