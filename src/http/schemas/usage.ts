import { z } from '../zod.js';
import { isoDateTime, uuid } from './common.js';

const LIMIT_NAMES = ['organization.monthlyTokens', 'organization.monthlyApiCalls', 'apiKey.monthlyTokens', 'apiKey.monthlyRequests', 'apiKey.requestsPerMinute', 'user.modelTokens'] as const;

export const limitStateSchema = z.object({
  limit: z.enum(LIMIT_NAMES),
  modelId: uuid.nullable(),
  period: z.enum(['MINUTE', 'DAILY', 'WEEKLY', 'MONTHLY', 'LIFETIME']),
  periodEnd: isoDateTime.nullable(),
  limitValue: z.number().int().nullable().openapi({ description: 'null = unlimited (still counted)' }),
  used: z.number().int(),
  reserved: z.number().int(),
  remaining: z.number().int().nullable(),
}).openapi('LimitState');

const tokenCount = (description: string) => z.number().int().min(0).max(1_000_000_000).openapi({ description, example: 120 });

export const recordUsageBody = z.object({
  model: z.string().min(1).max(200).openapi({ description: "A model's id or provider model id, as GET /models lists them", example: 'gpt-4o-mini' }),
  inputTokens: tokenCount('Prompt tokens'),
  outputTokens: tokenCount('Completion tokens'),
  idempotencyKey: z.string().min(1).max(200).openapi({ description: 'Per organization: a replay returns the first answer and counts nothing twice', example: 'req-7f3a' }),
  userId: uuid.optional().openapi({ description: "The end user (same organization); a user's key records for its owner only" }),
  realmId: uuid.optional(),
  metadata: z.record(z.unknown()).optional(),
}).strict().openapi('RecordUsage');

export const usageAnswerSchema = z.object({
  eventId: uuid,
  occurredAt: isoDateTime,
  model: z.object({ id: uuid, name: z.string(), providerModelId: z.string() }),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
  limits: z.array(limitStateSchema),
  replayed: z.boolean().openapi({ description: 'true when this is the first answer to an earlier request with the same idempotencyKey' }),
}).openapi('UsageRecorded');

export const holdBody = z.object({
  model: z.string().min(1).max(200).openapi({ example: 'gpt-4o-mini' }),
  estimatedTokens: tokenCount('Tokens to hold').min(1),
  idempotencyKey: z.string().min(1).max(200).optional(),
  userId: uuid.optional(),
  realmId: uuid.optional(),
}).strict().openapi('HoldReservation');

export const extendBody = z.object({ additionalTokens: tokenCount('More tokens to hold').min(1) }).strict().openapi('ExtendReservation');
export const settleBody = z.object({ inputTokens: tokenCount('Prompt tokens used'), outputTokens: tokenCount('Completion tokens used'), metadata: z.record(z.unknown()).optional() }).strict().openapi('SettleReservation');
export const releaseBody = z.object({}).strict();

export const reservationSchema = z.object({
  id: uuid,
  status: z.enum(['HELD', 'SETTLED', 'RELEASED', 'EXPIRED']),
  modelId: uuid,
  heldTokens: z.number().int(),
  expiresAt: isoDateTime,
  usage: z.object({ eventId: uuid, inputTokens: z.number().int(), outputTokens: z.number().int(), totalTokens: z.number().int() }).nullable(),
  limits: z.array(limitStateSchema),
  replayed: z.boolean(),
}).openapi('Reservation');

const callerLimitSchema = z.object({
  limit: z.enum(LIMIT_NAMES),
  subjectType: z.enum(['ORGANIZATION', 'USER', 'API_KEY']),
  subjectId: uuid,
  modelId: uuid.nullable(),
  modelName: z.string().nullable(),
  period: z.enum(['MINUTE', 'DAILY', 'WEEKLY', 'MONTHLY', 'LIFETIME']),
  periodStart: isoDateTime,
  periodEnd: isoDateTime.nullable(),
  limitValue: z.number().int().nullable(),
  used: z.number().int(),
  reserved: z.number().int(),
  remaining: z.number().int().nullable(),
}).openapi('CallerLimit');

export const quotaSchema = z.object({
  organizationId: uuid,
  apiKeyId: uuid.nullable(),
  userId: uuid.nullable(),
  at: isoDateTime,
  limits: z.array(callerLimitSchema),
}).openapi('Quota');

export const modelListSchema = z.object({
  items: z.array(z.object({
    id: uuid,
    name: z.string(),
    description: z.string().nullable(),
    provider: z.string(),
    providerModelId: z.string(),
    maxTokens: z.number().int(),
    isFree: z.boolean(),
    isTrial: z.boolean(),
    trialEndsAt: isoDateTime.nullable(),
    userQuota: callerLimitSchema.nullable().openapi({ description: "The caller's own token limit on this model and what is left (null without a user)" }),
  })),
}).openapi('UsableModels');
