import { describeCaller } from '../../domain/callers/describe-caller.js';
import { defineRoute } from '../route.js';
import type { Api } from '../api-router.js';
import { isoDateTime, uuid } from '../schemas/common.js';
import { z } from '../zod.js';

const meSchema = z
  .object({
    signedInWith: z.enum(['api-key', 'jwt', 'session']),
    user: z
      .object({ id: uuid, email: z.string(), username: z.string(), displayName: z.string().nullable(), role: z.enum(['SUPERADMIN', 'ADMIN', 'USER', 'VIEWER']) })
      .nullable(),
    organization: z.object({ id: uuid, name: z.string(), type: z.string(), pricingPlan: z.enum(['FREE', 'STARTER', 'PRO', 'ENTERPRISE']) }).nullable(),
    apiKey: z
      .object({ id: uuid, name: z.string(), prefix: z.string(), scopes: z.array(z.string()), realmId: uuid.nullable(), expiresAt: isoDateTime.nullable() })
      .nullable(),
    mustChangePassword: z.boolean(),
  })
  .openapi('Me', {
    example: {
      signedInWith: 'api-key',
      user: { id: '0b6b2c7e-6c1f-4a36-9d0a-0f4f7a7e9c11', email: 'ops@acme.example', username: 'ops', displayName: 'Ops', role: 'ADMIN' },
      organization: { id: '6f1c1f7a-2f57-4f3e-8f0e-8a3f2f7d3b21', name: 'Acme', type: 'ENTERPRISE', pricingPlan: 'PRO' },
      apiKey: { id: '1d1b8c9e-6a4e-4b8e-9a53-2f9c3f6b7d01', name: 'gateway-eu', prefix: 'rgk_7Hc2', scopes: ['models:read', 'usage:write'], realmId: null, expiresAt: null },
      mustChangePassword: false,
    },
  });

/** GET /me: who is calling. */
export function meRoutes(api: Api): void {
  defineRoute(api, {
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    summary: 'Who am I: user, organization, role and the key\'s scopes',
    tags: ['Caller'],
    response: meSchema,
    allowPendingPasswordChange: true,
    async handle({ principal }) {
      const caller = await describeCaller(api.deps.db, principal.actor);
      return { signedInWith: principal.via, ...caller, mustChangePassword: principal.mustChangePassword };
    },
  });
}
