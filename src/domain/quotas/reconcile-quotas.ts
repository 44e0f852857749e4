import { Prisma, type PrismaClient, type QuotaMetric, type QuotaPeriod, type QuotaSubject } from '@prisma/client';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import { asSystem } from '../seed/system-transaction.js';
import type { Tx } from '../shared/actor-transaction.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { periodStart } from './period.js';

/**
 * Counters against the ledger. Every slot quota-definitions.ts defines has a
 * ledger sum for each of its periods:
 *   organization  TOKENS (total_tokens) and API_CALLS (requests), MONTHLY;
 *                 DOCUMENTS (rows) and STORAGE_BYTES (size_bytes) of its documents, LIFETIME
 *   user          TOKENS per model, in the model's limit period (MONTHLY when none)
 *   API key       TOKENS and REQUESTS, MONTHLY
 * A counter reset (last_reset_at) starts its sum afresh from that instant.
 * Reservations are held apart (reserved) and are not compared.
 */
export interface QuotaDifference {
  /** null = no counter row for a slot the ledger has usage in */
  counterId: string | null;
  organizationId: string;
  subjectType: QuotaSubject;
  subjectId: string;
  modelId: string | null;
  metric: QuotaMetric;
  period: QuotaPeriod;
  periodStart: Date;
  counted: bigint;
  ledger: bigint;
  limit: bigint | null;
}

export interface ReconcileResult {
  /** Counters compared (rows that exist) plus slots with usage but no row. */
  checked: number;
  differences: QuotaDifference[];
  /** With fix: how many were repaired (a counter moved meanwhile is left and reported). */
  repaired: number;
}

export interface ReconcileOptions {
  fix?: boolean;
  now?: Date;
  /** Missing slots are looked for in periods from the one containing `from` (default: the current ones). */
  from?: Date;
  /** Only these organizations (default: all). */
  organizationIds?: string[];
}

type SlotRow = {
  counter_id: string | null;
  organization_id: string;
  subject_type: QuotaSubject;
  subject_id: string;
  model_id: string | null;
  metric: QuotaMetric;
  period: QuotaPeriod;
  period_start: Date;
  counted: bigint;
  ledger: bigint;
  limit_value: bigint | null;
};

// A period's start and end for a timestamp, calendar-aligned in UTC like period.ts.
const startOf = (period: Prisma.Sql, ts: Prisma.Sql) =>
  Prisma.sql`(CASE ${period} WHEN 'DAILY' THEN date_trunc('day', ${ts} AT TIME ZONE 'UTC') WHEN 'WEEKLY' THEN date_trunc('week', ${ts} AT TIME ZONE 'UTC')
    WHEN 'MONTHLY' THEN date_trunc('month', ${ts} AT TIME ZONE 'UTC') ELSE timestamp '1970-01-01' END AT TIME ZONE 'UTC')`;
const endOf = (period: Prisma.Sql, start: Prisma.Sql) =>
  Prisma.sql`(CASE ${period} WHEN 'DAILY' THEN ((${start} AT TIME ZONE 'UTC') + interval '1 day') WHEN 'WEEKLY' THEN ((${start} AT TIME ZONE 'UTC') + interval '7 days')
    WHEN 'MONTHLY' THEN ((${start} AT TIME ZONE 'UTC') + interval '1 month') ELSE timestamp 'infinity' END AT TIME ZONE 'UTC')`;

const orgFilter = (column: Prisma.Sql, ids?: string[]) => (ids ? Prisma.sql`${column} = ANY(${ids}::uuid[])` : Prisma.sql`TRUE`);

