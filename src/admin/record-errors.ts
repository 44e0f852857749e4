import { ValidationError } from 'adminjs';
import { Prisma } from '@prisma/client';
import { isAppError } from '../domain/shared/app-error.js';
import { fieldErrorsOf } from '../domain/shared/field-errors.js';

/**
 * A validation error AdminJS treats as one: its new/edit actions look only at
 * property errors, so a record-level refusal also carries one under `_record`.
 */
export function refuse(message: string, fields: string[] = []): ValidationError {
  const props = fields.length ? fields : ['_record'];
  return new ValidationError(Object.fromEntries(props.map((f) => [f, { message }])), { message });
}

interface PgCause {
  originalCode?: string;
  originalMessage?: string;
  constraint?: { fields?: string[] };
}

/**
 * A domain INVALID error with per-field messages (write rules, resource
 * schemas) as AdminJS's ValidationError, keyed by the form's names: AdminJS
 * then shows each message under its field and keeps what was typed.
 */
export function panelValidationError(e: unknown, columnToFormPath: (column: string) => string): ValidationError | null {
  const fields = fieldErrorsOf(e);
  if (!fields || !isAppError(e)) return null;
  const errors = Object.fromEntries(Object.entries(fields).map(([column, message]) => [columnToFormPath(column), { message }]));
  return new ValidationError(errors, { message: e.message });
}

/** Constraint and data errors become notices; anything else stays a 500. */
export async function mapPrismaErrors<T>(columnToPath: (dbColumn: string) => string, fn: () => Promise<T>, formPath: (column: string) => string = (c) => c): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const invalid = panelValidationError(e, formPath);
    if (invalid) throw invalid;
    const err = e as { name?: string; meta?: { driverAdapterError?: { cause?: PgCause } }; cause?: PgCause };
    const cause = e instanceof Prisma.PrismaClientKnownRequestError ? err.meta?.driverAdapterError?.cause : err.name === 'DriverAdapterError' ? err.cause : undefined;
    const sqlState = cause?.originalCode ?? '';
    if (sqlState === '23505') {
      const fields = (cause?.constraint?.fields ?? []).map(columnToPath);
      throw refuse(`A record with the same ${fields.join(', ') || 'key'} already exists`, fields);
    }
    if (sqlState === '23503' || sqlState === '23001') {
      // 23001 is also what the append-only triggers raise: their message says why.
      const own = cause?.originalMessage?.includes('append-only') ? cause.originalMessage : undefined;
      throw refuse(own ?? 'Other records refer to this one, or it refers to a record that does not exist');
    }
    if (sqlState === '22001') throw refuse('A value is too long');
    if (sqlState === '42501') throw refuse('Row-level security refused this change for your organization');
    if (sqlState.startsWith('22') || sqlState.startsWith('23')) throw refuse(`The database refused the values (${sqlState})`);
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2025') throw refuse('Record not found');
    // A value of the wrong shape (unknown enum value, text in a number...): the message quotes code, keep it in the log.
    if (e instanceof Prisma.PrismaClientValidationError) throw refuse('Some values are not valid for this record');
    throw e;
  }
}
