import { AppError } from '../shared/app-error.js';

/** Where a page ends: the last row's sort key and id (keyset pagination, stable under inserts). */
export interface CursorPosition {
  at: string | null;
  id: string;
}

export function encodeCursor(p: CursorPosition): string {
  return Buffer.from(JSON.stringify([p.at, p.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The position a cursor names, or INVALID for anything this server did not hand out. */
export function decodeCursor(cursor: string): CursorPosition {
  const invalid = () => new AppError('INVALID', 'cursor: not a cursor from a previous page', { field: 'cursor' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [at, id] = parsed as unknown[];
  if (typeof id !== 'string' || !UUID.test(id)) throw invalid();
  if (at !== null && (typeof at !== 'string' || Number.isNaN(Date.parse(at)))) throw invalid();
  return { at: at as string | null, id };
}
