import type pg from 'pg';
import { inlineParams } from '../../db/inline-params.js';
import type { Slot } from './usage-ops.js';
import { slotKey } from './usage-slots.js';

/**
 * Creates the counter rows and per-minute windows a batch will lock, before
 * the batch begins, in one message (one implicit transaction): an INSERT waits
 * for a concurrent INSERT of the same row, so inside the batch (which holds
 * other rows) it could deadlock. Rows go in key order, so two of these never
 * wait on each other in a cycle. When `partitionsFrom` is given, the ledger's
 * partitions for that month and the next are made sure of in the same message
 * (near a month's end; see ensurePartitionAhead). Returns the counter ids of
 * every given slot, by slot key.
 */
export async function ensureRows(
  c: Pick<pg.PoolClient, 'query'>,
  slots: Slot[],
  keys: { organizationId: string; apiKeyId: string }[],
  partitionsFrom: string | null = null,
): Promise<Map<string, string>> {
  const byKey = new Map(slots.map((s) => [s.key, s]));
  const list = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const windows = [...new Map(keys.map((k) => [k.apiKeyId, k])).values()].sort((a, b) => (a.apiKeyId < b.apiKeyId ? -1 : 1));
  const statements: string[] = [];
  if (partitionsFrom) statements.push(inlineParams('SELECT rg_ensure_usage_partitions($1::date, 2)', [partitionsFrom]));
  if (list.length) {
    const cols = [
      list.map((s) => s.organizationId), list.map((s) => s.subjectType), list.map((s) => s.subjectId), list.map((s) => s.modelId),
      list.map((s) => s.metric), list.map((s) => s.period), list.map((s) => s.periodStart),
    ];
    const v = `unnest($1::uuid[], $2::"QuotaSubject"[], $3::uuid[], $4::uuid[], $5::"QuotaMetric"[], $6::"QuotaPeriod"[], $7::timestamptz[])`;
    statements.push(inlineParams(`
      INSERT INTO quota_counters (organization_id, subject_type, subject_id, model_id, metric, period, period_start)
      SELECT * FROM ${v} ON CONFLICT DO NOTHING`, cols));
    // Matched on the whole slot key, led by organization_id: the slot index answers it.
    statements.push(inlineParams(`
      SELECT q.id, q.organization_id, q.subject_type::text AS subject_type, q.subject_id, q.metric::text AS metric, q.model_id, q.period_start
        FROM quota_counters q JOIN ${v} AS v(org, st, sid, model, m, per, ps)
          ON q.organization_id = v.org AND q.subject_type = v.st AND q.subject_id = v.sid AND q.metric = v.m
         AND q.model_id IS NOT DISTINCT FROM v.model AND q.period = v.per AND q.period_start = v.ps`, cols));
  }
  if (windows.length) {
    statements.push(inlineParams(`
      INSERT INTO api_key_rate_windows (organization_id, api_key_id, window_start, requests)
      SELECT o, k, 'epoch', 0 FROM unnest($1::uuid[], $2::uuid[]) AS v(o, k)
      ON CONFLICT DO NOTHING`, [windows.map((k) => k.organizationId), windows.map((k) => k.apiKeyId)]));
  }
  const ids = new Map<string, string>();
  if (!statements.length) return ids;
  const out = (await c.query(statements.join(';'))) as unknown as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(out) ? out : [out];
  if (!list.length) return ids;
  const selected = results[(partitionsFrom ? 1 : 0) + 1]!.rows as { id: string; subject_type: Slot['subjectType']; subject_id: string; metric: Slot['metric']; model_id: string | null; period_start: Date }[];
  for (const r of selected) {
    const k = slotKey({ subjectType: r.subject_type, subjectId: r.subject_id, metric: r.metric, modelId: r.model_id, periodStart: r.period_start });
    if (byKey.has(k)) ids.set(k, r.id);
  }
  return ids;
}
