import type { PrismaClient } from '@prisma/client';
import { setTenantInTx, tenantFromActor } from '../../db/tenant-context.js';
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
 * the caller's organization is searched, twice over: the WHERE names it and
 * row-level security runs as its tenant; so a key of another organization
 * finds nothing and cannot settle or release the hold.
 */
export async function findReservationByKey(db: PrismaClient, actor: Actor, idempotencyKey: string): Promise<ReservationByKey | null> {
  if (actor.kind !== 'api-key') throw new AppError('FORBIDDEN', 'Reservations are looked up with an API key');
  const rows = await db.$transaction(async (tx) => {
    await setTenantInTx(tx, tenantFromActor(actor));
    return tx.$queryRaw<Array<{ id: string; api_key_id: string; status: ReservationByKey['status']; held_tokens: bigint }>>`
      SELECT id, api_key_id, status::text AS status, held_tokens
        FROM usage_reservations
       WHERE organization_id = ${actor.organizationId}::uuid AND idempotency_key = ${idempotencyKey}`;
  });
  const r = rows[0];
  return r ? { id: r.id, apiKeyId: r.api_key_id, status: r.status, heldTokens: Number(r.held_tokens) } : null;
}
