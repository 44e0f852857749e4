import type pg from 'pg';
import { inlineParams } from '../../db/inline-params.js';
import { accountUsableSql } from '../auth/account-state.js';
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

const RESERVATION_COLUMNS = `organization_id, id, api_key_id, user_id, realm_id, model_id, idempotency_key, status::text AS status,
  held_tokens::float8 AS held_tokens, token_counter_ids::text[] AS token_counter_ids, call_counter_ids::text[] AS call_counter_ids,
  expires_at, input_tokens, output_tokens, usage_event_id`;

type ReservationDbRow = {
  organization_id: string; id: string; api_key_id: string; user_id: string | null; realm_id: string | null; model_id: string;
  idempotency_key: string | null; status: ReservationRow['status']; held_tokens: number; token_counter_ids: string[];
  call_counter_ids: string[]; expires_at: Date; input_tokens: number | null; output_tokens: number | null; usage_event_id: string | null;
};

const toReservation = (r: ReservationDbRow): ReservationRow => ({
  organizationId: r.organization_id, id: r.id, apiKeyId: r.api_key_id, userId: r.user_id, realmId: r.realm_id, modelId: r.model_id,
  idempotencyKey: r.idempotency_key, status: r.status, heldTokens: r.held_tokens, tokenCounterIds: r.token_counter_ids,
  callCounterIds: r.call_counter_ids, expiresAt: r.expires_at, inputTokens: r.input_tokens, outputTokens: r.output_tokens, usageEventId: r.usage_event_id,
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
 * round trip: a simple-protocol message of five statements (values written as
 * literals by inlineParams). In lock order:
 * 1. BEGIN;
 * 2. the reservations the operations name, FOR UPDATE;
 * 3. keys (with organization and owner state), named users and realms as
 *    committed now; the organizations' holds past their expiry, marked EXPIRED
 *    (FOR UPDATE SKIP LOCKED: a hold another batch holds is that batch's to
 *    settle or reclaim, and waiting here could deadlock); first answers already
 *    given under the batch's idempotency keys (a shortcut, not the judge: the
 *    write's unique keys are, and a conflict there retries the batch);
 * 4. the counters of the slots and of every hold locked in 2 or reclaimed in 3
 *    (recognised by this transaction's now() on updated_at), FOR UPDATE by
 *    (organization_id, id), the primary key;
 * 5. the per-minute windows of the batch's rate-limited keys, FOR UPDATE.
 */
export async function readAndLock(c: Q, p: {
  targeted: { organizationId: string; id: string }[];
  counters: { organizationId: string; id: string }[];
  keys: { organizationId: string; id: string }[];
  userIds: string[]; realmIds: string[]; organizationIds: string[]; now: Date;
  usageKeys: { organizationId: string; key: string }[]; holdKeys: { organizationId: string; key: string }[];
}): Promise<BatchLocks> {
  const resCols = RESERVATION_COLUMNS.replace(/(^|,\s*)(\w+)/g, '$1r.$2');
  const orgs = <T extends { organizationId: string }>(xs: T[]) => xs.map((x) => x.organizationId);
  const lockTargeted = inlineParams(`
    SELECT ${RESERVATION_COLUMNS} FROM usage_reservations
     WHERE organization_id = ANY($1::uuid[]) AND id = ANY($2::uuid[])
     ORDER BY organization_id, id FOR UPDATE`, [orgs(p.targeted), p.targeted.map((r) => r.id)]);
  const read = inlineParams(`
    WITH expired AS (
      SELECT organization_id, id FROM usage_reservations
       WHERE organization_id = ANY($4::uuid[]) AND status = 'HELD' AND expires_at <= $5::timestamptz
       ORDER BY organization_id, id FOR UPDATE SKIP LOCKED
    ), reclaimed AS (
      UPDATE usage_reservations r SET status = 'EXPIRED', updated_at = now()
        FROM expired e WHERE r.organization_id = e.organization_id AND r.id = e.id
      RETURNING ${resCols}
    )
    SELECT
      (SELECT coalesce(json_agg(json_build_object(
          'id', k.id, 'organizationId', k.organization_id, 'userId', k.user_id, 'realmId', k.realm_id, 'revokedAt', k.revoked_at,
          'expiresAt', k.expires_at, 'maxTokens', k.max_tokens, 'ratePerMinute', k.rate_limit_per_minute, 'allowedModelIds', k.allowed_model_ids,
          'orgActive', o.is_active, 'orgTokenQuota', o.monthly_token_quota, 'orgApiCallQuota', o.monthly_api_call_quota,
          'ownerUsable', CASE WHEN k.user_id IS NULL THEN NULL ELSE coalesce(${accountUsableSql('u')}, false) END)), '[]'::json)
         FROM api_keys k JOIN organizations o ON o.id = k.organization_id LEFT JOIN users u ON u.id = k.user_id
        WHERE k.id = ANY($1::uuid[])) AS keys,
      (SELECT coalesce(json_agg(json_build_object('id', u.id, 'organizationId', u.organization_id, 'usable', ${accountUsableSql('u')})), '[]'::json)
         FROM users u WHERE u.id = ANY($2::uuid[])) AS users,
      (SELECT coalesce(json_agg(json_build_object('id', x.id, 'organizationId', x.organization_id, 'isActive', x.is_active)), '[]'::json)
         FROM realms x WHERE x.id = ANY($3::uuid[])) AS realms,
      (SELECT coalesce(json_agg(reclaimed), '[]'::json) FROM reclaimed) AS reclaimed,
      (SELECT coalesce(json_agg(json_build_object('o', i.organization_id, 'k', i.idempotency_key, 'a', i.answer)), '[]'::json)
         FROM usage_idempotency_keys i
        WHERE (i.organization_id, i.idempotency_key) IN (SELECT * FROM unnest($6::uuid[], $7::text[]))) AS answers,
      (SELECT coalesce(json_agg(h), '[]'::json) FROM (
         SELECT ${RESERVATION_COLUMNS} FROM usage_reservations
          WHERE (organization_id, idempotency_key) IN (SELECT * FROM unnest($8::uuid[], $9::text[]))) h) AS holds`,
  [p.keys.map((k) => k.id), p.userIds, p.realmIds, p.organizationIds, p.now,
    orgs(p.usageKeys), p.usageKeys.map((k) => k.key), orgs(p.holdKeys), p.holdKeys.map((k) => k.key)]);
  // Locked by the primary key (organization_id, id): the pairs are gathered first and
  // compared as two arrays, which PostgreSQL answers from the index (a row-value IN
  // against unnest() is planned as a hash join over the whole table). Counter ids are
  // unique, so crossing an organization with another's id matches nothing.
  const lockCounters = inlineParams(`
    WITH ids (org, id) AS MATERIALIZED (
      SELECT * FROM unnest($1::uuid[], $2::uuid[])
      UNION
      SELECT r.organization_id, unnest(r.token_counter_ids || r.call_counter_ids) FROM usage_reservations r
       WHERE r.organization_id = ANY($3::uuid[]) AND r.id = ANY($4::uuid[])
      UNION
      SELECT r.organization_id, unnest(r.token_counter_ids || r.call_counter_ids) FROM usage_reservations r
       WHERE r.organization_id = ANY($5::uuid[]) AND r.status = 'EXPIRED' AND r.updated_at = now()::timestamptz(3))
    SELECT id, organization_id, subject_type::text AS subject_type, subject_id, metric::text AS metric, model_id, period::text AS period,
           period_start, used::float8 AS used, reserved::float8 AS reserved, limit_value::float8 AS limit_value
      FROM quota_counters
     WHERE organization_id = ANY(ARRAY(SELECT org FROM ids)) AND id = ANY(ARRAY(SELECT id FROM ids))
     ORDER BY subject_type, subject_id, metric, model_id NULLS LAST, period_start FOR UPDATE`,
  [orgs(p.counters), p.counters.map((x) => x.id), orgs(p.targeted), p.targeted.map((r) => r.id), p.organizationIds]);
  const lockRates = inlineParams(`
    SELECT w.organization_id, w.api_key_id, w.window_start, w.requests FROM api_key_rate_windows w
     WHERE w.organization_id = ANY($1::uuid[]) AND w.api_key_id = ANY($2::uuid[])
       AND EXISTS (SELECT 1 FROM api_keys k WHERE k.id = w.api_key_id AND k.rate_limit_per_minute IS NOT NULL)
     ORDER BY w.organization_id, w.api_key_id FOR UPDATE`, [orgs(p.keys), p.keys.map((k) => k.id)]);
  const results = (await c.query(`BEGIN;${lockTargeted};${read};${lockCounters};${lockRates}`)) as unknown as pg.QueryResult[];
  const locked = (results[1]!.rows as ReservationDbRow[]).map(toReservation);
  const row = results[2]!.rows[0] as {
    keys: Record<string, unknown>[]; users: UserState[]; realms: RealmState[]; reclaimed: ReservationDbRow[];
    answers: { o: string; k: string; a: UsageAnswer }[]; holds: ReservationDbRow[];
  };
  const counterRows = results[3]!.rows as {
    id: string; organization_id: string; subject_type: CounterRow['subjectType']; subject_id: string; metric: CounterRow['metric'];
    model_id: string | null; period: CounterRow['period']; period_start: Date; used: number; reserved: number; limit_value: number | null;
  }[];
  const rateRows = results[4]!.rows as { organization_id: string; api_key_id: string; window_start: Date; requests: number }[];
  const fromJson = (x: ReservationDbRow) => toReservation({ ...x, expires_at: new Date(x.expires_at) });
  return {
    locked,
    keys: new Map<string, KeyState>(row.keys.map((k) => [k.id as string, {
      ...(k as unknown as KeyState),
      revokedAt: date(k.revokedAt as string | null),
      expiresAt: date(k.expiresAt as string | null),
    }])),
    users: new Map(row.users.map((u) => [u.id, u])),
    realms: new Map(row.realms.map((x) => [x.id, x])),
    reclaimed: row.reclaimed.map(fromJson),
    answers: new Map(row.answers.map((a) => [`${a.o}\u0000${a.k}`, a.a])),
    holds: row.holds.map(fromJson),
    counters: new Map(counterRows.map((r) => [r.id, {
      id: r.id, organizationId: r.organization_id, subjectType: r.subject_type, subjectId: r.subject_id, metric: r.metric, modelId: r.model_id,
      period: r.period, periodStart: r.period_start, used: r.used, reserved: r.reserved, limit: r.limit_value,
    }])),
    rates: new Map(rateRows.map((r) => [r.api_key_id, { organizationId: r.organization_id, apiKeyId: r.api_key_id, windowStart: r.window_start, requests: r.requests }])),
  };
}

/**
 * The unique keys that judge replays: a batch whose write meets one of them
 * taken (another batch or instance answered the same idempotency key since
 * this one read) is rolled back and retried from scratch, and then replays.
 */
export const IDEMPOTENCY_CONSTRAINTS = new Set(['usage_idempotency_keys_pkey', 'usage_reservations_organization_id_idempotency_key_key']);
export const isIdempotencyRace = (e: unknown): boolean =>
  (e as { code?: string }).code === '23505' && IDEMPOTENCY_CONSTRAINTS.has((e as { constraint?: string }).constraint ?? '');

/**
 * Every write of a batch in ONE statement (data-modifying CTEs), followed by
 * COMMIT in the same message: one UPDATE for the counters, one for the rate
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
  const write = inlineParams(`
    WITH c AS (
      UPDATE quota_counters q
         SET used = q.used + v.du, reserved = q.reserved + v.dr,
             limit_value = CASE WHEN v.setl THEN v.lim ELSE q.limit_value END, updated_at = now()
        FROM unnest($52::uuid[], $1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bool[]) AS v(org, id, du, dr, lim, setl)
       WHERE q.organization_id = v.org AND q.id = v.id RETURNING 1
    ), w AS (
      UPDATE api_key_rate_windows t SET window_start = v.ws, requests = v.n
        FROM unnest($6::uuid[], $7::uuid[], $8::timestamptz[], $9::int[]) AS v(org, key, ws, n)
       WHERE t.organization_id = v.org AND t.api_key_id = v.key RETURNING 1
    ), a AS (
      INSERT INTO usage_idempotency_keys (organization_id, idempotency_key, usage_event_id, answer)
      SELECT * FROM unnest($10::uuid[], $11::text[], $12::uuid[], $13::jsonb[])
      RETURNING 1
    ), e AS (
      INSERT INTO usage_events (id, occurred_at, organization_id, user_id, api_key_id, realm_id, model_id, idempotency_key,
                                input_tokens, output_tokens, total_tokens, requests, metadata)
      SELECT v.id, $14::timestamptz, v.org, v.usr, v.key, v.realm, v.model, v.ik, v.it, v.ot, v.it + v.ot, 1, v.md
        FROM unnest($15::uuid[], $16::uuid[], $17::uuid[], $18::uuid[], $19::uuid[], $20::uuid[], $21::text[], $22::int[], $23::int[], $24::jsonb[])
             AS v(id, org, usr, key, realm, model, ik, it, ot, md)
      RETURNING 1
    ), h AS (
      INSERT INTO usage_reservations (organization_id, id, api_key_id, user_id, realm_id, model_id, idempotency_key, status, held_tokens,
                                      token_counter_ids, call_counter_ids, expires_at)
      SELECT v.org, v.id, v.key, v.usr, v.realm, v.model, v.ik, 'HELD', v.held,
             ARRAY(SELECT jsonb_array_elements_text(v.tc))::uuid[], ARRAY(SELECT jsonb_array_elements_text(v.cc))::uuid[], v.exp
        FROM unnest($25::uuid[], $26::uuid[], $27::uuid[], $28::uuid[], $29::uuid[], $30::uuid[], $31::text[], $32::bigint[], $33::jsonb[], $34::jsonb[], $35::timestamptz[])
             AS v(org, id, key, usr, realm, model, ik, held, tc, cc, exp)
      RETURNING 1
    ), r AS (
      UPDATE usage_reservations t
         SET status = v.st::"ReservationStatus", held_tokens = v.held, expires_at = v.exp, input_tokens = v.it, output_tokens = v.ot,
             usage_event_id = v.ev, updated_at = now()
        FROM unnest($36::uuid[], $37::uuid[], $38::text[], $39::bigint[], $40::timestamptz[], $41::int[], $42::int[], $43::uuid[])
             AS v(org, id, st, held, exp, it, ot, ev)
       WHERE t.organization_id = v.org AND t.id = v.id RETURNING 1
    ), d AS (
      INSERT INTO usage_daily_rollups AS u (organization_id, day, model_id, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
      SELECT v.org, v.day, v.model, v.usr, v.key, v.it, v.ot, v.it + v.ot, v.n, v.n
        FROM unnest($44::uuid[], $45::date[], $46::uuid[], $47::uuid[], $48::uuid[], $49::bigint[], $50::bigint[], $51::bigint[]) AS v(org, day, model, usr, key, it, ot, n)
      ON CONFLICT (organization_id, day, model_id, user_id, api_key_id) DO UPDATE
         SET input_tokens = u.input_tokens + EXCLUDED.input_tokens, output_tokens = u.output_tokens + EXCLUDED.output_tokens,
             total_tokens = u.total_tokens + EXCLUDED.total_tokens, requests = u.requests + EXCLUDED.requests,
             events = u.events + EXCLUDED.events, updated_at = now()
      RETURNING 1
    ), f AS (
      INSERT INTO usage_refusals AS x (organization_id, day, code, count, updated_at)
      SELECT v.org, v.day, v.code, v.n, now() FROM unnest($53::uuid[], $54::date[], $55::text[], $56::bigint[]) AS v(org, day, code, n)
      ON CONFLICT (organization_id, day, code) DO UPDATE SET count = x.count + EXCLUDED.count, updated_at = now()
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM c) + (SELECT count(*) FROM w) + (SELECT count(*) FROM a) + (SELECT count(*) FROM e)
         + (SELECT count(*) FROM h) + (SELECT count(*) FROM r) + (SELECT count(*) FROM d) + (SELECT count(*) FROM f) AS written`,
  [
    col(C, (x) => x.id), col(C, (x) => x.dUsed), col(C, (x) => x.dReserved), col(C, (x) => x.limit), col(C, (x) => x.setLimit),
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
    col(C, (x) => x.organizationId),
    col(F, (x) => x.organizationId), col(F, (x) => x.day), col(F, (x) => x.code), col(F, (x) => x.count),
  ]);
  await c.query(`${write};COMMIT`);
}
