import { z } from 'zod';
import { flag, uuid, wholeNumber } from '../shared/schema-kit.js';

/** An organization's access to a model; tokenLimitPerUser null = the model's own limit. */
export const organizationModelAccessCreateSchema = z.object({
  organizationId: uuid().optional(),
  modelId: uuid(),
  isEnabledForUsers: flag().optional(),
  tokenLimitPerUser: wholeNumber(0).nullable().optional(),
});

export const organizationModelAccessUpdateSchema = organizationModelAccessCreateSchema.partial();

export type OrganizationModelAccessCreateInput = z.infer<typeof organizationModelAccessCreateSchema>;
export type OrganizationModelAccessUpdateInput = z.infer<typeof organizationModelAccessUpdateSchema>;
