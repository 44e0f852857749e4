import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import type { ClockDeps } from './rotate-api-key.js';

export const bulkRevokeApiKeysInput = z.object({
  apiKeyIds: z
    .array(z.string().uuid())
    .min(1)
    .max(1000)
    .refine((ids) => new Set(ids).size === ids.length, 'each key once'),
});
export type BulkRevokeApiKeysInput = z.input<typeof bulkRevokeApiKeysInput>;

/**
 * Revokes every listed key in one statement, or none: a single id outside the
 * actor's scope fails the batch with NOT_FOUND. Keys already revoked keep
 * their original revocation time and are reported as such.
 */
export async function bulkRevokeApiKeys(
  db: PrismaClient,
  actor: Actor,
  rawInput: BulkRevokeApiKeysInput,
  deps: ClockDeps = {},
  meta: RequestMeta = {},
): Promise<{ revoked: string[]; alreadyRevoked: string[] }> {
  const { apiKeyIds } = parseInput(bulkRevokeApiKeysInput, rawInput);
  const scope = requireScope(actor, 'ApiKey', 'update');
  const now = deps.now?.() ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const visible = await tx.apiKey.findMany({ where: { AND: [{ id: { in: apiKeyIds } }, scope] }, select: { id: true } });
    if (visible.length !== apiKeyIds.length) {
      const found = new Set(visible.map((k) => k.id));
      throw new AppError('NOT_FOUND', 'Some API keys were not found; none was revoked', { missing: apiKeyIds.filter((id) => !found.has(id)) });
    }
    // Every id is in scope (checked above, and row-level security stands behind it).
    const rows = await tx.$queryRaw<{ id: string; organization_id: string }[]>`
      UPDATE api_keys SET revoked_at = ${now}::timestamptz, updated_at = now()
       WHERE id = ANY(${apiKeyIds}::uuid[]) AND revoked_at IS NULL
      RETURNING id, organization_id`;
    for (const row of rows) {
      await recordAudit(tx, actor, { action: 'api-key.revoke', resource: 'ApiKey', recordId: row.id, organizationId: row.organization_id, before: { revokedAt: null }, after: { revokedAt: now, bulk: true } }, meta);
    }
    const done = new Set(rows.map((r) => r.id));
    return { revoked: apiKeyIds.filter((id) => done.has(id)), alreadyRevoked: apiKeyIds.filter((id) => !done.has(id)) };
  });
}
