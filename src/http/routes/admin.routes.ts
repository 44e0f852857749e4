import { organizationCreateSchema, organizationUpdateSchema } from '../../domain/organizations/organization-schema.js';
import { updateRecord } from '../../domain/records/write-record.js';
import { createUserAccount } from '../../domain/users/create-user-account.js';
import { disableUser } from '../../domain/users/disable-user.js';
import { endUserSessions } from '../../domain/users/end-user-sessions.js';
import { lockUser } from '../../domain/users/lock-user.js';
import { setTemporaryPassword } from '../../domain/users/set-temporary-password.js';
import { unlockUser } from '../../domain/users/unlock-user.js';
import { userCreateSchema, userUpdateSchema } from '../../domain/users/user-schema.js';
import { UserRole, UserStatus } from '@prisma/client';
import type { Api } from '../api-router.js';
import { defineRoute } from '../route.js';
import { idParams, isoDateTime } from '../schemas/common.js';
import { recordSchema } from '../schemas/record-schema.js';
import { z } from '../zod.js';
import { recordRoutes } from './record-routes.js';

const user = recordSchema('User');

/** Users and organizations for admins: list, get, create, update, disable; lock, unlock, temporary password, end sessions. */
export function adminRoutes(api: Api): void {
  const { db, config } = api.deps;
  const deps = { encryptionKey: config.ENCRYPTION_KEY };
  const common = { tags: ['Users'], scope: 'admin' as const };

  recordRoutes(api, {
    resource: 'User',
    path: '/users',
    names: ['User', 'Users'],
    tag: 'Users',
    readScope: 'admin',
    writeScope: 'admin',
    filters: {
      role: { schema: z.nativeEnum(UserRole), where: (role: UserRole) => ({ role }), description: 'Only users of this role.' },
      status: { schema: z.nativeEnum(UserStatus), where: (status: UserStatus) => ({ status }), description: 'Only users in this status.' },
    },
    update: { schema: userUpdateSchema, example: { displayName: 'Ada L.', role: 'VIEWER' } },
  });

  defineRoute(api, {
    ...common,
    method: 'post',
    path: '/users',
    operationId: 'createUser',
    summary: 'Create a user (must change the password at first sign-in unless mustChangePassword is false)',
    access: ['User', 'create'],
    body: userCreateSchema
      .extend({ password: z.string().min(12).max(200).openapi({ description: 'Initial password (hashed with argon2, never stored or returned).' }) })
      .openapi('UserCreate', { example: { username: 'ada', email: 'ada@acme.example', role: 'USER', password: 'initial-passphrase-123' } }),
    status: 201,
    response: user,
    errors: ['CONFLICT'],
    handle: ({ actor, body, meta }) => createUserAccount(db, actor, body as Record<string, unknown> & { password: string }, deps, meta),
  });

  const action = (name: string, operationId: string, summary: string, response: z.ZodTypeAny, run: (actor: never, id: string, meta: never, body: never) => Promise<unknown>, body?: z.AnyZodObject) =>
    defineRoute(api, {
      ...common,
      method: 'post',
      path: `/users/:id/${name}`,
      operationId,
      summary,
      access: ['User', 'update'],
      params: idParams,
      ...(body ? { body } : {}),
      response,
      errors: ['CONFLICT'],
      handle: ({ actor, params, meta, body: b }) => run(actor as never, params.id, meta as never, b as never) as never,
    });
  const withSessions = z.object({ user, sessionsEnded: z.number().int() }).openapi('UserWithSessionsEnded');

  action('disable', 'disableUser', 'Disable a user: they cannot sign in; sessions, tokens and keys stop working', withSessions, (a, id, m) => disableUser(db, a, { userId: id }, m));
  action(
    'lock',
    'lockUser',
    'Lock a user until a time or until unlocked',
    withSessions,
    (a, id, m, b: { lockedUntil?: string | null }) => lockUser(db, a, { userId: id, lockedUntil: b.lockedUntil ? new Date(b.lockedUntil) : null }, m),
    z.object({ lockedUntil: isoDateTime.nullable().optional() }).openapi('UserLock', { example: { lockedUntil: '2026-02-01T00:00:00Z' } }),
  );
  action('unlock', 'unlockUser', 'Unlock a user (clears failed sign-ins)', user, (a, id, m) => unlockUser(db, a, { userId: id }, m));
  action(
    'temporary-password',
    'setTemporaryPassword',
    'Set a generated temporary password (shown once); the user must change it at the next sign-in',
    z.object({ user, password: z.string(), sessionsEnded: z.number().int() }).openapi('TemporaryPassword'),
    (a, id, m) => setTemporaryPassword(db, a, { userId: id }, m),
  );
  action('end-sessions', 'endUserSessions', "End a user's panel sessions", z.object({ sessionsEnded: z.number().int() }).openapi('SessionsEnded'), (a, id, m) => endUserSessions(db, a, { userId: id }, m));

  recordRoutes(api, {
    resource: 'Organization',
    path: '/organizations',
    names: ['Organization', 'Organizations'],
    tag: 'Organizations',
    readScope: 'admin',
    writeScope: 'admin',
    create: { schema: organizationCreateSchema, example: { name: 'Acme', type: 'SOFTWARE', pricingPlan: 'PRO', monthlyTokenQuota: 5000000, documentQuota: 1000 } },
    update: { schema: organizationUpdateSchema, example: { pricingPlan: 'ENTERPRISE' } },
  });

  defineRoute(api, {
    tags: ['Organizations'],
    scope: 'admin',
    method: 'post',
    path: '/organizations/:id/disable',
    operationId: 'disableOrganization',
    summary: 'Disable an organization: its keys and members stop working on the next request',
    access: ['Organization', 'update'],
    params: idParams,
    response: recordSchema('Organization'),
    handle: ({ actor, params, meta }) => updateRecord(db, actor, 'Organization', params.id, { isActive: false }, deps, meta),
  });
}
