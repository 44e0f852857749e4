import type { z } from 'zod';
import { AppError } from './app-error.js';
import { fieldLabel, issuesByField, wordedErrors } from './schema-kit.js';

/**
 * Validates input with a zod schema; failures become AppError INVALID whose
 * message names the field in words ("Token limit per user: Must be 0 or more"),
 * with every field's message in details.fields.
 */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { errorMap: wordedErrors });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  const fields = issuesByField(result.error);
  const first = field ? fields[String(issue.path[0])] ?? issue.message : issue.message;
  throw new AppError('INVALID', field ? `${fieldLabel(String(issue.path[0]))}: ${first}` : issue.message, {
    field,
    fields,
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}
