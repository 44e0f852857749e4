import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { managedOrganizations, MODEL_FIELDS } from './managed-organizations.js';
import { modelEligibility } from './model-eligibility.js';
import { toAccess, upsertAccess } from './set-model-access.js';

export const grantModelToOrganizationsInput = z.object({
  modelId: z.string().uuid(),
  organizationIds: z
    .array(z.string().uuid())
    .min(1)
    .max(1000)
    .refine((ids) => new Set(ids).size === ids.length, 'each organization once'),
  /** true = grant (enable for users), false = withdraw */
  enabled: z.boolean(),
  now: z.coerce.date().optional(),
});
export type GrantModelToOrganizationsInput = z.input<typeof grantModelToOrganizationsInput>;

export interface IneligibleOrganization {
  organizationId: string;
  name: string;
  reason: string;
  message: string;
}

/**
 * Grants a system model to many organizations at once, or withdraws it, all
 * or nothing: if any organization may not use the model, none changes and the
 * error lists each one with its reason. Withdrawing keeps per-user limits and
 * the trial start, so a later grant does not restart a trial.
 */
export async function grantModelToOrganizations(
  db: PrismaClient,
  actor: Actor,
  rawInput: GrantModelToOrganizationsInput,
  meta: RequestMeta = {},
): Promise<{ changed: string[]; unchanged: string[] }> {
  const input = parseInput(grantModelToOrganizationsInput, rawInput);
  const now = input.now ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const model = await tx.aiModel.findFirst({ where: { id: input.modelId }, select: MODEL_FIELDS });
    if (!model) throw new AppError('NOT_FOUND', 'Model not found', { field: 'modelId' });
    if (model.organizationId !== null) throw new AppError('INVALID', "An organization's own model cannot be granted to other organizations", { field: 'modelId' });
    const orgs = await managedOrganizations(tx, actor, input.organizationIds, 'update');
    const existing = await tx.organizationModelAccess.findMany({ where: { modelId: model.id, organizationId: { in: input.organizationIds } } });
    const accessOf = new Map(existing.map((a) => [a.organizationId, a]));

    let targets = orgs.map((o) => o.id);
    if (input.enabled) {
      const ineligible: IneligibleOrganization[] = [];
      for (const org of orgs) {
        const e = modelEligibility(model, org, accessOf.get(org.id)?.firstEnabledAt ?? null, now);
        if (!e.eligible) ineligible.push({ organizationId: org.id, name: org.name, reason: e.reason, message: e.message });
      }
      if (ineligible.length) {
        throw new AppError('INVALID', `"${model.name}" cannot be granted to ${ineligible.length} of ${orgs.length} organizations; nothing was changed`, { field: 'organizationIds', ineligible });
      }
      targets = targets.filter((id) => accessOf.get(id)?.isEnabledForUsers !== true);
    } else {
      targets = targets.filter((id) => accessOf.get(id)?.isEnabledForUsers === true); // no row = nothing to withdraw
    }

    const rows = targets.length ? await upsertAccess(tx, model.id, targets, input.enabled, undefined, now) : [];
    for (const row of rows) {
      const after = toAccess(row);
      await recordAudit(tx, actor, {
        action: input.enabled ? 'model-access.grant' : 'model-access.withdraw',
        resource: 'OrganizationModelAccess',
        recordId: after.id,
        organizationId: after.organizationId,
        before: accessOf.get(after.organizationId) ?? null,
        after,
      }, meta);
    }
    const changed = new Set(rows.map((r) => r.organization_id));
    return { changed: input.organizationIds.filter((id) => changed.has(id)), unchanged: input.organizationIds.filter((id) => !changed.has(id)) };
  });
}
