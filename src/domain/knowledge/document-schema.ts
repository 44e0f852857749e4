import { DocumentState } from '@prisma/client';
import { z } from 'zod';
import { bigCount, decimal, instant, oneOf, requiredText, uuid, wholeNumber } from '../shared/schema-kit.js';

/** A document of a knowledge base; quality is a score from 0 to 1. */
export const documentCreateSchema = z.object({
  organizationId: uuid().optional(),
  userId: uuid().nullable().optional(),
  realmId: uuid().nullable().optional(),
  knowledgeBaseId: uuid().nullable().optional(),
  name: requiredText(255),
  mimeType: requiredText(100).regex(/^[\w.+-]+\/[\w.+-]+$/, 'A media type like text/plain or application/pdf'),
  state: oneOf(DocumentState).optional(),
  version: wholeNumber(1).optional(),
  chunks: wholeNumber(0).optional(),
  quality: decimal(0, 1).optional(),
  sizeBytes: bigCount().optional(),
  uploadedAt: instant().optional(),
});

export const documentUpdateSchema = documentCreateSchema.partial();

export type DocumentCreateInput = z.infer<typeof documentCreateSchema>;
export type DocumentUpdateInput = z.infer<typeof documentUpdateSchema>;
