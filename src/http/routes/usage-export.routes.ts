import { defineRoute } from '../route.js';
import type { Api } from '../api-router.js';
import { uuid } from '../schemas/common.js';
import { z } from '../zod.js';
import { usageFilterFrom } from '../../domain/usage-reports/ledger-filters.js';
import { streamCsv } from '../stream-csv.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[0-9:.]+Z)?$/, 'a date (YYYY-MM-DD) or an ISO instant');
const exportQuery = z
  .object({
    organizationId: uuid.optional(),
    userId: uuid.optional(),
    apiKeyId: uuid.optional(),
    modelId: uuid.optional(),
    realmId: uuid.optional(),
    from: day.optional().openapi({ description: 'first day (or instant) included' }),
    to: day.optional().openapi({ description: 'last day included (or instant)' }),
  })
  .strict();

/** GET /usage/export: the usage ledger as streaming CSV, for filters and the caller's scope. */
export function usageExportRoutes(api: Api): void {
  defineRoute(api, {
    method: 'get',
    path: '/usage/export',
    operationId: 'exportUsage',
    summary: 'Usage ledger as CSV (streamed), newest first',
    description:
      'Streams every usage event matching the filters within the caller\'s scope as text/csv (header: occurred_at,id,organization_id,user_id,api_key_id,realm_id,model_id,idempotency_key,input_tokens,output_tokens,total_tokens,requests). One COPY in one snapshot, its bytes passed through: memory stays flat for millions of rows.',
    tags: ['Usage'],
    scope: 'usage:read',
    access: ['UsageEvent', 'read'],
    query: exportQuery,
    response: z.string().openapi({ description: 'text/csv' }),
    responseDescription: 'CSV (Content-Type: text/csv), one line per usage event',
    async handle({ res, query, actor }) {
      const filter = usageFilterFrom(query as Record<string, unknown>);
      await streamCsv(res, `usage-${new Date().toISOString().slice(0, 10)}.csv`, api.deps.ledgerCsv.usage(actor, filter));
      return '';
    },
  });
}
