import { ChatRole } from '@prisma/client';
import { z } from 'zod';
import { oneOf, uuid, wholeNumber } from '../shared/schema-kit.js';

/** A message of a chat session. */
export const chatMessageCreateSchema = z.object({
  organizationId: uuid().optional(),
  sessionId: uuid(),
  userId: uuid().nullable().optional(),
  role: oneOf(ChatRole),
  content: z.string({ required_error: 'Required' }).min(1, 'Required'),
  tokens: wholeNumber(0).nullable().optional(),
});

export const chatMessageUpdateSchema = chatMessageCreateSchema.partial();

export type ChatMessageCreateInput = z.infer<typeof chatMessageCreateSchema>;
export type ChatMessageUpdateInput = z.infer<typeof chatMessageUpdateSchema>;
