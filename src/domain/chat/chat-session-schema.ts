import { z } from 'zod';
import { instant, requiredText, uuid } from '../shared/schema-kit.js';

/** A chat session in a realm, optionally with an agent. */
export const chatSessionCreateSchema = z.object({
  organizationId: uuid().optional(),
  userId: uuid().nullable().optional(),
  realmId: uuid().nullable().optional(),
  agentId: uuid().nullable().optional(),
  title: requiredText(200),
  lastMessageAt: instant().nullable().optional(),
});

export const chatSessionUpdateSchema = chatSessionCreateSchema.partial();

export type ChatSessionCreateInput = z.infer<typeof chatSessionCreateSchema>;
export type ChatSessionUpdateInput = z.infer<typeof chatSessionUpdateSchema>;
