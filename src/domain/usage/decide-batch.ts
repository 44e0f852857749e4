import { findUsableModel, usableModels } from '../model-access/usable-models.js';
import { periodEnd } from '../quotas/period.js';
import { AppError } from '../shared/app-error.js';
import { orgKey, type CounterRow, type KeyState, type LedgerRow, type RateWindow, type RealmState, type ReservationRow, type UserState } from './batch-state.js';
import type { AdmissionBase, LimitName, LimitState, Outcome, ReservationAnswer, Slot, UsageAnswer, UsageOperation } from './usage-ops.js';
import { apiKeyUsable } from '../api-keys/api-key-usable.js';

/** Everything a batch read, in memory; decideBatch changes nothing but this. */
export interface BatchView {
  now: Date;
  reservationTtlMs: number;
  newId: () => string;
  keys: Map<string, KeyState>;
  users: Map<string, UserState>;
  realms: Map<string, RealmState>;
  /** the reservations the batch's operations name, locked; already reclaimed ones say EXPIRED */
  reservations: Map<string, ReservationRow>;
  /** holds this batch found expired and took back */
  reclaimed: ReservationRow[];
  /** locked counters by id */
  counters: Map<string, CounterRow>;
  slotIds: Map<string, string>;
  /** locked rate windows by key id */
  rates: Map<string, RateWindow>;
  /** first answers of POST /usage, by orgKey(org, idempotencyKey) */
  answers: Map<string, UsageAnswer>;
  /** holds already made under an idempotency key, by orgKey(org, idempotencyKey) */
  holdsByKey: Map<string, ReservationRow>;
}

interface Counter {
  row: CounterRow;
  dUsed: number;
  dReserved: number;
  /** the limit the decision applied; written back to limit_value */
  limit: number | null;
  limitChanged: boolean;
}

/** The batch's writes, each applied by one statement. */
export interface BatchWrites {
  counters: { organizationId: string; id: string; dUsed: number; dReserved: number; limit: number | null; setLimit: boolean }[];
  rates: RateWindow[];
  answers: { organizationId: string; idempotencyKey: string; eventId: string; answer: UsageAnswer }[];
  ledger: LedgerRow[];
  newHolds: ReservationRow[];
  /** reservations whose state changed (status, held tokens, expiry, settlement) */
  changedReservations: ReservationRow[];
  /** refusals (429) of this batch by organization and the limit that said no, for the dashboard */
  refusals: { organizationId: string; day: string; code: LimitName; count: number }[];
}

const MINUTE_MS = 60_000;
const unauthenticated = () => new AppError('UNAUTHENTICATED', 'Invalid or expired API key');

const LIMIT_WORDS: Record<LimitName, string> = {
  'organization.monthlyTokens': "the organization's monthly token quota",
  'organization.monthlyApiCalls': "the organization's monthly API call quota",
  'apiKey.monthlyTokens': "the API key's monthly token budget",
  'apiKey.monthlyRequests': "the API key's monthly requests",
  'apiKey.requestsPerMinute': "the API key's requests per minute",
  'user.modelTokens': "the user's token limit on this model",
};

/** The name of the limit a counter row stands for. */
function counterLimitName(c: CounterRow): LimitName {
  if (c.subjectType === 'ORGANIZATION') return c.metric === 'API_CALLS' ? 'organization.monthlyApiCalls' : 'organization.monthlyTokens';
  if (c.subjectType === 'API_KEY') return c.metric === 'REQUESTS' ? 'apiKey.monthlyRequests' : 'apiKey.monthlyTokens';
  return 'user.modelTokens';
}

/**
 * Decides every operation of a batch in arrival order against counters the
 * batch holds locked: each sees the effect of those before it, so however
 * many race, no limit is passed, and nothing that fits is refused.
 */
