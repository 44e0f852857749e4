import { createRealm, createRealmInput } from '../../domain/realms/create-realm.js';
import { deleteRealm } from '../../domain/realms/delete-realm.js';
import { realmStats } from '../../domain/realms/realm-stats.js';
import { setDefaultRealm } from '../../domain/realms/set-default-realm.js';
import { updateRealm, updateRealmInput } from '../../domain/realms/update-realm.js';
import { getRecord } from '../../domain/records/get-record.js';
import { listRecords } from '../../domain/records/list-records.js';
import type { Api } from '../api-router.js';
import { defineRoute } from '../route.js';
import { idParams, pageOf, pageQuery, uuid } from '../schemas/common.js';
import { recordSchema } from '../schemas/record-schema.js';
import { z } from '../zod.js';

const realm = recordSchema('Realm');
const counts = z.object({ API_KEY: z.number(), VECTOR_SERVER: z.number(), KNOWLEDGE_BASE: z.number(), DOCUMENT: z.number(), INGESTION_JOB: z.number(), CHAT_SESSION: z.number() });

/** Realms (seed 003 phase 3): list, create, get, update, soft delete, stats, set default. */
export function realmRoutes(api: Api): void {
  const { db } = api.deps;
  const read = { tags: ['Realms'], scope: 'realms:read' as const };
  const write = { tags: ['Realms'], scope: 'realms:write' as const };

  defineRoute(api, {
    ...read,
    method: 'get',
    path: '/realms',
    operationId: 'listRealms',
    summary: 'List realms you may see (newest first, cursor-paginated); deleted ones only with includeDeleted=true',
    access: ['Realm', 'read'],
    query: pageQuery.extend({
      ownerId: uuid.optional().openapi({ description: 'Only realms of this owner.' }),
      includeDeleted: z.enum(['true', 'false']).default('false').openapi({ description: 'Also soft-deleted realms.' }),
    }),
    response: pageOf(realm, 'RealmPage'),
    handle: ({ actor, query }) =>
      listRecords(db, actor, 'Realm', {
        limit: query.limit,
        cursor: query.cursor,
        filter: { ...(query.ownerId ? { ownerId: query.ownerId } : {}), ...(query.includeDeleted === 'true' ? {} : { isActive: true }) },
      }),
  });

  defineRoute(api, {
    ...write,
    method: 'post',
    path: '/realms',
    operationId: 'createRealm',
    summary: 'Create a realm (names are unique per owner among active realms)',
    access: ['Realm', 'create'],
    body: createRealmInput.openapi('RealmCreate', { example: { name: 'Research', description: 'Experiments' } }),
    status: 201,
    response: realm,
    errors: ['CONFLICT'],
    handle: ({ actor, body, meta }) => createRealm(db, actor, body, meta),
  });

  defineRoute(api, {
    ...read,
    method: 'get',
    path: '/realms/:id',
    operationId: 'getRealm',
    summary: 'Get one realm',
    access: ['Realm', 'read'],
    params: idParams,
    response: realm,
    handle: ({ actor, params }) => getRecord(db, actor, 'Realm', params.id),
  });

  defineRoute(api, {
    ...write,
    method: 'put',
    path: '/realms/:id',
    operationId: 'updateRealm',
    summary: 'Rename or re-describe a realm',
    access: ['Realm', 'update'],
    params: idParams,
    body: updateRealmInput.omit({ realmId: true }).openapi('RealmUpdate', { example: { name: 'Research 2026' } }),
    response: realm,
    errors: ['CONFLICT'],
    handle: ({ actor, params, body, meta }) => updateRealm(db, actor, { ...body, realmId: params.id }, meta),
  });

  defineRoute(api, {
    ...write,
    method: 'delete',
    path: '/realms/:id',
    operationId: 'deleteRealm',
    summary: 'Soft-delete an empty, non-default realm (409 otherwise)',
    access: ['Realm', 'delete'],
    params: idParams,
    response: realm,
    errors: ['CONFLICT'],
    handle: ({ actor, params, meta }) => deleteRealm(db, actor, { realmId: params.id }, meta),
  });

  defineRoute(api, {
    ...read,
    method: 'get',
    path: '/realms/:id/stats',
    operationId: 'getRealmStats',
    summary: 'Rows per kind in a realm',
    access: ['Realm', 'read'],
    params: idParams,
    response: z
      .object({
        realm: z.object({ id: z.string(), name: z.string(), isDefault: z.boolean(), isActive: z.boolean(), ownerId: z.string(), organizationId: z.string() }),
        counts,
        total: z.number().int(),
      })
      .openapi('RealmStats'),
    handle: ({ actor, params }) => realmStats(db, actor, { realmId: params.id }),
  });

  defineRoute(api, {
    ...write,
    method: 'post',
    path: '/realms/:id/default',
    operationId: 'setDefaultRealm',
    summary: "Make a realm its owner's default",
    access: ['Realm', 'update'],
    params: idParams,
    response: realm,
    errors: ['CONFLICT'],
    handle: ({ actor, params, meta }) => setDefaultRealm(db, actor, { realmId: params.id }, meta),
  });
}
