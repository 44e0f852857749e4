import { z } from 'zod';
import { instant, optionalText, requiredText, uuid, wholeNumber } from '../shared/schema-kit.js';

/** A knowledge base ("database" in the realm plan); names are unique per realm (the database says so). */
export const knowledgeBaseCreateSchema = z.object({
  organizationId: uuid().optional(),
  userId: uuid().nullable().optional(),
  realmId: uuid().nullable().optional(),
  serverId: uuid().nullable().optional(),
  name: requiredText(100),
  description: optionalText(),
  documentCount: wholeNumber(0).optional(),
  lastUpdatedAt: instant().optional(),
});

export const knowledgeBaseUpdateSchema = knowledgeBaseCreateSchema.partial();

export type KnowledgeBaseCreateInput = z.infer<typeof knowledgeBaseCreateSchema>;
export type KnowledgeBaseUpdateInput = z.infer<typeof knowledgeBaseUpdateSchema>;
