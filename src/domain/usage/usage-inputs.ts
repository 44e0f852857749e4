import { z } from 'zod';

/**
 * Inputs of the hot path. Token counts are JSON integers (no strings, no
 * fractions), each at most one billion so that a total always fits the
 * ledger's int columns; anything else is INVALID before a batch sees it.
 */
export const MAX_TOKENS_PER_FIELD = 1_000_000_000;

const tokens = (what: string) =>
  z.number({ invalid_type_error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} must not be negative`)
    .max(MAX_TOKENS_PER_FIELD, `${what} must be at most ${MAX_TOKENS_PER_FIELD}`);

const positiveTokens = (what: string) => tokens(what).min(1, `${what} must be at least 1`);

export const idempotencyKey = z.string().min(1).max(200, 'idempotencyKey must be at most 200 characters');
const modelRef = z.string().min(1).max(200);
const metadata = z.record(z.unknown()).refine((m) => JSON.stringify(m).length <= 4096, 'metadata must be at most 4 KB of JSON');

export const recordUsageInput = z.object({
  /** a model's id or its provider model id, as GET /models lists them */
  model: modelRef,
  inputTokens: tokens('inputTokens'),
  outputTokens: tokens('outputTokens'),
  idempotencyKey,
  userId: z.string().uuid().optional(),
  realmId: z.string().uuid().optional(),
  metadata: metadata.optional(),
}).strict().refine((u) => u.inputTokens + u.outputTokens > 0, { message: 'inputTokens + outputTokens must be at least 1', path: ['outputTokens'] });
export type RecordUsageInput = z.input<typeof recordUsageInput>;

export const holdReservationInput = z.object({
  model: modelRef,
  estimatedTokens: positiveTokens('estimatedTokens'),
  idempotencyKey: idempotencyKey.optional(),
  userId: z.string().uuid().optional(),
  realmId: z.string().uuid().optional(),
}).strict();
export type HoldReservationInput = z.input<typeof holdReservationInput>;

export const reservationRef = z.object({ reservationId: z.string().uuid() }).strict();

export const extendReservationInput = z.object({
  reservationId: z.string().uuid(),
  additionalTokens: positiveTokens('additionalTokens'),
}).strict();
export type ExtendReservationInput = z.input<typeof extendReservationInput>;

export const settleReservationInput = z.object({
  reservationId: z.string().uuid(),
  inputTokens: tokens('inputTokens'),
  outputTokens: tokens('outputTokens'),
  metadata: metadata.optional(),
}).strict();
export type SettleReservationInput = z.input<typeof settleReservationInput>;

export const releaseReservationInput = reservationRef;
export type ReleaseReservationInput = z.input<typeof releaseReservationInput>;
