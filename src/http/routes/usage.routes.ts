import { listCallerModels, listKeyModels } from '../../domain/model-access/list-caller-models.js';
import { callerQuota, keyQuota } from '../../domain/quotas/caller-quota.js';
import type { Actor } from '../../domain/shared/actor.js';
import type { ErrorCode } from '../../domain/shared/app-error.js';
import { extendReservation, holdReservation, recordUsage, releaseReservation, settleReservation } from '../../domain/usage/index.js';
import type { Api } from '../api-router.js';
import type { Principal } from '../auth/principal.js';
import { defineRoute } from '../route.js';
import { idParams } from '../schemas/common.js';
import { extendBody, holdBody, modelListSchema, quotaSchema, recordUsageBody, releaseBody, reservationSchema, settleBody, usageAnswerSchema } from '../schemas/usage.js';

/** The key itself (its limits and counters), not its owner: usage is counted against keys. */
const keyActor = (p: Principal): Actor => p.apiKey?.actor ?? p.actor;
// Every call of a gateway's model request: served in the gateway lane too (lane: true, gateway-lane.ts).
const USAGE = { tags: ['Usage'], auth: ['api-key'] as const, keyOnly: true, lane: true, scope: 'usage:write' as const, errors: ['QUOTA_EXCEEDED', 'RATE_LIMITED'] as ErrorCode[] };

/** The gateway hot path (src/domain/usage) and what a caller may use: GET /models, GET /quota. */
export function usageRoutes(api: Api): void {
  const engine = api.deps.usage;

  defineRoute(api, {
    method: 'get', path: '/models', operationId: 'listModels', tags: ['Models'], scope: 'models:read', keyOnly: true, lane: true,
    summary: 'The models the caller may use, each with its limit and what is left',
    description: 'Exactly the models POST /usage accepts for this caller: one function (usableModels) decides both.',
    response: modelListSchema,
    async handle({ principal }) {
      // A key reads as the usage check does (the engine's catalog, the key's state now); a person through RLS.
      return { items: principal.apiKey ? await listKeyModels(engine, principal.apiKey.actor) : await listCallerModels(api.deps.db, principal.actor) };
    },
  });

  defineRoute(api, {
    method: 'get', path: '/quota', operationId: 'getQuota', tags: ['Quotas'], scope: 'usage:read', keyOnly: true, lane: true,
    summary: 'Every limit that applies to the caller: used, reserved, remaining, period',
    response: quotaSchema,
    async handle({ principal }) {
      // A key reads as the usage check does (keyQuota: its state now, the engine's catalog); a person through RLS.
      return principal.apiKey ? keyQuota(engine, principal.apiKey.actor) : callerQuota(api.deps.db, principal.actor);
    },
  });

  defineRoute(api, {
    ...USAGE, method: 'post', path: '/usage', operationId: 'recordUsage', status: 201,
    summary: 'Record one model call against every quota (exact, batched, answered after COMMIT)',
    body: recordUsageBody, response: usageAnswerSchema,
    async handle({ principal, body }) {
      const r = await recordUsage(engine, keyActor(principal), body);
      return { ...r.value, replayed: r.replayed };
    },
  });

  defineRoute(api, {
    ...USAGE, method: 'post', path: '/usage/reservations', operationId: 'holdReservation', status: 201,
    summary: 'Hold an estimate against every quota for a streamed call',
    body: holdBody, response: reservationSchema,
    async handle({ principal, body }) {
      const r = await holdReservation(engine, keyActor(principal), body);
      return { ...r.value, replayed: r.replayed };
    },
  });

  defineRoute(api, {
    ...USAGE, method: 'post', path: '/usage/reservations/:id/extend', operationId: 'extendReservation', errors: ['QUOTA_EXCEEDED', 'RATE_LIMITED', 'CONFLICT'],
    summary: 'Hold more tokens while the stream runs (429 = cut the stream here)',
    params: idParams, body: extendBody, response: reservationSchema,
    async handle({ principal, params, body }) {
      const r = await extendReservation(engine, keyActor(principal), { reservationId: params.id, ...body });
      return { ...r.value, replayed: r.replayed };
    },
  });

  defineRoute(api, {
    ...USAGE, method: 'post', path: '/usage/reservations/:id/settle', operationId: 'settleReservation', errors: ['CONFLICT'],
    summary: 'Replace the hold with the real usage and write the ledger row',
    params: idParams, body: settleBody, response: reservationSchema,
    async handle({ principal, params, body }) {
      const r = await settleReservation(engine, keyActor(principal), { reservationId: params.id, ...body });
      return { ...r.value, replayed: r.replayed };
    },
  });

  defineRoute(api, {
    ...USAGE, method: 'post', path: '/usage/reservations/:id/release', operationId: 'releaseReservation', errors: ['CONFLICT'],
    summary: 'Give the hold back unused',
    params: idParams, body: releaseBody, response: reservationSchema,
    async handle({ principal, params }) {
      const r = await releaseReservation(engine, keyActor(principal), { reservationId: params.id });
      return { ...r.value, replayed: r.replayed };
    },
  });
}
