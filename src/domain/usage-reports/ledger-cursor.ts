import { AppError } from '../shared/app-error.js';

/** Where a newest-first page ends: the (occurred_at, id) of its last row. */
export interface LedgerCursor {
  at: Date;
  id: string;
}

/** Lists count at most this many matching rows; past it the total reads "10,000+". */
export const COUNT_CAP = 10_000;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(row: { occurredAt: Date; id: string }): string {
  return `${row.occurredAt.toISOString()}_${row.id}`;
}

/** Parses a cursor from a URL; a malformed one is INVALID, never a full scan. */
export function decodeCursor(text: string): LedgerCursor {
  const [at, id, extra] = text.split('_');
  const date = new Date(at ?? '');
  if (extra !== undefined || !id || !UUID.test(id) || Number.isNaN(date.getTime())) throw new AppError('INVALID', 'Malformed page cursor');
  return { at: date, id };
}

/**
 * Rows strictly older than the cursor in (occurred_at DESC, id DESC) order.
 * The plain `lte` bound is what the planner turns into an index range; the OR
 * settles ties on the same millisecond.
 */
export function olderThan(c: LedgerCursor): Record<string, unknown> {
  return { AND: [{ occurredAt: { lte: c.at } }, { OR: [{ occurredAt: { lt: c.at } }, { occurredAt: c.at, id: { lt: c.id } }] }] };
}

export const NEWEST_FIRST = [{ occurredAt: 'desc' as const }, { id: 'desc' as const }];

export function pageSize(value: unknown): number {
  const n = Number(value ?? DEFAULT_PAGE_SIZE);
  if (!Number.isFinite(n)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(n)));
}
