/**
 * Dates as the panel shows them everywhere: ISO order, UTC, to the minute
 * ("2026-11-30 13:46"; date-only columns "2026-11-30"), whatever the
 * browser's time zone. Shared by the datetime components; not registered itself.
 */
export const UTC_FORMAT = { datetime: 'yyyy-MM-dd HH:mm', date: 'yyyy-MM-dd' } as const;

export function parseInstant(value: unknown): Date | null {
  if (value == null || value === '') return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-11-30 13:46" (datetime) or "2026-11-30" (date), in UTC; '' for no value. */
export function formatUtc(value: unknown, type: string): string {
  const d = parseInstant(value);
  if (!d) return '';
  const iso = d.toISOString();
  return type === 'date' ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ');
}

// The date picker works in the browser's local time: hand it the UTC wall clock, take the UTC instant back.
export const utcWallClock = (d: Date): Date => new Date(d.getTime() + d.getTimezoneOffset() * 60_000);
export const fromUtcWallClock = (d: Date): Date => new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
