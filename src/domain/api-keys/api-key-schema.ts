import { ApiKeyType } from '@prisma/client';
import { z } from 'zod';
import { instant, oneOf, optionalText, requiredText, uuid, wholeNumber } from '../shared/schema-kit.js';
import { API_KEY_LIMITS } from './api-key-rules.js';
import { API_KEY_SCOPES } from './api-key-scopes.js';

const scope = z.enum(API_KEY_SCOPES, { errorMap: () => ({ message: `Choose from: ${API_KEY_SCOPES.join(', ')}` }) });

/**
 * The editable fields of an API key. Keys are created only through issueApiKey
 * (it makes the secret), so this is also its input's shape; prefix, hash,
 * revocation and last use are never written from a request.
 */
export const apiKeyCreateSchema = z.object({
  organizationId: uuid().optional(),
  userId: uuid().nullable().optional(),
  realmId: uuid().nullable().optional(),
  name: requiredText(100),
  description: optionalText(),
  type: oneOf(ApiKeyType).optional(),
  scopes: z.array(scope).optional(),
  maxTokens: wholeNumber(API_KEY_LIMITS.maxTokens.min, API_KEY_LIMITS.maxTokens.max).nullable().optional(),
  rateLimitPerMinute: wholeNumber(API_KEY_LIMITS.rateLimitPerMinute.min, API_KEY_LIMITS.rateLimitPerMinute.max).nullable().optional(),
  /** Empty = every model the organization may use. */
  allowedModelIds: z.array(uuid()).optional(),
  expiresAt: instant().nullable().optional(),
});

/** Changes to a key (name, limits, scopes, models, expiry): the same rules, every field optional. */
export const apiKeyUpdateSchema = apiKeyCreateSchema.partial();

export type ApiKeyCreateInput = z.infer<typeof apiKeyCreateSchema>;
export type ApiKeyUpdateInput = z.infer<typeof apiKeyUpdateSchema>;
