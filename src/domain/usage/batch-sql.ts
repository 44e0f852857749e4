import type pg from 'pg';
import { inlineParams } from '../../db/inline-params.js';
import type { CounterRow, KeyState, RateWindow, RealmState, ReservationRow, UserState } from './batch-state.js';
import type { BatchWrites } from './decide-batch.js';
import type { UsageAnswer } from './usage-ops.js';

/**
 * The statements of one batch transaction, in the order they run. Locks are
 * always taken in one global order (targeted reservations by (org, id), then
 * expired ones with SKIP LOCKED, then quota_counters in the same order as
 * consumeQuotas and casReset, then rate windows by (org, key)), so two batches
 * or a batch and a reset can wait for each other but never deadlock.
 */

type Q = Pick<pg.PoolClient, 'query'>;

const date = (v: string | Date | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/** A reservation as rg_usage_reservation_json writes it (migration 0018). */
type ReservationJson = {
  organization_id: string; id: string; api_key_id: string; user_id: string | null; realm_id: string | null; model_id: string;
  idempotency_key: string | null; status: ReservationRow['status']; held_tokens: number; token_counter_ids: string[];
  call_counter_ids: string[]; expires_at: string; input_tokens: number | null; output_tokens: number | null; usage_event_id: string | null;
};

const fromJson = (r: ReservationJson): ReservationRow => ({
  organizationId: r.organization_id, id: r.id, apiKeyId: r.api_key_id, userId: r.user_id, realmId: r.realm_id, modelId: r.model_id,
  idempotencyKey: r.idempotency_key, status: r.status, heldTokens: r.held_tokens, tokenCounterIds: r.token_counter_ids,
  callCounterIds: r.call_counter_ids, expiresAt: new Date(r.expires_at), inputTokens: r.input_tokens, outputTokens: r.output_tokens, usageEventId: r.usage_event_id,
});

export interface BatchReads {
  keys: Map<string, KeyState>;
  users: Map<string, UserState>;
  realms: Map<string, RealmState>;
  /** holds past their expiry, now EXPIRED: their amounts go back in this batch */
  reclaimed: ReservationRow[];
  /** first answers already given under the batch's POST /usage idempotency keys */
  answers: Map<string, UsageAnswer>;
  /** holds already made under the batch's hold idempotency keys */
  holds: ReservationRow[];
}

/** What the batch holds locked, besides what it read. */
export interface BatchLocks extends BatchReads {
  /** the reservations the operations name, locked (first in the lock order) */
  locked: ReservationRow[];
  /** locked counters by id: the slots' and those of every locked or reclaimed hold */
  counters: Map<string, CounterRow>;
  /** locked per-minute windows of the batch's rate-limited keys, by key id */
  rates: Map<string, RateWindow>;
}

/**
 * Opens the batch's transaction and takes everything it reads and locks in ONE
 * round trip: `BEGIN; SELECT rg_usage_batch_lock(...)` as one simple-protocol
 * message (values written as literals by inlineParams). The function
 * (migration 0018) runs, in lock order: the reservations the operations name,
 * FOR UPDATE; keys (with organization and owner state), named users and
 * realms as committed now; the organizations' holds past their expiry, marked
 * EXPIRED (FOR UPDATE SKIP LOCKED: a hold another batch holds is that batch's
 * to settle or reclaim, and waiting here could deadlock); first answers
 * already given under the batch's idempotency keys (a shortcut, not the judge:
 * the write's unique keys are, and a conflict there retries the batch); the
 * counters of the slots and of every hold locked or reclaimed, FOR UPDATE by
 * primary key; the per-minute windows of rate-limited keys, FOR UPDATE.
 * PL/pgSQL keeps those statements' plans for the connection's life.
 */
export async function readAndLock(c: Q, p: {
  targeted: { organizationId: string; id: string }[];
  counters: { organizationId: string; id: string }[];
  keys: { organizationId: string; id: string }[];
  userIds: string[]; realmIds: string[]; organizationIds: string[]; now: Date;
  usageKeys: { organizationId: string; key: string }[]; holdKeys: { organizationId: string; key: string }[];
}): Promise<BatchLocks> {
  const orgs = <T extends { organizationId: string }>(xs: T[]) => xs.map((x) => x.organizationId);
  const call = inlineParams(`SELECT rg_usage_batch_lock($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::uuid[],
    $9::uuid[], $10::timestamptz, $11::uuid[], $12::text[], $13::uuid[], $14::text[]) AS batch`, [
    orgs(p.targeted), p.targeted.map((r) => r.id), orgs(p.counters), p.counters.map((x) => x.id), orgs(p.keys), p.keys.map((k) => k.id),
    p.userIds, p.realmIds, p.organizationIds, p.now,
    orgs(p.usageKeys), p.usageKeys.map((k) => k.key), orgs(p.holdKeys), p.holdKeys.map((k) => k.key),
  ]);
  const results = (await c.query(`BEGIN;${call}`)) as unknown as pg.QueryResult[];
  const batch = results[1]!.rows[0].batch as {
    locked: ReservationJson[]; reclaimed: ReservationJson[];
    reads: { keys: Record<string, unknown>[]; users: UserState[]; realms: RealmState[]; answers: { o: string; k: string; a: UsageAnswer }[]; holds: ReservationJson[] };
    counters: {
      id: string; organization_id: string; subject_type: CounterRow['subjectType']; subject_id: string; metric: CounterRow['metric'];
      model_id: string | null; period: CounterRow['period']; period_start: string; used: number; reserved: number; limit_value: number | null;
    }[];
    rates: { organization_id: string; api_key_id: string; window_start: string; requests: number }[];
  };
  const { reads } = batch;
  return {
    locked: batch.locked.map(fromJson),
    keys: new Map<string, KeyState>(reads.keys.map((k) => [k.id as string, {
      ...(k as unknown as KeyState),
      revokedAt: date(k.revokedAt as string | null),
      expiresAt: date(k.expiresAt as string | null),
    }])),
    users: new Map(reads.users.map((u) => [u.id, u])),
    realms: new Map(reads.realms.map((x) => [x.id, x])),
    reclaimed: batch.reclaimed.map(fromJson),
    answers: new Map(reads.answers.map((a) => [`${a.o}\u0000${a.k}`, a.a])),
    holds: reads.holds.map(fromJson),
    counters: new Map(batch.counters.map((r) => [r.id, {
      id: r.id, organizationId: r.organization_id, subjectType: r.subject_type, subjectId: r.subject_id, metric: r.metric, modelId: r.model_id,
      period: r.period, periodStart: new Date(r.period_start), used: r.used, reserved: r.reserved, limit: r.limit_value,
    }])),
    rates: new Map(batch.rates.map((r) => [r.api_key_id, { organizationId: r.organization_id, apiKeyId: r.api_key_id, windowStart: new Date(r.window_start), requests: r.requests }])),
  };
}

/**
 * Holds that operations joining a batch name, locked once the batch holds its
 * counters, only where no other transaction holds them: FOR UPDATE SKIP
 * LOCKED, because this lock comes after the counters, out of the global lock
 * order, and so must never wait. A hold not returned stays for the next batch.
 */
export async function lockMoreHolds(c: Q, holds: { organizationId: string; id: string }[]): Promise<ReservationRow[]> {
  const { rows } = await c.query<{ holds: ReservationJson[] }>(
    `SELECT coalesce(json_agg(rg_usage_reservation_json(x.t)), '[]'::json) AS holds FROM (
       SELECT t FROM usage_reservations t WHERE t.organization_id = ANY($1::uuid[]) AND t.id = ANY($2::uuid[]) FOR UPDATE SKIP LOCKED) x`,
    [[...new Set(holds.map((h) => h.organizationId))], [...new Set(holds.map((h) => h.id))]]);
  return rows[0]!.holds.map(fromJson);
}

/** The parameter types of rg_usage_batch_write, in order (migration 0018). */
const WRITE_TYPES = [
  'uuid[]', 'uuid[]', 'bigint[]', 'bigint[]', 'bigint[]', 'boolean[]',
  'uuid[]', 'uuid[]', 'timestamptz[]', 'int[]',
  'uuid[]', 'text[]', 'uuid[]', 'jsonb[]',
  'timestamptz', 'uuid[]', 'uuid[]', 'uuid[]', 'uuid[]', 'uuid[]', 'uuid[]', 'text[]', 'int[]', 'int[]', 'jsonb[]',
  'uuid[]', 'uuid[]', 'uuid[]', 'uuid[]', 'uuid[]', 'uuid[]', 'text[]', 'bigint[]', 'jsonb[]', 'jsonb[]', 'timestamptz[]',
  'uuid[]', 'uuid[]', 'text[]', 'bigint[]', 'timestamptz[]', 'int[]', 'int[]', 'uuid[]',
  'uuid[]', 'date[]', 'uuid[]', 'uuid[]', 'uuid[]', 'bigint[]', 'bigint[]', 'bigint[]',
  'uuid[]', 'date[]', 'text[]', 'bigint[]',
];

/**
 * The unique keys that judge replays: a batch whose write meets one of them
 * taken (another batch or instance answered the same idempotency key since
 * this one read) is rolled back and retried from scratch, and then replays.
 */
export const IDEMPOTENCY_CONSTRAINTS = new Set(['usage_idempotency_keys_pkey', 'usage_reservations_organization_id_idempotency_key_key']);
export const isIdempotencyRace = (e: unknown): boolean =>
  (e as { code?: string }).code === '23505' && IDEMPOTENCY_CONSTRAINTS.has((e as { constraint?: string }).constraint ?? '');

/**
 * Every write of a batch in ONE statement, rg_usage_batch_write (migration
 * 0018: data-modifying CTEs), followed by COMMIT in the same message: one
 * UPDATE for the counters, one for the rate
 * windows, one multi-row INSERT each for first answers, ledger rows and new
 * holds (no ON CONFLICT: a taken idempotency key fails the statement, so the
 * COMMIT never runs; see isIdempotencyRace), one UPDATE for changed holds,
 * one UPSERT per daily rollup row and one per refusal count. Resolves only
 * once COMMIT has succeeded.
 */
export async function writeAndCommit(c: Q, w: BatchWrites): Promise<void> {
  const col = <T, V>(rows: T[], f: (r: T) => V) => rows.map(f);
  const rollups = new Map<string, { org: string; day: string; model: string; user: string | null; key: string; it: number; ot: number; n: number }>();
  for (const e of w.ledger) {
    const day = e.occurredAt.toISOString().slice(0, 10);
    const k = `${e.organizationId}|${day}|${e.modelId}|${e.userId ?? ''}|${e.apiKeyId}`;
    const r = rollups.get(k) ?? { org: e.organizationId, day, model: e.modelId, user: e.userId, key: e.apiKeyId, it: 0, ot: 0, n: 0 };
    r.it += e.inputTokens;
    r.ot += e.outputTokens;
    r.n += 1;
    rollups.set(k, r);
  }
  const ru = [...rollups.keys()].sort().map((k) => rollups.get(k)!);
  const { ledger: L, newHolds: H, changedReservations: R, counters: C, rates: W, answers: A, refusals: F } = w;
  const arrays = [
    col(C, (x) => x.organizationId), col(C, (x) => x.id), col(C, (x) => x.dUsed), col(C, (x) => x.dReserved), col(C, (x) => x.limit), col(C, (x) => x.setLimit),
    col(W, (x) => x.organizationId), col(W, (x) => x.apiKeyId), col(W, (x) => x.windowStart), col(W, (x) => x.requests),
    col(A, (x) => x.organizationId), col(A, (x) => x.idempotencyKey), col(A, (x) => x.eventId), col(A, (x) => JSON.stringify(x.answer)),
    L[0]?.occurredAt ?? new Date(),
    col(L, (x) => x.id), col(L, (x) => x.organizationId), col(L, (x) => x.userId), col(L, (x) => x.apiKeyId), col(L, (x) => x.realmId),
    col(L, (x) => x.modelId), col(L, (x) => x.idempotencyKey), col(L, (x) => x.inputTokens), col(L, (x) => x.outputTokens), col(L, (x) => JSON.stringify(x.metadata)),
    col(H, (x) => x.organizationId), col(H, (x) => x.id), col(H, (x) => x.apiKeyId), col(H, (x) => x.userId), col(H, (x) => x.realmId),
    col(H, (x) => x.modelId), col(H, (x) => x.idempotencyKey), col(H, (x) => x.heldTokens), col(H, (x) => JSON.stringify(x.tokenCounterIds)),
    col(H, (x) => JSON.stringify(x.callCounterIds)), col(H, (x) => x.expiresAt),
    col(R, (x) => x.organizationId), col(R, (x) => x.id), col(R, (x) => x.status), col(R, (x) => x.heldTokens), col(R, (x) => x.expiresAt),
    col(R, (x) => x.inputTokens), col(R, (x) => x.outputTokens), col(R, (x) => x.usageEventId),
    col(ru, (x) => x.org), col(ru, (x) => x.day), col(ru, (x) => x.model), col(ru, (x) => x.user), col(ru, (x) => x.key),
    col(ru, (x) => x.it), col(ru, (x) => x.ot), col(ru, (x) => x.n),
    col(F, (x) => x.organizationId), col(F, (x) => x.day), col(F, (x) => x.code), col(F, (x) => x.count),
  ];
  const write = inlineParams(`SELECT rg_usage_batch_write(${WRITE_TYPES.map((t, i) => `$${i + 1}::${t}`).join(', ')})`, arrays);
  await c.query(`${write};COMMIT`);
}
