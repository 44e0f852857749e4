import type { OrganizationType, PricingPlan, PrismaClient, TokenLimitPeriod } from '@prisma/client';
import { z } from 'zod';
import { eligibleSystemModelsWhere, scopeWhere } from '../access/scope.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { parseInput } from '../shared/parse-input.js';
import { managedOrganizations, MODEL_FIELDS } from './managed-organizations.js';
import { modelEligibility, type IneligibleReason } from './model-eligibility.js';

export const listManageableModelsInput = z.object({
  organizationId: z.string().uuid(),
  now: z.coerce.date().optional(),
});
export type ListManageableModelsInput = z.input<typeof listManageableModelsInput>;

export interface ManageableModel {
  id: string;
  name: string;
  description: string | null;
  provider: string;
  role: string;
  icon: string | null;
  /** the organization's own model rather than a system model */
  custom: boolean;
  organizationTypes: OrganizationType[];
  requiredPlan: PricingPlan;
  isFree: boolean;
  isTrial: boolean;
  trialDays: number | null;
  tokenLimitPeriod: TokenLimitPeriod | null;
  tokenLimitAmount: number | null;
  isFeatured: boolean;
  eligible: boolean;
  ineligibleReason: IneligibleReason | null;
  message: string | null;
  /** set once the trial has started (first enabled) */
  trialEndsAt: Date | null;
  access: { isEnabledForUsers: boolean; tokenLimitPerUser: number | null; firstEnabledAt: Date | null } | null;
}

/**
 * "Manage models" for one organization: the system models its type and plan
 * make eligible, its own models, and (for those who may see them) models it
 * still has access to but may no longer enable, each with its current access
 * and, when not eligible, the reason in words.
 */
export async function listManageableModels(db: PrismaClient, actor: Actor, rawInput: ListManageableModelsInput): Promise<ManageableModel[]> {
  const input = parseInput(listManageableModelsInput, rawInput);
  const now = input.now ?? new Date();
  return inActorTransaction(db, actor, async (tx) => {
    const [org] = await managedOrganizations(tx, actor, [input.organizationId], 'read');
    const visible = scopeWhere(actor, 'AiModel', 'read');
    const models = await tx.aiModel.findMany({
      where: {
        OR: [
          eligibleSystemModelsWhere(org!),
          { organizationId: org!.id },
          ...(visible ? [{ AND: [{ access: { some: { organizationId: org!.id } } }, visible] }] : []),
        ],
      },
      select: { ...MODEL_FIELDS, access: { where: { organizationId: org!.id }, select: { isEnabledForUsers: true, tokenLimitPerUser: true, firstEnabledAt: true } } },
      orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }],
    });
    return models.map(({ access: rows, ...model }) => {
      const access = rows[0] ?? null;
      const e = modelEligibility(model, org!, access?.firstEnabledAt ?? null, now);
      const { organizationId, isActive: _isActive, sortOrder: _sortOrder, ...shown } = model;
      return {
        ...shown,
        custom: organizationId !== null,
        eligible: e.eligible,
        ineligibleReason: e.eligible ? null : e.reason,
        message: e.eligible ? null : e.message,
        trialEndsAt: e.trialEndsAt,
        access,
      };
    });
  });
}
