import { z } from 'zod';

/**
 * What Portkey's gateway (1.15.2, `default.webhook` guardrail check) POSTs to
 * a webhook: the hook span's context with the request headers removed, plus
 * the event type. Only the fields Realmgate reads are checked; the rest (the
 * prompt text, isTransformed flags, anything a later gateway adds) passes,
 * so a gateway upgrade that adds a field does not turn every hook into an
 * error (which the gateway treats as a pass unless failOnError is set).
 */
export const PORTKEY_REQUEST_ID_KEY = 'realmgate_request_id';
export const PORTKEY_USER_ID_KEY = 'realmgate_user_id';
/** Idempotency keys are at most 200 characters; this prefix keeps the gateway's ids apart from other callers'. */
export const PORTKEY_KEY_PREFIX = 'portkey:';
const MAX_REQUEST_ID = 200 - PORTKEY_KEY_PREFIX.length;

/** Request types whose usage the after hook reports (the gateway skips after hooks for the rest). */
export const METERED_REQUEST_TYPES = ['chatComplete', 'complete', 'messages'] as const;

export const portkeyHookPayload = z
  .object({
    eventType: z.enum(['beforeRequestHook', 'afterRequestHook']),
    requestType: z.string().max(100),
    provider: z.string().max(100).optional(),
    metadata: z
      .object({
        [PORTKEY_REQUEST_ID_KEY]: z
          .string({ required_error: `x-portkey-metadata must carry ${PORTKEY_REQUEST_ID_KEY}, so that the two hooks of one request meet` })
          .min(1)
          .max(MAX_REQUEST_ID, `${PORTKEY_REQUEST_ID_KEY} must be at most ${MAX_REQUEST_ID} characters`),
        [PORTKEY_USER_ID_KEY]: z.string().uuid().optional(),
      })
      .passthrough(),
    request: z
      .object({
        json: z.record(z.unknown()),
        isStreamingRequest: z.boolean().optional(),
      })
      .passthrough(),
    response: z
      .object({
        json: z.record(z.unknown()).nullable().optional(),
        statusCode: z.number().int().nullable().optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export type PortkeyHookPayload = z.output<typeof portkeyHookPayload>;

const count = z.number().int().min(0).max(1_000_000_000);
const openAiUsage = z.object({ prompt_tokens: count, completion_tokens: count }).passthrough();
const anthropicUsage = z.object({ input_tokens: count, output_tokens: count }).passthrough();

/** The provider's reported usage in the answer (OpenAI or Anthropic shape), or null when it reported none. */
export function reportedUsage(responseJson: Record<string, unknown> | null | undefined): { inputTokens: number; outputTokens: number } | null {
  const usage = responseJson?.usage;
  const openAi = openAiUsage.safeParse(usage);
  if (openAi.success) return { inputTokens: openAi.data.prompt_tokens, outputTokens: openAi.data.completion_tokens };
  const anthropic = anthropicUsage.safeParse(usage);
  if (anthropic.success) return { inputTokens: anthropic.data.input_tokens, outputTokens: anthropic.data.output_tokens };
  return null;
}

/** The idempotency key under which one gateway request's hold and usage are kept. */
export const portkeyIdempotencyKey = (payload: PortkeyHookPayload) => `${PORTKEY_KEY_PREFIX}${payload.metadata[PORTKEY_REQUEST_ID_KEY]}`;
