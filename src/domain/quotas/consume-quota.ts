import { Prisma, type QuotaMetric, type QuotaPeriod, type QuotaSubject } from '@prisma/client';
import type { Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { periodStart } from './period.js';

/** One counter slot: whose usage, of what, for which model, in which period. */
export interface QuotaSlot {
  organizationId: string;
  subjectType: QuotaSubject;
  subjectId: string;
  metric: QuotaMetric;
  /** null = all models */
  modelId?: string | null;
  period: QuotaPeriod;
  /**
   * The limit as configured now (null = unlimited). When given it is written to
   * the counter and checked; when omitted the counter's stored limit applies.
   */
  limit?: bigint | number | null;
}

export interface ConsumedQuota {
  counterId: string;
  used: bigint;
  reserved: bigint;
  limit: bigint | null;
  /** The counter's reset generation this consumption landed in. */
  generation: number;
  periodStart: Date;
}

type Row = { id: string; used: bigint; reserved: bigint; limit_value: bigint | null; generation: number; period_start: Date };

const toAmount = (amount: bigint | number): bigint => {
  if (typeof amount === 'number' && !Number.isSafeInteger(amount)) throw new AppError('INVALID', 'amount must be an integer');
  const n = BigInt(amount);
  if (n <= 0n) throw new AppError('INVALID', 'amount must be positive');
  return n;
};

function slotWhere(slot: QuotaSlot, start: Date): Prisma.Sql {
  const model = slot.modelId ? Prisma.sql`model_id = ${slot.modelId}::uuid` : Prisma.sql`model_id IS NULL`;
  return Prisma.sql`subject_type = ${slot.subjectType}::"QuotaSubject" AND subject_id = ${slot.subjectId}::uuid
    AND metric = ${slot.metric}::"QuotaMetric" AND ${model} AND period = ${slot.period}::"QuotaPeriod" AND period_start = ${start}::timestamptz`;
}

/** The single conditional UPDATE that moves a counter; no row back = over the limit (or no row yet). */
function tryConsume(tx: Tx, slot: QuotaSlot, start: Date, n: bigint): Promise<Row[]> {
  const applyLimit = slot.limit !== undefined;
  const limit = slot.limit === undefined || slot.limit === null ? null : BigInt(slot.limit);
  const effective = Prisma.sql`(CASE WHEN ${applyLimit}::boolean THEN ${limit}::bigint ELSE limit_value END)`;
  return tx.$queryRaw<Row[]>`
    UPDATE quota_counters
       SET used = used + ${n}::bigint, limit_value = ${effective}, updated_at = now()
     WHERE ${slotWhere(slot, start)}
       AND (${effective} IS NULL OR used + reserved + ${n}::bigint <= ${effective})
    RETURNING id, used, reserved, limit_value, generation, period_start`;
}

/**
 * Adds `amount` to the slot's counter for the period containing `now`, never
 * past its limit: one conditional UPDATE decides, so concurrent consumers can
 * never overspend. A period's first use creates its row exactly once (INSERT
 * ... ON CONFLICT DO NOTHING): rollover needs no job. Throws QUOTA_EXCEEDED.
 */
export async function consumeQuota(tx: Tx, slot: QuotaSlot, amount: bigint | number, options: { now?: Date } = {}): Promise<ConsumedQuota> {
  const n = toAmount(amount);
  const start = periodStart(slot.period, options.now ?? new Date());
  // The row exists for all but the first use of a period: try the UPDATE first.
  let rows = await tryConsume(tx, slot, start, n);
  if (!rows.length) {
    const limit = slot.limit === undefined || slot.limit === null ? null : BigInt(slot.limit);
    await tx.$executeRaw`
      INSERT INTO quota_counters (organization_id, subject_type, subject_id, model_id, metric, period, period_start, limit_value)
      VALUES (${slot.organizationId}::uuid, ${slot.subjectType}::"QuotaSubject", ${slot.subjectId}::uuid, ${slot.modelId ?? null}::uuid,
              ${slot.metric}::"QuotaMetric", ${slot.period}::"QuotaPeriod", ${start}::timestamptz, ${limit}::bigint)
      ON CONFLICT DO NOTHING`;
    rows = await tryConsume(tx, slot, start, n);
  }
  const row = rows[0];
  if (!row) {
    throw new AppError('QUOTA_EXCEEDED', `${slot.metric.toLowerCase()} quota exceeded`, {
      subjectType: slot.subjectType,
      subjectId: slot.subjectId,
      metric: slot.metric,
      modelId: slot.modelId ?? null,
      periodStart: start.toISOString(),
    });
  }
  return { counterId: row.id, used: row.used, reserved: row.reserved, limit: row.limit_value, generation: row.generation, periodStart: row.period_start };
}

// The order resets lock rows in (reset-quota.ts: ORDER BY subject_type, subject_id,
// metric, model_id NULLS LAST): enums by declaration order, uuids as lowercase hex.
const SUBJECT_ORDER: QuotaSubject[] = ['ORGANIZATION', 'USER', 'API_KEY'];
const METRIC_ORDER: QuotaMetric[] = ['TOKENS', 'REQUESTS', 'API_CALLS', 'DOCUMENTS', 'STORAGE_BYTES'];
function lockOrder(a: QuotaSlot, b: QuotaSlot): number {
  const parts = (s: QuotaSlot) => [SUBJECT_ORDER.indexOf(s.subjectType), s.subjectId.toLowerCase(), METRIC_ORDER.indexOf(s.metric), s.modelId?.toLowerCase() ?? '\uffff'] as const;
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/**
 * Consumes `amount` from every slot or from none: the first slot over its limit
 * throws QUOTA_EXCEEDED and the caller's transaction rolls the others back.
 * Rows are locked in the same order as bulk resets lock them, so neither
 * another consumer nor a reset can deadlock with this one.
 */
export async function consumeQuotas(tx: Tx, slots: QuotaSlot[], amount: bigint | number, options: { now?: Date } = {}): Promise<ConsumedQuota[]> {
  const order = slots.map((_, i) => i).sort((a, b) => lockOrder(slots[a]!, slots[b]!));
  const out = new Array<ConsumedQuota>(slots.length);
  for (const i of order) out[i] = await consumeQuota(tx, slots[i]!, amount, options);
  return out; // in the caller's order
}
