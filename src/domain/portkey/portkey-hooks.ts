import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { findReservationByKey } from '../usage/find-reservation-by-key.js';
import { holdReservation, recordUsage, releaseReservation, settleReservation, type UsageEngine } from '../usage/index.js';
import { requireUsageWriter } from '../usage/usage-caller.js';
import { estimateRequestTokens } from './estimate-request-tokens.js';
import {
  METERED_REQUEST_TYPES, PORTKEY_USER_ID_KEY, portkeyHookPayload, portkeyIdempotencyKey, reportedUsage, type PortkeyHookPayload,
} from './portkey-hook-payload.js';
import { allow, type PortkeyVerdict } from './portkey-verdict.js';
import type { RecentHolds } from './recent-holds.js';

export interface PortkeyHookDeps {
  engine: UsageEngine;
  /** The answer's bound when the request names no max_tokens (PORTKEY_DEFAULT_MAX_TOKENS). */
  defaultMaxTokens: number;
  /** Holds made here, so the after hook skips the SQL lookup (a shortcut only: see recent-holds.ts). */
  recentHolds?: RecentHolds;
}

function parsePayload(raw: unknown, eventType: PortkeyHookPayload['eventType']): PortkeyHookPayload {
  const payload = parseInput(portkeyHookPayload, raw);
  if (payload.eventType !== eventType) {
    throw new AppError('INVALID', `eventType: this webhook takes ${eventType} (configure it under ${eventType === 'beforeRequestHook' ? 'before_request_hooks' : 'after_request_hooks'})`, { field: 'eventType' });
  }
  if (!(METERED_REQUEST_TYPES as readonly string[]).includes(payload.requestType)) {
    throw new AppError('INVALID', `requestType: ${payload.requestType} is not metered by Realmgate (only ${METERED_REQUEST_TYPES.join(', ')})`, { field: 'requestType' });
  }
  return payload;
}

const modelOf = (payload: PortkeyHookPayload): string => {
  const model = payload.request.json.model;
  if (typeof model !== 'string' || model.length === 0) throw new AppError('INVALID', 'request.json.model: the request names no model', { field: 'request.json.model' });
  return model;
};

/**
 * The gateway's before_request_hook: the key must be allowed the model (the
 * same rule as GET /models, via the hot path's admission) and every quota must
 * have room for the request's estimate (estimate-request-tokens.ts); then the
 * estimate is held under the gateway request id until the after hook settles
 * it, and the verdict is true. Anything else is a false verdict naming why.
 *
 * A replayed before hook (the same request id again: a duplicate delivery,
 * or a client retrying a request whose first hook timed out) gets the same
 * hold and counts nothing twice, while the hold is still open. Once the hold
 * is settled, released or expired the id is spent and the hook is refused:
 * admitting it would let a second provider call ride on a closed hold.
 */
export async function portkeyBeforeHook(deps: PortkeyHookDeps, actor: Actor, raw: unknown): Promise<PortkeyVerdict> {
  const caller = requireUsageWriter(actor);
  const payload = parsePayload(raw, 'beforeRequestHook');
  const estimate = estimateRequestTokens(payload.request.json, deps.defaultMaxTokens);
  const userId = payload.metadata[PORTKEY_USER_ID_KEY];
  const key = portkeyIdempotencyKey(payload);
  const { value, replayed } = await holdReservation(deps.engine, actor, {
    model: modelOf(payload),
    estimatedTokens: estimate.totalTokens,
    idempotencyKey: key,
    ...(userId ? { userId } : {}),
  });
  if (replayed && value.status !== 'HELD') {
    throw new AppError('CONFLICT', `This realmgate_request_id was used by a request already ${value.status.toLowerCase()}; use a new id per request`, { reservationId: value.id, status: value.status });
  }
  deps.recentHolds?.remember(caller.organizationId, key, { id: value.id, apiKeyId: caller.apiKeyId, status: value.status, heldTokens: value.heldTokens }, value.expiresAt);
  return allow({ reservationId: value.id, heldTokens: value.heldTokens, expiresAt: value.expiresAt, estimate, replayed });
}

/**
 * The gateway's after_request_hook (sent only for answers with status 200):
 * the request's hold is settled with the usage the provider reported, so the
 * ledger holds the provider's figures. Without reported usage (a streamed
 * answer: the gateway calls this hook before the stream is read, with
 * response.json null) the hold is settled at the estimate it was made with,
 * an upper bound whenever the request named max_tokens. Without a hold (no
 * before hook configured, or it failed open) the usage is recorded directly
 * under the request id. A failed provider answer releases the hold. Replays
 * count once (settle and record are idempotent).
 */
export async function portkeyAfterHook(deps: PortkeyHookDeps, actor: Actor, raw: unknown): Promise<PortkeyVerdict> {
  const caller = requireUsageWriter(actor);
  const payload = parsePayload(raw, 'afterRequestHook');
  const key = portkeyIdempotencyKey(payload);
  const reservation = deps.recentHolds?.take(caller.organizationId, key) ?? (await findReservationByKey(deps.engine, actor, key));
  const status = payload.response?.statusCode ?? null;
  const streamed = payload.request.isStreamingRequest === true;

  if (status !== null && (status < 200 || status > 299)) {
    if (!reservation) return allow({ recorded: false, reason: `provider answered ${status}` });
    const { value } = await releaseReservation(deps.engine, actor, { reservationId: reservation.id });
    return allow({ recorded: false, reservationId: value.id, status: value.status });
  }

  const reported = reportedUsage(payload.response?.json);
  // The provider's own id for its answer: the ledger row names the provider call it charges,
  // so every completed call can be matched with exactly its row (bench, audits).
  const responseId = payload.response?.json?.id;
  const metadata = {
    source: 'portkey', requestId: payload.metadata.realmgate_request_id, provider: payload.provider ?? null, streamed, estimated: reported === null,
    ...(typeof responseId === 'string' && responseId.length <= 200 ? { providerResponseId: responseId } : {}),
  };
  let usage = reported;
  if (!usage) {
    const estimate = estimateRequestTokens(payload.request.json, deps.defaultMaxTokens);
    const total = reservation?.heldTokens ?? estimate.totalTokens;
    const input = Math.min(estimate.promptTokens, total);
    usage = { inputTokens: input, outputTokens: total - input };
  }

  if (reservation) {
    const { value } = await settleReservation(deps.engine, actor, { reservationId: reservation.id, ...usage, metadata });
    return allow({ recorded: true, reservationId: value.id, status: value.status, usage: value.usage, estimated: reported === null });
  }
  const userId = payload.metadata[PORTKEY_USER_ID_KEY];
  const { value } = await recordUsage(deps.engine, actor, {
    model: modelOf(payload), ...usage, idempotencyKey: key, metadata, ...(userId ? { userId } : {}),
  });
  return allow({ recorded: true, reservationId: null, eventId: value.eventId, usage: { inputTokens: value.inputTokens, outputTokens: value.outputTokens, totalTokens: value.totalTokens }, estimated: reported === null });
}
