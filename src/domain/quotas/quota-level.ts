/** Seed 004: a quota warns at 80% used and is exceeded at 100%. The one copy of those thresholds. */
export const QUOTA_WARNING_PERCENT = 80;
export const QUOTA_EXCEEDED_PERCENT = 100;

export type QuotaLevel = 'ok' | 'warning' | 'exceeded';

export function quotaLevel(percentUsed: number): QuotaLevel {
  if (percentUsed >= QUOTA_EXCEEDED_PERCENT) return 'exceeded';
  return percentUsed >= QUOTA_WARNING_PERCENT ? 'warning' : 'ok';
}
