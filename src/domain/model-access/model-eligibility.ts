import type { OrganizationType, PricingPlan } from '@prisma/client';
import { PLAN_ORDER } from '../access/scope.js';

export type IneligibleReason = 'INACTIVE' | 'OTHER_ORGANIZATION' | 'WRONG_TYPE' | 'PLAN_TOO_LOW' | 'TRIAL_OVER';

export interface EligibilityModel {
  name: string;
  organizationId: string | null;
  isActive: boolean;
  organizationTypes: OrganizationType[];
  requiredPlan: PricingPlan;
  isTrial: boolean;
  trialDays: number | null;
}

export interface EligibilityOrg {
  id: string;
  type: OrganizationType;
  pricingPlan: PricingPlan;
}

export type Eligibility =
  | { eligible: true; trialEndsAt: Date | null }
  | { eligible: false; reason: IneligibleReason; message: string; trialEndsAt: Date | null };

const DAY_MS = 86_400_000;

/**
 * End of a trial: trials count in whole UTC days from the day the model was
 * first enabled for the organization (that day is day 1). null when the model
 * is no trial, has no length, or was never enabled (the trial has not started).
 */
export function trialEndsAt(model: Pick<EligibilityModel, 'isTrial' | 'trialDays'>, firstEnabledAt: Date | null): Date | null {
  if (!model.isTrial || model.trialDays == null || !firstEnabledAt) return null;
  const day = Date.UTC(firstEnabledAt.getUTCFullYear(), firstEnabledAt.getUTCMonth(), firstEnabledAt.getUTCDate());
  return new Date(day + model.trialDays * DAY_MS);
}

/** Whether `org` may enable `model` at `now`, and if not, why, in words an admin understands. */
export function modelEligibility(model: EligibilityModel, org: EligibilityOrg, firstEnabledAt: Date | null, now: Date): Eligibility {
  const ends = trialEndsAt(model, firstEnabledAt);
  const no = (reason: IneligibleReason, message: string): Eligibility => ({ eligible: false, reason, message, trialEndsAt: ends });
  if (!model.isActive) return no('INACTIVE', `"${model.name}" is not active`);
  if (model.organizationId !== null) {
    // An organization's own model is for that organization only, whatever its type or plan.
    return model.organizationId === org.id ? { eligible: true, trialEndsAt: ends } : no('OTHER_ORGANIZATION', `"${model.name}" belongs to another organization`);
  }
  if (model.organizationTypes.length > 0 && !model.organizationTypes.includes(org.type)) {
    return no('WRONG_TYPE', `"${model.name}" is not offered to ${org.type} organizations (only ${model.organizationTypes.join(', ')})`);
  }
  if (PLAN_ORDER.indexOf(org.pricingPlan) < PLAN_ORDER.indexOf(model.requiredPlan)) {
    return no('PLAN_TOO_LOW', `"${model.name}" needs the ${model.requiredPlan} plan or higher; this organization is on ${org.pricingPlan}`);
  }
  if (ends && now.getTime() >= ends.getTime()) {
    return no('TRIAL_OVER', `The ${model.trialDays}-day trial of "${model.name}" for this organization ended on ${ends.toISOString().slice(0, 10)}`);
  }
  return { eligible: true, trialEndsAt: ends };
}
