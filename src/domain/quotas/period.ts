import type { QuotaPeriod } from '@prisma/client';

/**
 * Quota periods are calendar-aligned in UTC: a day starts at 00:00, a week on
 * Monday 00:00 (ISO 8601), a month on the 1st. A counter row is keyed by its
 * period start, so rollover needs no job: the first use in a new period simply
 * lands in a new row, exactly once, whichever instance gets there first.
 */
export const LIFETIME_START = new Date(Date.UTC(1970, 0, 1));

/** Start of the period containing `at`. */
export function periodStart(period: QuotaPeriod, at: Date = new Date()): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  switch (period) {
    case 'DAILY':
      return new Date(Date.UTC(y, m, d));
    case 'WEEKLY': {
      const daysSinceMonday = (at.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(y, m, d - daysSinceMonday));
    }
    case 'MONTHLY':
      return new Date(Date.UTC(y, m, 1));
    case 'LIFETIME':
      return LIFETIME_START;
  }
}

/** Start of the next period (exclusive end of the current one); null for LIFETIME. */
export function periodEnd(period: QuotaPeriod, at: Date = new Date()): Date | null {
  const start = periodStart(period, at);
  switch (period) {
    case 'DAILY':
      return new Date(start.getTime() + 86_400_000);
    case 'WEEKLY':
      return new Date(start.getTime() + 7 * 86_400_000);
    case 'MONTHLY':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    case 'LIFETIME':
      return null;
  }
}