/** Every existing counter with its ledger sum for its own period (since its last reset). */
function existingCounters(tx: Tx, ids?: string[]): Promise<SlotRow[]> {
  return tx.$queryRaw<SlotRow[]>`
    SELECT c.id AS counter_id, c.organization_id, c.subject_type, c.subject_id, c.model_id, c.metric, c.period, c.period_start,
           c.used AS counted, c.limit_value,
           CASE WHEN c.metric IN ('DOCUMENTS', 'STORAGE_BYTES') THEN d.v ELSE u.v END AS ledger
      FROM quota_counters c
      LEFT JOIN LATERAL (
        SELECT COALESCE(SUM(CASE WHEN c.metric = 'TOKENS' THEN e.total_tokens ELSE e.requests END), 0)::bigint AS v
          FROM usage_events e
         WHERE e.organization_id = c.organization_id
           AND e.occurred_at >= GREATEST(c.period_start, COALESCE(c.last_reset_at, c.period_start))
           AND e.occurred_at < ${endOf(Prisma.sql`c.period::text`, Prisma.sql`c.period_start`)}
           AND (c.model_id IS NULL OR e.model_id = c.model_id)
           AND (c.subject_type <> 'USER' OR e.user_id = c.subject_id)
           AND (c.subject_type <> 'API_KEY' OR e.api_key_id = c.subject_id)
      ) u ON c.metric IN ('TOKENS', 'REQUESTS', 'API_CALLS')
      LEFT JOIN LATERAL (
        SELECT (CASE WHEN c.metric = 'DOCUMENTS' THEN count(*) ELSE COALESCE(SUM(x.size_bytes), 0) END)::bigint AS v
          FROM documents x
         WHERE x.organization_id = c.organization_id AND (c.subject_type <> 'USER' OR x.user_id = c.subject_id)
           AND (c.model_id IS NULL)
      ) d ON c.metric IN ('DOCUMENTS', 'STORAGE_BYTES')
     WHERE ${orgFilter(Prisma.sql`c.organization_id`, ids)}`;
}

