import type { Tx } from '../shared/actor-transaction.js';

/** What the dashboard groups refusals by: the limit that said no. */
export type RefusalCode = string;

/**
 * Counts refused requests (429) for the dashboard: one UPSERT per
 * (organization, day, code) per call, so a batch adds its refusals at once.
 * Runs in the caller's transaction (the hot path's batch), under its tenant.
 */
export async function recordRefusal(tx: Tx, input: { organizationId: string; code: RefusalCode; count?: number; at?: Date }): Promise<void> {
  const count = input.count ?? 1;
  if (count <= 0) return;
  const day = (input.at ?? new Date()).toISOString().slice(0, 10);
  await tx.$executeRaw`
    INSERT INTO usage_refusals (organization_id, day, code, count, updated_at)
    VALUES (${input.organizationId}::uuid, ${day}::date, ${input.code.slice(0, 60)}, ${count}, now())
    ON CONFLICT (organization_id, day, code) DO UPDATE SET count = usage_refusals.count + EXCLUDED.count, updated_at = now()`;
}
