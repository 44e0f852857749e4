import { z } from 'zod';
import { flag, uuid, wholeNumber } from '../shared/schema-kit.js';

/** A user's own limit on a model, set by an org admin; tokenLimit null = the organization's limit. */
export const userModelLimitCreateSchema = z.object({
  organizationId: uuid().optional(),
  userId: uuid(),
  modelId: uuid(),
  isEnabled: flag().optional(),
  tokenLimit: wholeNumber(0).nullable().optional(),
});

export const userModelLimitUpdateSchema = userModelLimitCreateSchema.partial();

export type UserModelLimitCreateInput = z.infer<typeof userModelLimitCreateSchema>;
export type UserModelLimitUpdateInput = z.infer<typeof userModelLimitUpdateSchema>;
