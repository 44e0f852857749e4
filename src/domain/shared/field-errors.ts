import { AppError, isAppError } from './app-error.js';

/** Messages in words, keyed by column name (organizationId, not the form's "organization"). */
export type FieldErrors = Record<string, string>;

/**
 * One INVALID error carrying a message per field: the panel shows each on its
 * field, the API answers them in its error envelope (details.fields).
 */
export function invalidFields(fields: FieldErrors, message = 'Some fields cannot be saved'): AppError {
  return new AppError('INVALID', message, { fields });
}

/** The per-field messages of an INVALID error, if it has any. */
export function fieldErrorsOf(e: unknown): FieldErrors | null {
  if (!isAppError(e) || e.code !== 'INVALID') return null;
  const fields = e.details?.fields;
  if (fields && typeof fields === 'object') return fields as FieldErrors;
  if (typeof e.details?.field === 'string') return { [e.details.field]: e.message };
  return null;
}
