import type { OrganizationModelAccess, PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction, type Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { managedOrganizations, MODEL_FIELDS } from './managed-organizations.js';
import { modelEligibility } from './model-eligibility.js';

export const setModelAccessInput = z.object({
  organizationId: z.string().uuid(),
  modelId: z.string().uuid(),
  isEnabledForUsers: z.boolean(),
  /** null = the model's own limit; omitted = unchanged */
  tokenLimitPerUser: z.number().int().min(0).max(2_000_000_000).nullable().optional(),
  now: z.coerce.date().optional(),
});
export type SetModelAccessInput = z.input<typeof setModelAccessInput>;

type Row = {
  id: string; organization_id: string; model_id: string; is_enabled_for_users: boolean;
  token_limit_per_user: number | null; first_enabled_at: Date | null; created_at: Date; updated_at: Date;
};
export const toAccess = (r: Row): OrganizationModelAccess => ({
  id: r.id, organizationId: r.organization_id, modelId: r.model_id, isEnabledForUsers: r.is_enabled_for_users,
  tokenLimitPerUser: r.token_limit_per_user, firstEnabledAt: r.first_enabled_at, createdAt: r.created_at, updatedAt: r.updated_at,
});

/**
 * Upserts access rows in one statement. first_enabled_at is set by the first
 * enabling and never moved afterwards (trials count from it), even when two
 * admins enable the model at the same moment.
 */
export function upsertAccess(tx: Tx, modelId: string, organizationIds: string[], enabled: boolean, tokenLimitPerUser: number | null | undefined, now: Date): Promise<Row[]> {
  const keepLimit = tokenLimitPerUser === undefined;
  return tx.$queryRaw<Row[]>`
    INSERT INTO organization_model_access (organization_id, model_id, is_enabled_for_users, token_limit_per_user, first_enabled_at)
    SELECT o, ${modelId}::uuid, ${enabled}::boolean, ${tokenLimitPerUser ?? null}::int, CASE WHEN ${enabled}::boolean THEN ${now}::timestamptz END
      FROM unnest(${organizationIds}::uuid[]) AS o
    ON CONFLICT (organization_id, model_id) DO UPDATE
       SET is_enabled_for_users = EXCLUDED.is_enabled_for_users,
           token_limit_per_user = CASE WHEN ${keepLimit}::boolean THEN organization_model_access.token_limit_per_user ELSE EXCLUDED.token_limit_per_user END,
           first_enabled_at = COALESCE(organization_model_access.first_enabled_at, EXCLUDED.first_enabled_at),
           updated_at = now()
    RETURNING *`;
}

/**
 * Enables or disables a model for an organization's users and sets their
 * per-user token limit. Enabling a model the organization may not use (wrong
 * type, plan too low, trial over, inactive) fails INVALID saying why.
 */
export async function setModelAccess(db: PrismaClient, actor: Actor, rawInput: SetModelAccessInput, meta: RequestMeta = {}): Promise<OrganizationModelAccess> {
  const input = parseInput(setModelAccessInput, rawInput);
  const now = input.now ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const [org] = await managedOrganizations(tx, actor, [input.organizationId], 'update');
    const model = await tx.aiModel.findFirst({ where: { id: input.modelId, OR: [{ organizationId: null }, { organizationId: org!.id }] }, select: MODEL_FIELDS });
    if (!model) throw new AppError('NOT_FOUND', 'Model not found', { field: 'modelId' });
    const before = await tx.organizationModelAccess.findUnique({ where: { organizationId_modelId: { organizationId: org!.id, modelId: model.id } } });
    if (input.isEnabledForUsers) {
      const e = modelEligibility(model, org!, before?.firstEnabledAt ?? null, now);
      if (!e.eligible) throw new AppError('INVALID', `Cannot enable this model: ${e.message}`, { field: 'modelId', reason: e.reason });
    }
    const [row] = await upsertAccess(tx, model.id, [org!.id], input.isEnabledForUsers, input.tokenLimitPerUser, now);
    const after = toAccess(row!);
    await recordAudit(tx, actor, { action: 'model-access.set', resource: 'OrganizationModelAccess', recordId: after.id, organizationId: org!.id, before, after }, meta);
    return after;
  });
}
