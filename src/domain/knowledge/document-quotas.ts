import type { Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { consumeQuota, type QuotaSlot } from '../quotas/consume-quota.js';
import { periodStart } from '../quotas/period.js';

type Row = Record<string, unknown>;

const toBig = (v: unknown): bigint => (typeof v === 'bigint' ? v : typeof v === 'number' || typeof v === 'string' ? BigInt(v) : 0n);

async function slotsOf(tx: Tx, organizationId: string): Promise<{ documents: QuotaSlot; storage: QuotaSlot }> {
  const org = await tx.organization.findUnique({ where: { id: organizationId }, select: { documentQuota: true, storageQuotaBytes: true } });
  if (!org) throw new AppError('NOT_FOUND', 'Organization not found');
  const base = { organizationId, subjectType: 'ORGANIZATION' as const, subjectId: organizationId, period: 'LIFETIME' as const, modelId: null };
  return {
    documents: { ...base, metric: 'DOCUMENTS', limit: org.documentQuota === null ? null : BigInt(org.documentQuota) },
    storage: { ...base, metric: 'STORAGE_BYTES', limit: org.storageQuotaBytes },
  };
}

/**
 * A new or grown document counts against its organization's documents and
 * storage quotas (seed 004), in the write's transaction by the counters'
 * conditional UPDATE: over either limit is QUOTA_EXCEEDED and nothing is written.
 */
export async function chargeDocumentQuotas(tx: Tx, data: Row, current: Row | null): Promise<void> {
  const organizationId = String(data.organizationId ?? current?.organizationId ?? '');
  if (!organizationId) return;
  const slots = await slotsOf(tx, organizationId);
  const limitName = { DOCUMENTS: 'organization-documents', STORAGE_BYTES: 'organization-storage-bytes' } as const;
  const charge = async (slot: QuotaSlot, amount: bigint) => {
    if (amount <= 0n) return;
    try {
      await consumeQuota(tx, slot, amount);
    } catch (e) {
      if (e instanceof AppError && e.code === 'QUOTA_EXCEEDED') {
        throw new AppError('QUOTA_EXCEEDED', `The organization's ${slot.metric === 'DOCUMENTS' ? 'document' : 'storage'} quota is used up`, {
          ...e.details,
          limit: limitName[slot.metric as 'DOCUMENTS' | 'STORAGE_BYTES'],
          limitValue: slot.limit?.toString() ?? null,
        });
      }
      throw e;
    }
  };
  // Fixed order (documents, then storage), the order resets lock counters in.
  if (!current) await charge(slots.documents, 1n);
  const grown = toBig(data.sizeBytes ?? current?.sizeBytes) - toBig(current?.sizeBytes ?? 0n);
  await charge(slots.storage, grown);
}

/** A deleted document gives back its count and bytes (never below zero). */
export async function releaseDocumentQuotas(tx: Tx, row: Row): Promise<void> {
  const organizationId = String(row.organizationId);
  const start = periodStart('LIFETIME');
  const give = (metric: 'DOCUMENTS' | 'STORAGE_BYTES', amount: bigint) =>
    amount > 0n
      ? tx.$executeRaw`
          UPDATE quota_counters SET used = GREATEST(used - ${amount}::bigint, 0), updated_at = now()
           WHERE organization_id = ${organizationId}::uuid AND subject_type = 'ORGANIZATION' AND subject_id = ${organizationId}::uuid
             AND metric = ${metric}::"QuotaMetric" AND model_id IS NULL AND period_start = ${start}::timestamptz`
      : Promise.resolve(0);
  await give('DOCUMENTS', 1n);
  await give('STORAGE_BYTES', toBig(row.sizeBytes));
}