export function decideBatch(ops: UsageOperation[], view: BatchView): { outcomes: Outcome<unknown>[]; writes: BatchWrites } {
  const { now } = view;
  const counters = new Map<string, Counter>();
  const counter = (id: string): Counter => {
    let c = counters.get(id);
    if (!c) {
      const row = view.counters.get(id);
      if (!row) throw new Error(`counter ${id} was not locked`);
      c = { row, dUsed: 0, dReserved: 0, limit: row.limit, limitChanged: false };
      counters.set(id, c);
    }
    return c;
  };
  const ledger: LedgerRow[] = [];
  const answers: BatchWrites['answers'] = [];
  const newHolds: ReservationRow[] = [];
  const changed = new Map<string, ReservationRow>();
  const rateDirty = new Set<string>();
  const batchAnswers = new Map<string, UsageAnswer>();
  const batchHolds = new Map<string, ReservationRow>();
  const reservations = new Map([...view.reservations].map(([id, r]) => [id, { ...r }]));

  // Holds found expired give their amounts back before anything is decided.
  for (const r of view.reclaimed) giveBack(r);

  function giveBack(r: ReservationRow): void {
    for (const id of r.tokenCounterIds) counter(id).dReserved -= r.heldTokens;
    for (const id of r.callCounterIds) counter(id).dReserved -= 1;
  }

  const limitState = (c: Counter): LimitState => {
    const used = c.row.used + c.dUsed;
    const reserved = c.row.reserved + c.dReserved;
    const end = periodEnd(c.row.period, c.row.periodStart);
    return {
      limit: counterLimitName(c.row), modelId: c.row.modelId, period: c.row.period, periodEnd: end?.toISOString() ?? null,
      limitValue: c.limit, used, reserved, remaining: c.limit === null ? null : Math.max(0, c.limit - used - reserved),
    };
  };

  const exceeded = (c: Counter, requested: number): AppError => {
    const s = limitState(c);
    const retryAfterSeconds = s.periodEnd ? Math.max(1, Math.ceil((Date.parse(s.periodEnd) - now.getTime()) / 1000)) : null;
    return new AppError('QUOTA_EXCEEDED', `Over ${LIMIT_WORDS[s.limit]}: ${s.remaining} of ${s.limitValue} left until ${s.periodEnd ?? 'never'}, ${requested} asked`, {
      ...s, requested, retryAfterSeconds,
    });
  };

  const keyFor = (op: UsageOperation): KeyState | null => {
    const k = view.keys.get(op.apiKeyId);
    return k && k.organizationId === op.organizationId && apiKeyUsable(k, now) ? k : null;
  };

  /** The configured limit of a slot for this key, as of this batch (null = unlimited). */
  const configuredLimit = (slot: Slot, key: KeyState, op: AdmissionBase): number | null => {
    switch (slot.name) {
      case 'organization.monthlyTokens': return key.orgTokenQuota;
      case 'organization.monthlyApiCalls': return key.orgApiCallQuota;
      case 'apiKey.monthlyTokens': return key.maxTokens;
      case 'user.modelTokens': return op.model.userLimit ? Number(op.model.userLimit.amount) : null;
      default: return null;
    }
  };

  /** Checks the caller, user, realm and model of a usage or hold; null when all hold. */
  function admissionProblem(op: AdmissionBase, key: KeyState): AppError | null {
    if (op.namedUserId) {
      const u = view.users.get(op.namedUserId);
      if (!u || u.organizationId !== op.organizationId) return new AppError('INVALID', 'userId: no such user in this organization', { field: 'userId' });
      if (!u.usable) return new AppError('FORBIDDEN', 'This user is not active', { field: 'userId' });
    }
    if (op.realmId) {
      const r = view.realms.get(op.realmId);
      if (!r || r.organizationId !== op.organizationId || !r.isActive) return new AppError('INVALID', 'realmId: no such realm in this organization', { field: 'realmId' });
    }
    const list = usableModels(op.catalog, { userId: op.userId, userRules: op.userRules, allowedModelIds: key.allowedModelIds }, now);
    if (findUsableModel(list, op.modelRef)?.id !== op.model.id) {
      return new AppError('INVALID', `model: "${op.modelRef}" is not a model this key may use (see GET /models)`, { field: 'model' });
    }
    return null;
  }

  /** Admits one call on the key's per-minute window, or says when to retry. */
  function rateCheck(key: KeyState): { ok: true; commit: () => void } | { ok: false; error: AppError } {
    if (key.ratePerMinute === null) return { ok: true, commit: () => {} };
    const start = new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
    const w = view.rates.get(key.id);
    if (!w) throw new Error(`rate window of ${key.id} was not locked`);
    const current = w.windowStart.getTime() === start.getTime() ? w.requests : 0;
    if (current + 1 > key.ratePerMinute) {
      const end = new Date(start.getTime() + MINUTE_MS);
      return {
        ok: false,
        error: new AppError('RATE_LIMITED', `Over the API key's ${key.ratePerMinute} requests per minute; retry after ${end.toISOString()}`, {
          limit: 'apiKey.requestsPerMinute', period: 'MINUTE', periodEnd: end.toISOString(), limitValue: key.ratePerMinute, used: current, reserved: 0, remaining: 0,
          retryAfterSeconds: Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000)),
        }),
      };
    }
    return { ok: true, commit: () => { w.windowStart = start; w.requests = current + 1; rateDirty.add(key.id); } };
  }

  /** Checks every slot for `tokens` (calls count 1); on success moves used or reserved. */
  function admit(op: AdmissionBase, key: KeyState, tokens: number, into: 'used' | 'reserved'): AppError | LimitState[] {
    const planned = op.slots.map((slot) => {
      const id = view.slotIds.get(slot.key);
      if (!id) throw new Error(`slot ${slot.key} has no counter`);
      return { slot, c: counter(id), amount: slot.tokens ? tokens : 1, limit: configuredLimit(slot, key, op) };
    });
    for (const p of planned) {
      if (p.limit !== null && p.c.row.used + p.c.dUsed + p.c.row.reserved + p.c.dReserved + p.amount > p.limit) {
        p.c.limit = p.limit; // name the limit that applied, even if the counter had another stored
        return exceeded(p.c, p.amount);
      }
    }
    for (const p of planned) {
      if (into === 'used') p.c.dUsed += p.amount;
      else p.c.dReserved += p.amount;
      if (p.c.limit !== p.limit || p.c.row.limit !== p.limit) p.c.limitChanged = true;
      p.c.limit = p.limit;
    }
    return planned.map((p) => limitState(p.c));
  }

  const reservationAnswer = (r: ReservationRow, limits: LimitState[]): ReservationAnswer => ({
    id: r.id, status: r.status, modelId: r.modelId, heldTokens: r.heldTokens, expiresAt: r.expiresAt.toISOString(),
    usage: r.usageEventId ? { eventId: r.usageEventId, inputTokens: r.inputTokens ?? 0, outputTokens: r.outputTokens ?? 0, totalTokens: (r.inputTokens ?? 0) + (r.outputTokens ?? 0) } : null,
    limits,
  });
  const reservationLimits = (r: ReservationRow) => [...r.tokenCounterIds, ...r.callCounterIds].map((id) => limitState(counter(id)));

  const decideOne = (op: UsageOperation): Outcome<unknown> => {
    const key = keyFor(op);
    if (!key) return { ok: false, error: unauthenticated() };

    if (op.kind === 'usage') {
      const idem = orgKey(op.organizationId, op.idempotencyKey);
      const first = view.answers.get(idem) ?? batchAnswers.get(idem);
      if (first) return { ok: true, value: first, replayed: true };
      const problem = admissionProblem(op, key);
      if (problem) return { ok: false, error: problem };
      const rate = rateCheck(key);
      if (!rate.ok) return { ok: false, error: rate.error };
      const total = op.inputTokens + op.outputTokens;
      const limits = admit(op, key, total, 'used');
      if (limits instanceof AppError) return { ok: false, error: limits };
      rate.commit();
      const eventId = view.newId();
      ledger.push({
        id: eventId, occurredAt: now, organizationId: op.organizationId, userId: op.userId, apiKeyId: op.apiKeyId, realmId: op.realmId ?? key.realmId,
        modelId: op.model.id, idempotencyKey: op.idempotencyKey, inputTokens: op.inputTokens, outputTokens: op.outputTokens, metadata: op.metadata,
      });
      const answer: UsageAnswer = {
        eventId, occurredAt: now.toISOString(), model: { id: op.model.id, name: op.model.name, providerModelId: op.model.providerModelId },
        inputTokens: op.inputTokens, outputTokens: op.outputTokens, totalTokens: total, limits,
      };
      batchAnswers.set(idem, answer);
      answers.push({ organizationId: op.organizationId, idempotencyKey: op.idempotencyKey, eventId, answer });
      return { ok: true, value: answer, replayed: false };
    }

    if (op.kind === 'hold') {
      const idem = op.idempotencyKey ? orgKey(op.organizationId, op.idempotencyKey) : null;
      const first = idem ? view.holdsByKey.get(idem) ?? batchHolds.get(idem) : undefined;
      if (first) {
        const current = reservations.get(first.id) ?? first;
        return { ok: true, value: reservationAnswer(current, []), replayed: true };
      }
      const problem = admissionProblem(op, key);
      if (problem) return { ok: false, error: problem };
      const rate = rateCheck(key);
      if (!rate.ok) return { ok: false, error: rate.error };
      const limits = admit(op, key, op.estimatedTokens, 'reserved');
      if (limits instanceof AppError) return { ok: false, error: limits };
      rate.commit();
      const ids = (tokens: boolean) => op.slots.filter((s) => s.tokens === tokens).map((s) => view.slotIds.get(s.key)!);
      const hold: ReservationRow = {
        organizationId: op.organizationId, id: view.newId(), apiKeyId: op.apiKeyId, userId: op.userId, realmId: op.realmId ?? key.realmId, modelId: op.model.id,
        idempotencyKey: op.idempotencyKey, status: 'HELD', heldTokens: op.model.isFree ? 0 : op.estimatedTokens,
        tokenCounterIds: ids(true), callCounterIds: ids(false), expiresAt: new Date(now.getTime() + view.reservationTtlMs),
        inputTokens: null, outputTokens: null, usageEventId: null,
      };
      newHolds.push(hold);
      reservations.set(hold.id, hold);
      if (idem) batchHolds.set(idem, hold);
      return { ok: true, value: reservationAnswer(hold, limits), replayed: false };
    }

    // extend, settle, release: the reservation must be this organization's.
    const r = reservations.get(op.reservationId);
    if (!r || r.organizationId !== op.organizationId) return { ok: false, error: new AppError('NOT_FOUND', 'Reservation not found') };
    if (r.status === 'HELD' && r.expiresAt.getTime() <= now.getTime()) {
      giveBack(r);
      r.status = 'EXPIRED';
      changed.set(r.id, r);
    }
    const conflict = (why: string) => ({ ok: false as const, error: new AppError('CONFLICT', why, { reservationId: r.id, status: r.status }) });

    if (op.kind === 'extend') {
      if (r.status !== 'HELD') return conflict(`This reservation is ${r.status.toLowerCase()}; hold a new one`);
      for (const id of r.tokenCounterIds) {
        const c = counter(id);
        if (c.limit !== null && c.row.used + c.dUsed + c.row.reserved + c.dReserved + op.additionalTokens > c.limit) return { ok: false, error: exceeded(c, op.additionalTokens) };
      }
      for (const id of r.tokenCounterIds) counter(id).dReserved += op.additionalTokens;
      if (r.tokenCounterIds.length) r.heldTokens += op.additionalTokens;
      r.expiresAt = new Date(now.getTime() + view.reservationTtlMs);
      changed.set(r.id, r);
      return { ok: true, value: reservationAnswer(r, reservationLimits(r)), replayed: false };
    }

    if (op.kind === 'settle') {
      if (r.status === 'SETTLED') return { ok: true, value: reservationAnswer(r, []), replayed: true };
      if (r.status === 'RELEASED') return conflict('This reservation was released; record the usage with POST /usage');
      // HELD: the hold is replaced by the real amount; EXPIRED: the hold was given back, the usage still happened.
      if (r.status === 'HELD') giveBack(r);
      const total = op.inputTokens + op.outputTokens;
      for (const id of r.tokenCounterIds) counter(id).dUsed += total;
      for (const id of r.callCounterIds) counter(id).dUsed += 1;
      const eventId = view.newId();
      ledger.push({
        id: eventId, occurredAt: now, organizationId: r.organizationId, userId: r.userId, apiKeyId: r.apiKeyId, realmId: r.realmId, modelId: r.modelId,
        idempotencyKey: null, inputTokens: op.inputTokens, outputTokens: op.outputTokens, metadata: { ...op.metadata, reservationId: r.id },
      });
      Object.assign(r, { status: 'SETTLED', inputTokens: op.inputTokens, outputTokens: op.outputTokens, usageEventId: eventId });
      changed.set(r.id, r);
      return { ok: true, value: reservationAnswer(r, reservationLimits(r)), replayed: false };
    }

    // release
    if (r.status === 'RELEASED' || r.status === 'EXPIRED') return { ok: true, value: reservationAnswer(r, []), replayed: r.status === 'RELEASED' };
    if (r.status === 'SETTLED') return conflict('This reservation was already settled');
    giveBack(r);
    r.status = 'RELEASED';
    changed.set(r.id, r);
    return { ok: true, value: reservationAnswer(r, reservationLimits(r)), replayed: false };
  };

  const outcomes = ops.map(decideOne);
  for (const h of newHolds) changed.delete(h.id); // inserted with their final state

  const refusals = new Map<string, BatchWrites['refusals'][number]>();
  const day = now.toISOString().slice(0, 10);
  outcomes.forEach((o, i) => {
    if (o.ok || !(o.error instanceof AppError) || (o.error.code !== 'QUOTA_EXCEEDED' && o.error.code !== 'RATE_LIMITED')) return;
    const code = (o.error.details as { limit?: LimitName } | undefined)?.limit;
    if (!code) return;
    const organizationId = ops[i]!.organizationId;
    const k = `${organizationId}|${code}`;
    const r = refusals.get(k) ?? { organizationId, day, code, count: 0 };
    r.count++;
    refusals.set(k, r);
  });

  return {
    outcomes,
    writes: {
      counters: [...counters.values()]
        .filter((c) => c.dUsed !== 0 || c.dReserved !== 0 || c.limitChanged)
        .map((c) => ({ organizationId: c.row.organizationId, id: c.row.id, dUsed: c.dUsed, dReserved: c.dReserved, limit: c.limit, setLimit: c.limitChanged })),
      rates: [...rateDirty].map((id) => view.rates.get(id)!),
      answers,
      ledger,
      newHolds,
      changedReservations: [...changed.values()],
      refusals: [...refusals.values()],
    },
  };
}
