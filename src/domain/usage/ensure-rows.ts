import type pg from 'pg';
import type { Slot } from './usage-ops.js';
import { slotKey } from './usage-slots.js';

/**
 * Creates the counter rows a batch will lock, in a short transaction of its
 * own before the batch begins: an INSERT waits for a concurrent INSERT of the
 * same slot, so inside the batch (which holds other rows) it could deadlock.
 * Rows go in slot order, so two of these never wait on each other in a cycle.
 * Returns the ids of every given slot.
 */
export async function ensureCounters(c: Pick<pg.PoolClient, 'query'>, slots: Slot[]): Promise<Map<string, string>> {
  const byKey = new Map(slots.map((s) => [s.key, s]));
  const list = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const ids = new Map<string, string>();
  if (!list.length) return ids;
  const cols = [
    list.map((s) => s.organizationId), list.map((s) => s.subjectType), list.map((s) => s.subjectId), list.map((s) => s.modelId),
    list.map((s) => s.metric), list.map((s) => s.period), list.map((s) => s.periodStart),
  ];
  await c.query(`
    INSERT INTO quota_counters (organization_id, subject_type, subject_id, model_id, metric, period, period_start)
    SELECT * FROM unnest($1::uuid[], $2::"QuotaSubject"[], $3::uuid[], $4::uuid[], $5::"QuotaMetric"[], $6::"QuotaPeriod"[], $7::timestamptz[])
    ON CONFLICT DO NOTHING`, cols);
  const { rows } = await c.query<{ id: string; subject_type: Slot['subjectType']; subject_id: string; metric: Slot['metric']; model_id: string | null; period_start: Date }>(`
    SELECT q.id, q.subject_type::text AS subject_type, q.subject_id, q.metric::text AS metric, q.model_id, q.period_start
      FROM quota_counters q
      JOIN unnest($1::"QuotaSubject"[], $2::uuid[], $3::"QuotaMetric"[], $4::timestamptz[]) AS v(st, sid, m, ps)
        ON q.subject_type = v.st AND q.subject_id = v.sid AND q.metric = v.m AND q.period_start = v.ps`,
  [cols[1], cols[2], cols[4], cols[6]]);
  for (const r of rows) {
    const k = slotKey({ subjectType: r.subject_type, subjectId: r.subject_id, metric: r.metric, modelId: r.model_id, periodStart: r.period_start });
    if (byKey.has(k)) ids.set(k, r.id);
  }
  return ids;
}

/** Creates the per-minute window rows of these keys (same reasoning as ensureCounters). */
export async function ensureRateWindows(c: Pick<pg.PoolClient, 'query'>, keys: { organizationId: string; apiKeyId: string }[]): Promise<void> {
  if (!keys.length) return;
  const list = [...new Map(keys.map((k) => [k.apiKeyId, k])).values()].sort((a, b) => (a.apiKeyId < b.apiKeyId ? -1 : 1));
  await c.query(`
    INSERT INTO api_key_rate_windows (organization_id, api_key_id, window_start, requests)
    SELECT o, k, 'epoch', 0 FROM unnest($1::uuid[], $2::uuid[]) AS v(o, k)
    ON CONFLICT DO NOTHING`, [list.map((k) => k.organizationId), list.map((k) => k.apiKeyId)]);
}
