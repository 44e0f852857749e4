import { JobStatus } from '@prisma/client';
import { z } from 'zod';
import { instant, oneOf, requiredText, uuid, wholeNumber } from '../shared/schema-kit.js';

/** An ingestion job of a document; percentage runs from 0 to 100. */
export const ingestionJobCreateSchema = z.object({
  organizationId: uuid().optional(),
  userId: uuid().nullable().optional(),
  realmId: uuid().nullable().optional(),
  documentId: uuid(),
  documentName: requiredText(255),
  documentType: requiredText(100),
  status: oneOf(JobStatus).optional(),
  percentage: wholeNumber(0, 100).optional(),
  summary: z.string().max(20_000, 'At most 20000 characters').optional(),
  startedAt: instant().optional(),
  endedAt: instant().nullable().optional(),
});

export const ingestionJobUpdateSchema = ingestionJobCreateSchema.partial();

export type IngestionJobCreateInput = z.infer<typeof ingestionJobCreateSchema>;
export type IngestionJobUpdateInput = z.infer<typeof ingestionJobUpdateSchema>;
