import type { Actor } from '../shared/actor.js';
import { parseInput } from '../shared/parse-input.js';
import { admissionBase, requireUsageWriter, settled } from './usage-caller.js';
import type { UsageEngine } from './usage-engine.js';
import {
  extendReservationInput, holdReservationInput, releaseReservationInput, settleReservationInput,
  type ExtendReservationInput, type HoldReservationInput, type ReleaseReservationInput, type SettleReservationInput,
} from './usage-inputs.js';
import type { ReservationAnswer } from './usage-ops.js';

type Answer = Promise<{ value: ReservationAnswer; replayed: boolean }>;

/**
 * Holds `estimatedTokens` (and one call) against every quota that applies, or
 * refuses like recordUsage. The hold expires by itself after the engine's
 * reservation TTL unless extended: the next batch of its organization gives it
 * back, so quotas never leak. With an idempotencyKey, a replay returns the
 * same reservation.
 */
export async function holdReservation(engine: UsageEngine, actor: Actor, rawInput: HoldReservationInput): Answer {
  const caller = requireUsageWriter(actor);
  const input = parseInput(holdReservationInput, rawInput);
  const base = await admissionBase(engine, caller, input);
  return settled(await engine.submit<ReservationAnswer>({ ...base, kind: 'hold', estimatedTokens: input.estimatedTokens, idempotencyKey: input.idempotencyKey ?? null }));
}

/** Holds more tokens on a live reservation (and renews its expiry), or QUOTA_EXCEEDED so the gateway can cut the stream there. */
export async function extendReservation(engine: UsageEngine, actor: Actor, rawInput: ExtendReservationInput): Answer {
  const caller = requireUsageWriter(actor);
  const input = parseInput(extendReservationInput, rawInput);
  return settled(await engine.submit<ReservationAnswer>({ kind: 'extend', organizationId: caller.organizationId, apiKeyId: caller.apiKeyId, ...input }));
}

/**
 * Replaces the hold with the real usage (which may exceed it: recorded, and
 * the only way a counter passes its limit, by at most what the stream used
 * past its last extend) and writes the ledger row. Settling again returns the
 * first answer; a hold that expired meanwhile is still recorded.
 */
export async function settleReservation(engine: UsageEngine, actor: Actor, rawInput: SettleReservationInput): Answer {
  const caller = requireUsageWriter(actor);
  const input = parseInput(settleReservationInput, rawInput);
  return settled(await engine.submit<ReservationAnswer>({
    kind: 'settle', organizationId: caller.organizationId, apiKeyId: caller.apiKeyId,
    reservationId: input.reservationId, inputTokens: input.inputTokens, outputTokens: input.outputTokens, metadata: input.metadata ?? {},
  }));
}

/** Gives a hold back unused (the call failed); releasing twice is harmless. */
export async function releaseReservation(engine: UsageEngine, actor: Actor, rawInput: ReleaseReservationInput): Answer {
  const caller = requireUsageWriter(actor);
  const input = parseInput(releaseReservationInput, rawInput);
  return settled(await engine.submit<ReservationAnswer>({ kind: 'release', organizationId: caller.organizationId, apiKeyId: caller.apiKeyId, reservationId: input.reservationId }));
}
