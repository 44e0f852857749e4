import { OrganizationType, PricingPlan, TokenLimitPeriod } from '@prisma/client';
import { z } from 'zod';
import { flag, oneOf, optionalText, requiredText, uuid, wholeNumber } from '../shared/schema-kit.js';

/** One task a model is set up for: a name and the prompt that starts it. */
export const aiModelTaskSchema = z.object({
  name: requiredText(120),
  prompt: z.string({ required_error: 'Required' }).max(20_000, 'At most 20000 characters'),
});

const endpoint = () =>
  z
    .string()
    .trim()
    .max(2000, 'At most 2000 characters')
    .refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), 'Must be an http:// or https:// address')
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v));

/** A model (organizationId null = a system model). The provider API key is written separately, encrypted. */
export const aiModelCreateSchema = z.object({
  organizationId: uuid().nullable().optional(),
  name: requiredText(120),
  description: optionalText(),
  provider: requiredText(50),
  providerModelId: requiredText(120),
  role: requiredText(120),
  tasks: z.array(aiModelTaskSchema, { invalid_type_error: 'Must be a list of tasks' }).optional(),
  systemMessage: optionalText(),
  endpoint: endpoint(),
  maxTokens: wholeNumber(1).optional(),
  icon: optionalText(16),
  /** Empty = every organization type. */
  organizationTypes: z.array(oneOf(OrganizationType)).optional(),
  requiredPlan: oneOf(PricingPlan).optional(),
  tokenLimitPeriod: oneOf(TokenLimitPeriod).nullable().optional(),
  tokenLimitAmount: wholeNumber(0).nullable().optional(),
  isFree: flag().optional(),
  isTrial: flag().optional(),
  trialDays: wholeNumber(1, 3650).nullable().optional(),
  isActive: flag().optional(),
  isFeatured: flag().optional(),
  tags: z.array(requiredText(50)).optional(),
  sortOrder: wholeNumber(-1_000_000, 1_000_000).optional(),
});

export const aiModelUpdateSchema = aiModelCreateSchema.partial();

export type AiModelCreateInput = z.infer<typeof aiModelCreateSchema>;
export type AiModelUpdateInput = z.infer<typeof aiModelUpdateSchema>;
