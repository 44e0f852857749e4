import type { AnyZodObject, ZodTypeAny } from 'zod';
import type { ApiKeyScope } from '../../domain/api-keys/api-key-scopes.js';
import type { ResourceName } from '../../domain/access/permissions.js';
import type { Where } from '../../domain/access/scope.js';
import { getRecord } from '../../domain/records/get-record.js';
import { listRecords } from '../../domain/records/list-records.js';
import { createRecord, deleteRecord, updateRecord, type WriteRecordDeps } from '../../domain/records/write-record.js';
import type { ErrorCode } from '../../domain/shared/app-error.js';
import type { Api } from '../api-router.js';
import { defineRoute } from '../route.js';
import { idParams, pageOf, pageQuery } from '../schemas/common.js';
import { recordSchema } from '../schemas/record-schema.js';
import { z } from '../zod.js';

export interface RecordRoutesSpec {
  resource: ResourceName;
  /** '/vector-servers' */
  path: string;
  /** Singular and plural, for operation ids: VectorServer, VectorServers. */
  names: [string, string];
  tag: string;
  readScope: ApiKeyScope;
  writeScope: ApiKeyScope;
  /** Filters: query parameter -> zod schema (all optional) and how it becomes a where. */
  filters?: Record<string, { schema: ZodTypeAny; where(value: never): Where; description: string }>;
  create?: { schema: AnyZodObject; example: Record<string, unknown> };
  update?: { schema: AnyZodObject; example: Record<string, unknown> };
  remove?: boolean;
  /** Runs in the write's transaction (quota checks), create and update. */
  beforeWrite?: WriteRecordDeps['beforeWrite'];
  afterDelete?: WriteRecordDeps['afterDelete'];
  createErrors?: ErrorCode[];
}

const orderQuery = z.object({
  order: z.enum(['desc', 'asc']).default('desc').openapi({ description: 'Sort by creation time: newest first (desc, default) or oldest first.' }),
});

/**
 * The standard operations on one resource (list with cursor pagination and
 * filters, get, create, update, delete), each a defineRoute over the generic
 * record functions of src/domain/records: the permission matrix, row-level
 * security, the panel's resource schemas and write rules, audit rows.
 */
export function recordRoutes(api: Api, spec: RecordRoutesSpec): void {
  const { db, config } = api.deps;
  const schema = recordSchema(spec.resource);
  const [one, many] = spec.names;
  const writeDeps: WriteRecordDeps = { encryptionKey: config.ENCRYPTION_KEY, beforeWrite: spec.beforeWrite, afterDelete: spec.afterDelete };
  const filterShape = Object.fromEntries(Object.entries(spec.filters ?? {}).map(([k, f]) => [k, f.schema.optional().openapi({ description: f.description })]));
  const listQuery = pageQuery.merge(orderQuery).extend(filterShape);

  defineRoute(api, {
    method: 'get',
    path: spec.path,
    operationId: `list${many}`,
    summary: `List ${many.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} you may see (newest first, cursor-paginated)`,
    tags: [spec.tag],
    scope: spec.readScope,
    access: [spec.resource, 'read'],
    query: listQuery,
    response: pageOf(schema, `${one}Page`),
    async handle({ actor, query }) {
      const { limit, cursor, order, ...filters } = query as { limit: number; cursor?: string; order: 'asc' | 'desc' } & Record<string, unknown>;
      const and: Where[] = [];
      for (const [k, v] of Object.entries(filters)) if (v !== undefined) and.push(spec.filters![k]!.where(v as never));
      return listRecords(db, actor, spec.resource, { limit, cursor, order, filter: and.length ? { AND: and } : undefined });
    },
  });

  defineRoute(api, {
    method: 'get',
    path: `${spec.path}/:id`,
    operationId: `get${one}`,
    summary: `Get one ${one.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`,
    tags: [spec.tag],
    scope: spec.readScope,
    access: [spec.resource, 'read'],
    params: idParams,
    response: schema,
    handle: ({ actor, params }) => getRecord(db, actor, spec.resource, params.id),
  });

  if (spec.create) {
    const body = spec.create.schema.openapi(`${one}Create`, { example: spec.create.example });
    defineRoute(api, {
      method: 'post',
      path: spec.path,
      operationId: `create${one}`,
      summary: `Create a ${one.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`,
      tags: [spec.tag],
      scope: spec.writeScope,
      access: [spec.resource, 'create'],
      body,
      status: 201,
      response: schema,
      errors: ['CONFLICT', ...(spec.createErrors ?? [])],
      handle: ({ actor, body: data, meta }) => createRecord(db, actor, spec.resource, data as Record<string, unknown>, writeDeps, meta),
    });
  }

  if (spec.update) {
    const body = spec.update.schema.openapi(`${one}Update`, { example: spec.update.example });
    defineRoute(api, {
      method: 'put',
      path: `${spec.path}/:id`,
      operationId: `update${one}`,
      summary: `Change a ${one.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} (only the fields sent)`,
      tags: [spec.tag],
      scope: spec.writeScope,
      access: [spec.resource, 'update'],
      params: idParams,
      body,
      response: schema,
      errors: ['CONFLICT', ...(spec.createErrors ?? [])],
      handle: ({ actor, params, body: data, meta }) => updateRecord(db, actor, spec.resource, params.id, data as Record<string, unknown>, writeDeps, meta),
    });
  }

  if (spec.remove) {
    defineRoute(api, {
      method: 'delete',
      path: `${spec.path}/:id`,
      operationId: `delete${one}`,
      summary: `Delete a ${one.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`,
      tags: [spec.tag],
      scope: spec.writeScope,
      access: [spec.resource, 'delete'],
      params: idParams,
      response: schema,
      responseDescription: 'The deleted record',
      errors: ['CONFLICT'],
      handle: ({ actor, params, meta }) => deleteRecord(db, actor, spec.resource, params.id, writeDeps, meta),
    });
  }
}
