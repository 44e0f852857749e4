import { HealthStatus } from '@prisma/client';
import { z } from 'zod';
import { flag, oneOf, optionalText, requiredText, uuid } from '../shared/schema-kit.js';

/** Keys are how gateways name an agent or tool: lower case, digits and dashes. */
export const slug = () => requiredText(50).regex(/^[a-z0-9][a-z0-9_-]*$/, 'Lower-case letters, digits, - and _ only');

/** An agent (organizationId null = offered to every organization). */
export const agentCreateSchema = z.object({
  organizationId: uuid().nullable().optional(),
  key: slug(),
  name: requiredText(100),
  displayName: optionalText(100),
  description: optionalText(),
  modelId: uuid().nullable().optional(),
  status: oneOf(HealthStatus).optional(),
  isActive: flag().optional(),
});

export const agentUpdateSchema = agentCreateSchema.partial();

export type AgentCreateInput = z.infer<typeof agentCreateSchema>;
export type AgentUpdateInput = z.infer<typeof agentUpdateSchema>;
