import { issueApiKey, issueApiKeyInput } from '../../domain/api-keys/issue-api-key.js';
import { revokeApiKey } from '../../domain/api-keys/revoke-api-key.js';
import { MAX_GRACE_SECONDS, rotateApiKey } from '../../domain/api-keys/rotate-api-key.js';
import { updateApiKey, updateApiKeyInput } from '../../domain/api-keys/update-api-key.js';
import { assertScopesWithin } from '../../domain/api-keys/api-key-scopes.js';
import { getRecord } from '../../domain/records/get-record.js';
import { listRecords } from '../../domain/records/list-records.js';
import type { Api } from '../api-router.js';
import { defineRoute } from '../route.js';
import { idParams, pageOf, pageQuery, uuid } from '../schemas/common.js';
import { recordSchema } from '../schemas/record-schema.js';
import { z } from '../zod.js';

const apiKey = recordSchema('ApiKey');
const withSecret = z
  .object({ apiKey, secret: z.string().openapi({ description: 'The key itself: shown this once, stored nowhere (only an HMAC).', example: 'rgk_7Hc2…' }) })
  .openapi('IssuedApiKey');

/** Seed 004's key endpoints: issue (secret once), list, get, change, revoke, rotate. */
export function apiKeyRoutes(api: Api): void {
  const { db, config } = api.deps;
  const keyDeps = { pepper: config.API_KEY_PEPPER };
  const tag = 'API keys';
  const common = { tags: [tag], scope: 'keys:manage' as const };

  defineRoute(api, {
    ...common,
    method: 'post',
    path: '/api-keys',
    operationId: 'createApiKey',
    summary: 'Issue an API key; its secret is in this answer only',
    access: ['ApiKey', 'create'],
    body: issueApiKeyInput.openapi('ApiKeyCreate', { example: { name: 'gateway-eu', scopes: ['models:read', 'usage:write'], maxTokens: 1000000, rateLimitPerMinute: 600, expiresAt: '2027-01-01T00:00:00Z' } as never }),
    status: 201,
    response: withSecret,
    async handle({ actor, principal, body, meta }) {
      assertScopesWithin(principal.scopes, body.scopes);
      return issueApiKey(db, actor, body, keyDeps, meta);
    },
  });

  defineRoute(api, {
    ...common,
    method: 'get',
    path: '/api-keys',
    operationId: 'listApiKeys',
    summary: 'List the API keys you may see (newest first, cursor-paginated); never their secrets',
    access: ['ApiKey', 'read'],
    query: pageQuery.extend({
      realmId: uuid.optional().openapi({ description: 'Only keys of this realm.' }),
      userId: uuid.optional().openapi({ description: 'Only keys of this owner.' }),
      revoked: z.enum(['true', 'false']).optional().openapi({ description: 'true: only revoked keys; false: only live ones.' }),
    }),
    response: pageOf(apiKey, 'ApiKeyPage'),
    handle: ({ actor, query }) =>
      listRecords(db, actor, 'ApiKey', {
        limit: query.limit,
        cursor: query.cursor,
        filter: {
          ...(query.realmId ? { realmId: query.realmId } : {}),
          ...(query.userId ? { userId: query.userId } : {}),
          ...(query.revoked ? { revokedAt: query.revoked === 'true' ? { not: null } : null } : {}),
        },
      }),
  });

  defineRoute(api, {
    ...common,
    method: 'get',
    path: '/api-keys/:id',
    operationId: 'getApiKey',
    summary: 'Get one API key (never its secret)',
    access: ['ApiKey', 'read'],
    params: idParams,
    response: apiKey,
    handle: ({ actor, params }) => getRecord(db, actor, 'ApiKey', params.id),
  });

  defineRoute(api, {
    ...common,
    method: 'put',
    path: '/api-keys/:id',
    operationId: 'updateApiKey',
    summary: 'Change a key: name, description, scopes, limits, allowed models, expiry (the rules of issuing)',
    access: ['ApiKey', 'update'],
    params: idParams,
    body: updateApiKeyInput.omit({ apiKeyId: true }).openapi('ApiKeyUpdate', { example: { rateLimitPerMinute: 1200, expiresAt: '2027-06-30T00:00:00Z' } as never }),
    response: apiKey,
    errors: ['CONFLICT'],
    async handle({ actor, principal, params, body, meta }) {
      assertScopesWithin(principal.scopes, body.scopes);
      const updated = await updateApiKey(db, actor, { apiKeyId: params.id, ...body }, meta);
      api.deps.apiKeyCache?.forgetAll();
      return updated;
    },
  });

  defineRoute(api, {
    ...common,
    method: 'delete',
    path: '/api-keys/:id',
    operationId: 'revokeApiKey',
    summary: 'Revoke a key: refused from the next request on every instance (idempotent)',
    access: ['ApiKey', 'update'],
    params: idParams,
    response: z.object({ apiKey, alreadyRevoked: z.boolean() }).openapi('RevokedApiKey'),
    async handle({ actor, params, meta }) {
      const revoked = await revokeApiKey(db, actor, { apiKeyId: params.id }, {}, meta);
      api.deps.apiKeyCache?.forgetAll(); // other instances stop within the cache's second
      return revoked;
    },
  });

  defineRoute(api, {
    ...common,
    method: 'post',
    path: '/api-keys/:id/rotate',
    operationId: 'rotateApiKey',
    summary: 'Rotate a key: a new secret (shown once) with the same settings; the old one works for the grace period',
    access: ['ApiKey', 'create'],
    params: idParams,
    body: z
      .object({
        graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).default(3600).openapi({ description: 'How long the old secret keeps working (0 to 7 days).' }),
        expiresAt: z.string().datetime({ offset: true }).nullable().optional(),
      })
      .openapi('ApiKeyRotate', { example: { graceSeconds: 3600 } }),
    response: z.object({ apiKey, secret: z.string(), previous: apiKey }).openapi('RotatedApiKey'),
    errors: ['CONFLICT'],
    async handle({ actor, params, body, meta }) {
      const rotated = await rotateApiKey(db, actor, { apiKeyId: params.id, graceSeconds: body.graceSeconds, expiresAt: body.expiresAt == null ? body.expiresAt : new Date(String(body.expiresAt)) }, keyDeps, meta);
      api.deps.apiKeyCache?.forgetAll();
      return rotated;
    },
  });
}
