import { HealthStatus, ToolCategory } from '@prisma/client';
import { z } from 'zod';
import { flag, oneOf, optionalText, requiredText } from '../shared/schema-kit.js';
import { slug } from './agent-schema.js';

/** A tool agents may call (global: no organization). */
export const toolCreateSchema = z.object({
  key: slug(),
  name: requiredText(100),
  description: optionalText(),
  emoji: optionalText(16),
  category: oneOf(ToolCategory),
  status: oneOf(HealthStatus).optional(),
  routePath: optionalText(100).refine((v) => v == null || v.startsWith('/'), 'Must start with /'),
  isEnabled: flag().optional(),
});

export const toolUpdateSchema = toolCreateSchema.partial();

export type ToolCreateInput = z.infer<typeof toolCreateSchema>;
export type ToolUpdateInput = z.infer<typeof toolUpdateSchema>;
