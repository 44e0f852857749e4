import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import type { UsageEngine } from './usage-engine.js';

export interface ReservationByKey {
  id: string;
  apiKeyId: string;
  status: 'HELD' | 'SETTLED' | 'RELEASED' | 'EXPIRED';
  heldTokens: number;
}

/**
 * The reservation an API key's organization holds under an idempotency key
 * (the Portkey hooks meet on the gateway request id this way), or null. Only
 * the caller's organization is searched: the statement names it, so a key of
 * another organization finds nothing and cannot settle or release the hold.
 * It runs on the hot path's own pool, one statement on the unique
 * (organization_id, idempotency_key) index, like the engine's batch reads
 * (whose sessions are the system tenant): the gateway's after hook must not
 * queue behind the app's interactive transactions.
 */
export async function findReservationByKey(engine: UsageEngine, actor: Actor, idempotencyKey: string): Promise<ReservationByKey | null> {
  if (actor.kind !== 'api-key') throw new AppError('FORBIDDEN', 'Reservations are looked up with an API key');
  const { rows } = await engine.pool.query<{ id: string; api_key_id: string; status: ReservationByKey['status']; held_tokens: string }>(
    `SELECT id, api_key_id, status::text AS status, held_tokens
       FROM usage_reservations
      WHERE organization_id = $1 AND idempotency_key = $2`,
    [actor.organizationId, idempotencyKey],
  );
  const r = rows[0];
  return r ? { id: r.id, apiKeyId: r.api_key_id, status: r.status, heldTokens: Number(r.held_tokens) } : null;
}
