import type { PrismaClient } from '@prisma/client';
import { tenantFromActor, withTenant } from '../../db/tenant-context.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';

export interface ReservationByKey {
  id: string;
  apiKeyId: string;
  status: 'HELD' | 'SETTLED' | 'RELEASED' | 'EXPIRED';
  heldTokens: number;
}

/**
 * The reservation an API key's organization holds under an idempotency key
 * (the Portkey hooks meet on the gateway request id this way), or null. Only
 * the caller's organization is searched, twice over: the unique key names it
 * and row-level security runs as its tenant; so a key of another organization
 * finds nothing and cannot settle or release the hold. One statement (the
 * tenant extension's set_config + SELECT batch), no interactive transaction.
 */
export async function findReservationByKey(db: PrismaClient, actor: Actor, idempotencyKey: string): Promise<ReservationByKey | null> {
  if (actor.kind !== 'api-key') throw new AppError('FORBIDDEN', 'Reservations are looked up with an API key');
  const r = await withTenant(tenantFromActor(actor), () =>
    db.usageReservation.findUnique({
      where: { organizationId_idempotencyKey: { organizationId: actor.organizationId, idempotencyKey } },
      select: { id: true, apiKeyId: true, status: true, heldTokens: true },
    }),
  );
  return r ? { id: r.id, apiKeyId: r.apiKeyId, status: r.status, heldTokens: Number(r.heldTokens) } : null;
}
