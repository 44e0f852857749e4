import type { QuotaMetric, QuotaPeriod, QuotaSubject } from '@prisma/client';
import type { ModelCatalog, UsableModel, UserModelRule } from '../model-access/usable-models.js';
import type { AppError } from '../shared/app-error.js';

/** The limits the hot path checks, as named in answers and 429s. */
export type LimitName =
  | 'organization.monthlyTokens'
  | 'organization.monthlyApiCalls'
  | 'apiKey.monthlyTokens'
  | 'apiKey.monthlyRequests'
  | 'apiKey.requestsPerMinute'
  | 'user.modelTokens';

/** One quota_counters slot an operation moves. */
export interface Slot {
  key: string;
  name: LimitName;
  organizationId: string;
  subjectType: QuotaSubject;
  subjectId: string;
  metric: QuotaMetric;
  modelId: string | null;
  period: QuotaPeriod;
  periodStart: Date;
  /** tokens (true) or one call (false) */
  tokens: boolean;
}

interface OpBase {
  organizationId: string;
  apiKeyId: string;
}

/** What a usage or hold needs to be decided: resolved before the batch, checked again inside it. */
export interface AdmissionBase extends OpBase {
  modelRef: string;
  /** resolved against the cached catalog; the batch re-checks with the key's fresh allowed models */
  model: UsableModel;
  catalog: ModelCatalog;
  userRules: UserModelRule[];
  /** the user the usage counts for (input userId, else the key's owner) */
  userId: string | null;
  /** the userId the caller named, to be checked against the organization */
  namedUserId: string | null;
  realmId: string | null;
  slots: Slot[];
}

export interface UsageOp extends AdmissionBase {
  kind: 'usage';
  inputTokens: number;
  outputTokens: number;
  idempotencyKey: string;
  metadata: Record<string, unknown>;
}

export interface HoldOp extends AdmissionBase {
  kind: 'hold';
  estimatedTokens: number;
  idempotencyKey: string | null;
}

export interface ExtendOp extends OpBase {
  kind: 'extend';
  reservationId: string;
  additionalTokens: number;
}

export interface SettleOp extends OpBase {
  kind: 'settle';
  reservationId: string;
  inputTokens: number;
  outputTokens: number;
  metadata: Record<string, unknown>;
}

export interface ReleaseOp extends OpBase {
  kind: 'release';
  reservationId: string;
}

export type UsageOperation = UsageOp | HoldOp | ExtendOp | SettleOp | ReleaseOp;

/** Where a limit stands after the decision. */
export interface LimitState {
  limit: LimitName;
  modelId: string | null;
  period: QuotaPeriod | 'MINUTE';
  periodEnd: string | null;
  /** null = unlimited (still counted) */
  limitValue: number | null;
  used: number;
  reserved: number;
  remaining: number | null;
}

export interface ModelRef {
  id: string;
  name: string;
  providerModelId: string;
}

export interface UsageAnswer {
  eventId: string;
  occurredAt: string;
  model: ModelRef;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  limits: LimitState[];
}

export interface ReservationAnswer {
  id: string;
  status: 'HELD' | 'SETTLED' | 'RELEASED' | 'EXPIRED';
  modelId: string;
  heldTokens: number;
  expiresAt: string;
  /** set once settled */
  usage: { eventId: string; inputTokens: number; outputTokens: number; totalTokens: number } | null;
  limits: LimitState[];
}

/** A refusal carries an AppError; a batch that failed as a whole carries the cause (answered 500). */
export type Outcome<T> = { ok: true; value: T; replayed: boolean } | { ok: false; error: AppError | Error };
