import type { QuotaMetric, QuotaPeriod, QuotaSubject, ReservationStatus } from '@prisma/client';

/** What one batch reads from PostgreSQL before deciding (rows it holds locked where it changes them). */

export interface KeyState {
  id: string;
  organizationId: string;
  userId: string | null;
  /** the key's realm: usage without a realmId is recorded there */
  realmId: string | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  maxTokens: number | null;
  ratePerMinute: number | null;
  allowedModelIds: string[];
  orgActive: boolean;
  orgTokenQuota: number | null;
  orgApiCallQuota: number | null;
  /** null for a key without an owner */
  ownerUsable: boolean | null;
}

export interface UserState {
  id: string;
  organizationId: string | null;
  usable: boolean;
}

export interface RealmState {
  id: string;
  organizationId: string;
  isActive: boolean;
}

export interface ReservationRow {
  organizationId: string;
  id: string;
  apiKeyId: string;
  userId: string | null;
  realmId: string | null;
  modelId: string;
  idempotencyKey: string | null;
  status: ReservationStatus;
  heldTokens: number;
  tokenCounterIds: string[];
  callCounterIds: string[];
  expiresAt: Date;
  inputTokens: number | null;
  outputTokens: number | null;
  usageEventId: string | null;
}

export interface CounterRow {
  id: string;
  organizationId: string;
  subjectType: QuotaSubject;
  subjectId: string;
  metric: QuotaMetric;
  modelId: string | null;
  period: QuotaPeriod;
  periodStart: Date;
  used: number;
  reserved: number;
  limit: number | null;
}

export interface RateWindow {
  organizationId: string;
  apiKeyId: string;
  windowStart: Date;
  requests: number;
}

export interface LedgerRow {
  id: string;
  occurredAt: Date;
  organizationId: string;
  userId: string | null;
  apiKeyId: string;
  realmId: string | null;
  modelId: string;
  idempotencyKey: string | null;
  inputTokens: number;
  outputTokens: number;
  metadata: Record<string, unknown>;
}

export const orgKey = (organizationId: string, key: string) => `${organizationId}\u0000${key}`;
