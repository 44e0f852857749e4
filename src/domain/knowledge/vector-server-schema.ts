import { VectorServerType } from '@prisma/client';
import { z } from 'zod';
import { flag, oneOf, optionalText, requiredText, uuid, wholeNumber } from '../shared/schema-kit.js';

/** A vector server in a realm. Its password and API key are written separately, encrypted. */
export const vectorServerCreateSchema = z.object({
  organizationId: uuid().optional(),
  userId: uuid().nullable().optional(),
  realmId: uuid().nullable().optional(),
  name: requiredText(100),
  type: oneOf(VectorServerType),
  host: requiredText(255).regex(/^\S+$/, 'A host name or address, without spaces'),
  port: wholeNumber(1, 65535),
  username: optionalText(200),
  database: optionalText(200),
  collection: optionalText(200),
  isActive: flag().optional(),
});

export const vectorServerUpdateSchema = vectorServerCreateSchema.partial();

export type VectorServerCreateInput = z.infer<typeof vectorServerCreateSchema>;
export type VectorServerUpdateInput = z.infer<typeof vectorServerUpdateSchema>;
