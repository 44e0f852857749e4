import type { z } from 'zod';
import { AppError } from './app-error.js';

/** Validates input with a zod schema; failures become AppError INVALID naming the field. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  throw new AppError('INVALID', field ? `${field}: ${issue.message}` : issue.message, { field, issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
}
