import { scopeWhere } from '../../domain/access/scope.js';
import { AppError } from '../../domain/shared/app-error.js';
import { listTenants, tenantCollections, tenantInfo } from '../../domain/tenants/tenant-info.js';
import type { Api } from '../api-router.js';
import { defineRoute } from '../route.js';
import { isoDateTime, MAX_PAGE_SIZE, uuid } from '../schemas/common.js';
import { z } from '../zod.js';

const warning = z.enum(['none', 'warning', 'exceeded']).openapi({ description: 'warning from 80% used, exceeded at 100%' });
const quota = z.object({
  metric: z.string(),
  period: z.string(),
  periodStart: isoDateTime,
  periodEnd: isoDateTime.nullable(),
  used: z.number(),
  reserved: z.number(),
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  percentUsed: z.number().nullable(),
  warning,
});

/** Seed 004's tenant endpoints: GET /tenant/info, GET /tenant/collections, GET /admin/tenants. */
export function tenantRoutes(api: Api): void {
  const { db } = api.deps;

  defineRoute(api, {
    method: 'get',
    path: '/tenant/info',
    operationId: 'getTenantInfo',
    summary: 'Your organization, plan and quotas with used, remaining, percent and warning (80% / 100%)',
    tags: ['Tenant'],
    scope: 'tenant:read',
    access: ['Organization', 'read'],
    response: z
      .object({
        organization: z.object({ id: uuid, name: z.string(), description: z.string().nullable(), type: z.string(), pricingPlan: z.string(), isActive: z.boolean(), createdAt: isoDateTime }),
        quotas: z.array(quota),
      })
      .openapi('TenantInfo', {
        example: {
          organization: { id: '6f1c1f7a-2f57-4f3e-8f0e-8a3f2f7d3b21', name: 'Acme', description: null, type: 'SOFTWARE', pricingPlan: 'PRO', isActive: true, createdAt: '2026-01-01T00:00:00.000Z' },
          quotas: [{ metric: 'TOKENS', period: 'MONTHLY', periodStart: '2026-01-01T00:00:00.000Z', periodEnd: '2026-02-01T00:00:00.000Z', used: 850000, reserved: 0, limit: 1000000, remaining: 150000, percentUsed: 85, warning: 'warning' }],
        },
      }),
    handle: ({ actor }) => tenantInfo(db, actor),
  });

  defineRoute(api, {
    method: 'get',
    path: '/tenant/collections',
    operationId: 'getTenantCollections',
    summary: 'Your knowledge bases with their vector collection names (a USER sees their own)',
    tags: ['Tenant'],
    scope: 'tenant:read',
    access: ['KnowledgeBase', 'read'],
    response: z
      .object({
        collections: z.array(
          z.object({
            knowledgeBaseId: uuid,
            name: z.string(),
            realmId: uuid.nullable(),
            documentCount: z.number().int(),
            vectorServer: z.object({ id: uuid, name: z.string(), type: z.string() }).nullable(),
            collectionName: z.string().nullable(),
          }),
        ),
      })
      .openapi('TenantCollections'),
    handle: ({ actor }) => {
      const where = scopeWhere(actor, 'KnowledgeBase', 'read');
      if (!where) throw new AppError('FORBIDDEN', 'You may not read knowledge bases');
      return tenantCollections(db, actor, where);
    },
  });

  defineRoute(api, {
    method: 'get',
    path: '/admin/tenants',
    operationId: 'listTenants',
    summary: 'Every organization with a usage summary (superadmins)',
    tags: ['Admin'],
    scope: 'admin',
    access: ['Organization', 'create'],
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
      cursor: uuid.optional().openapi({ description: 'nextCursor of the previous page' }),
    }),
    response: z
      .object({
        items: z.array(
          z.object({
            id: uuid,
            name: z.string(),
            type: z.string(),
            pricingPlan: z.string(),
            isActive: z.boolean(),
            counts: z.object({ users: z.number(), realms: z.number(), apiKeys: z.number(), documents: z.number() }),
            usage: z.array(z.object({ metric: z.string(), period: z.string(), used: z.number(), limit: z.number().nullable(), percentUsed: z.number().nullable(), warning })),
          }),
        ),
        nextCursor: z.string().nullable(),
      })
      .openapi('TenantPage'),
    handle: ({ actor, query }) => listTenants(db, actor, query),
  });
}
