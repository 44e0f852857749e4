import { OrganizationType, PricingPlan } from '@prisma/client';
import { z } from 'zod';
import { bigCount, flag, oneOf, optionalText, requiredText, wholeNumber } from '../shared/schema-kit.js';

/** A new organization: type and plan are chosen, never defaulted; quotas are 0 or more (absent or null = unlimited). */
export const organizationCreateSchema = z.object({
  name: requiredText(120),
  description: optionalText(),
  type: oneOf(OrganizationType),
  pricingPlan: oneOf(PricingPlan),
  isActive: flag().optional(),
  monthlyTokenQuota: bigCount().nullable().optional(),
  documentQuota: wholeNumber(0).nullable().optional(),
  storageQuotaBytes: bigCount().nullable().optional(),
  monthlyApiCallQuota: wholeNumber(0).nullable().optional(),
});

/** Changes to an organization: the same rules, every field optional. */
export const organizationUpdateSchema = organizationCreateSchema.partial();

export type OrganizationCreateInput = z.infer<typeof organizationCreateSchema>;
export type OrganizationUpdateInput = z.infer<typeof organizationUpdateSchema>;