/** The slots the definitions give, per period from the one containing `from`, with usage in the ledger and no counter row. */
function missingSlots(tx: Tx, from: Date, ids?: string[]): Promise<SlotRow[]> {
  const monthFrom = periodStart('MONTHLY', from);
  const userPeriod = Prisma.sql`COALESCE(m.token_limit_period::text, 'MONTHLY')`;
  return tx.$queryRaw<SlotRow[]>`
    WITH slots AS (
      SELECT e.organization_id, 'ORGANIZATION' AS subject_type, e.organization_id AS subject_id, NULL::uuid AS model_id, k.metric, 'MONTHLY' AS period,
             ${startOf(Prisma.sql`'MONTHLY'`, Prisma.sql`e.occurred_at`)} AS period_start,
             SUM(CASE WHEN k.metric = 'TOKENS' THEN e.total_tokens ELSE e.requests END)::bigint AS ledger,
             (CASE WHEN k.metric = 'TOKENS' THEN o.monthly_token_quota ELSE o.monthly_api_call_quota::bigint END) AS limit_value
        FROM usage_events e JOIN organizations o ON o.id = e.organization_id
        CROSS JOIN (VALUES ('TOKENS'), ('API_CALLS')) AS k(metric)
       WHERE e.occurred_at >= ${monthFrom}::timestamptz AND ${orgFilter(Prisma.sql`e.organization_id`, ids)}
       GROUP BY 1, 3, 5, 7, 9
      UNION ALL
      SELECT e.organization_id, 'API_KEY', e.api_key_id, NULL::uuid, k.metric, 'MONTHLY',
             ${startOf(Prisma.sql`'MONTHLY'`, Prisma.sql`e.occurred_at`)},
             SUM(CASE WHEN k.metric = 'TOKENS' THEN e.total_tokens ELSE e.requests END)::bigint, NULL::bigint
        FROM usage_events e CROSS JOIN (VALUES ('TOKENS'), ('REQUESTS')) AS k(metric)
       WHERE e.api_key_id IS NOT NULL AND e.occurred_at >= ${monthFrom}::timestamptz AND ${orgFilter(Prisma.sql`e.organization_id`, ids)}
       GROUP BY 1, 3, 5, 7
      UNION ALL
      SELECT e.organization_id, 'USER', e.user_id, e.model_id, 'TOKENS', ${userPeriod},
             ${startOf(userPeriod, Prisma.sql`e.occurred_at`)},
             SUM(e.total_tokens)::bigint,
             MIN(COALESCE(uml.token_limit, oma.token_limit_per_user, CASE WHEN m.is_free THEN NULL ELSE m.token_limit_amount END))::bigint
        FROM usage_events e JOIN ai_models m ON m.id = e.model_id
        LEFT JOIN organization_model_access oma ON oma.organization_id = e.organization_id AND oma.model_id = e.model_id
        LEFT JOIN user_model_limits uml ON uml.user_id = e.user_id AND uml.model_id = e.model_id
       WHERE e.user_id IS NOT NULL AND e.occurred_at >= ${startOf(userPeriod, Prisma.sql`${from}::timestamptz`)} AND ${orgFilter(Prisma.sql`e.organization_id`, ids)}
       GROUP BY 1, 3, 4, 6, 7
      UNION ALL
      SELECT x.organization_id, 'ORGANIZATION', x.organization_id, NULL::uuid, k.metric, 'LIFETIME', timestamptz '1970-01-01 00:00:00+00',
             (CASE WHEN k.metric = 'DOCUMENTS' THEN count(*) ELSE COALESCE(SUM(x.size_bytes), 0) END)::bigint,
             MIN(CASE WHEN k.metric = 'DOCUMENTS' THEN o.document_quota::bigint ELSE o.storage_quota_bytes END)
        FROM documents x JOIN organizations o ON o.id = x.organization_id CROSS JOIN (VALUES ('DOCUMENTS'), ('STORAGE_BYTES')) AS k(metric)
       WHERE ${orgFilter(Prisma.sql`x.organization_id`, ids)}
       GROUP BY 1, 3, 5
    )
    SELECT NULL::uuid AS counter_id, s.organization_id, s.subject_type::"QuotaSubject" AS subject_type, s.subject_id, s.model_id,
           s.metric::"QuotaMetric" AS metric, s.period::"QuotaPeriod" AS period, s.period_start, 0::bigint AS counted, s.ledger, s.limit_value
      FROM slots s
     WHERE s.ledger > 0
       AND NOT EXISTS (
         SELECT 1 FROM quota_counters c
          WHERE c.subject_type = s.subject_type::"QuotaSubject" AND c.subject_id = s.subject_id AND c.metric = s.metric::"QuotaMetric"
            AND c.model_id IS NOT DISTINCT FROM s.model_id AND c.period_start = s.period_start)`;
}

/**
 * Builds the counters of every slot and period from `from` on out of the
 * ledger, in the caller's transaction: the seed uses it so the demo's counters
 * and ledger agree from the first start. Existing counters are set to the
 * ledger's sum too. Returns how many rows were written.
 */
export async function buildCountersFromLedger(tx: Tx, options: { from: Date; organizationIds?: string[] }): Promise<number> {
  const existing = (await existingCounters(tx, options.organizationIds)).filter((r) => r.counted !== r.ledger);
  const missing = await missingSlots(tx, options.from, options.organizationIds);
  for (const r of existing) await repairCounter(tx, r);
  await insertCounters(tx, missing);
  return existing.length + missing.length;
}

/**
 * Compares every counter (and every slot with usage but no counter) with the
 * ledger's sum for its period; with `fix`, sets each differing counter to that
 * sum by a conditional UPDATE (or creates the missing row), one audit row per
 * repair, all in one transaction. Only system actors and superadmins.
 */
export async function reconcileQuotas(db: PrismaClient, actor: Actor, options: ReconcileOptions = {}, meta: RequestMeta = {}): Promise<ReconcileResult> {
  if (!(actor.kind === 'system' || (actor.kind === 'user' && actor.role === 'SUPERADMIN'))) throw new AppError('FORBIDDEN', 'Only platform staff may reconcile quota counters');
  const now = options.now ?? new Date();
  return asSystem(
    db,
    async (tx) => {
      const existing = await existingCounters(tx, options.organizationIds);
      const missing = await missingSlots(tx, options.from ?? now, options.organizationIds);
      const differences = [...existing.filter((r) => r.counted !== r.ledger), ...missing].map(toDifference);
      let repaired = 0;
      if (options.fix) {
        for (const r of existing) {
          if (r.counted === r.ledger) continue;
          if (!(await repairCounter(tx, r))) continue;
          repaired++;
          await recordAudit(tx, actor, audit(r, r.counter_id!), meta);
        }
        const created = await insertCounters(tx, missing);
        for (const r of created) {
          repaired++;
          await recordAudit(tx, actor, audit(r, r.counter_id!), meta);
        }
      }
      return { checked: existing.length + missing.length, differences, repaired };
    },
    { timeout: 300_000, maxWait: 30_000 },
  );
}

function toDifference(r: SlotRow): QuotaDifference {
  return {
    counterId: r.counter_id,
    organizationId: r.organization_id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    modelId: r.model_id,
    metric: r.metric,
    period: r.period,
    periodStart: r.period_start,
    counted: r.counted,
    ledger: r.ledger,
    limit: r.limit_value,
  };
}

function audit(r: SlotRow, counterId: string) {
  return {
    action: 'quota.reconcile',
    resource: 'QuotaCounter',
    recordId: counterId,
    organizationId: r.organization_id,
    before: { used: r.counter_id ? r.counted : null },
    after: { used: r.ledger, subjectType: r.subject_type, subjectId: r.subject_id, metric: r.metric, modelId: r.model_id, periodStart: r.period_start.toISOString() },
  };
}

/** One conditional UPDATE: only if the counter still holds what was compared (a concurrent use is left alone, and shows at the next run). */
async function repairCounter(tx: Tx, r: SlotRow): Promise<boolean> {
  const n = await tx.$executeRaw`UPDATE quota_counters SET used = ${r.ledger}::bigint, updated_at = now() WHERE id = ${r.counter_id}::uuid AND used = ${r.counted}::bigint`;
  return n === 1;
}

/** Creates the missing rows in one statement; a row another writer created meanwhile is skipped. Returns the rows created, with their ids. */
async function insertCounters(tx: Tx, rows: SlotRow[]): Promise<SlotRow[]> {
  if (!rows.length) return [];
  const col = <K extends keyof SlotRow>(k: K) => rows.map((r) => (r[k] === null ? null : String(r[k] instanceof Date ? (r[k] as Date).toISOString() : r[k])));
  const created = await tx.$queryRaw<{ id: string; subject_type: QuotaSubject; subject_id: string; metric: QuotaMetric; model_id: string | null; period_start: Date }[]>`
    INSERT INTO quota_counters (organization_id, subject_type, subject_id, model_id, metric, period, period_start, limit_value, used)
    SELECT * FROM unnest(${col('organization_id')}::uuid[], ${col('subject_type')}::"QuotaSubject"[], ${col('subject_id')}::uuid[], ${col('model_id')}::uuid[],
      ${col('metric')}::"QuotaMetric"[], ${col('period')}::"QuotaPeriod"[], ${col('period_start')}::timestamptz[], ${col('limit_value')}::bigint[], ${col('ledger')}::bigint[])
    ON CONFLICT DO NOTHING
    RETURNING id, subject_type, subject_id, metric, model_id, period_start`;
  const key = (r: { subject_type: string; subject_id: string; metric: string; model_id: string | null; period_start: Date }) =>
    [r.subject_type, r.subject_id, r.metric, r.model_id ?? '', r.period_start.toISOString()].join('|');
  const byKey = new Map(rows.map((r) => [key(r), r]));
  return created.map((c) => ({ ...byKey.get(key(c))!, counter_id: c.id }));
}
