import { z } from 'zod';

/**
 * Building blocks for the resource schemas (src/domain/<area>/<resource>-schema.ts),
 * shared by the panel's write path and the REST API. Each accepts what either
 * adapter hands over: the panel converts form text to numbers, BigInt and Date
 * first; JSON bodies carry BigInt as a decimal string or a safe integer and
 * dates as ISO text. None has a default: a value that is sent is validated,
 * never replaced; an absent one is left to the database's default.
 */

/** Text that must be there (trimmed, not blank), at most `max` characters. */
export const requiredText = (max: number) => z.string({ required_error: 'Required' }).trim().min(1, 'Required').max(max, `At most ${max} characters`);

/** Optional text: blank is stored as "no value" (null). */
export const optionalText = (max?: number) =>
  (max ? z.string().trim().max(max, `At most ${max} characters`) : z.string().trim())
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v));

/** Free text where blank is a value (a summary may be empty). */
export const plainText = () => z.string();

export const uuid = () => z.string().uuid('Not a valid record id');

export const email = () => z.string({ required_error: 'Required' }).trim().toLowerCase().min(1, 'Required').max(254, 'At most 254 characters').email('Enter a valid email address, like name@example.com');

const INT = /^-?\d+$/;

/** A whole number between `min` and `max` (numbers or digit strings). */
export const wholeNumber = (min: number, max = 2_147_483_647) =>
  z
    .union([z.number(), z.string().regex(INT, 'Must be a whole number').transform(Number)], { errorMap: () => ({ message: 'Must be a whole number' }) })
    .pipe(
      z
        .number({ invalid_type_error: 'Must be a whole number' })
        .int('Must be a whole number')
        .min(min, min === 0 ? 'Must be 0 or more' : `Must be at least ${min}`)
        .max(max, `Must be at most ${max.toLocaleString('en-US')}`),
    );

/** A large non-negative count (tokens, bytes): BigInt, a safe integer or digits. */
export const bigCount = (min = 0n) =>
  z
    .union([z.bigint(), z.number().int('Must be a whole number'), z.string().trim().regex(INT, 'Must be a whole number')], { errorMap: () => ({ message: 'Must be a whole number' }) })
    .transform((v) => BigInt(v))
    .refine((v) => v >= min, min === 0n ? 'Must be 0 or more' : `Must be at least ${min}`)
    .refine((v) => v <= 9_223_372_036_854_775_807n, 'Too large');

/** A number between `min` and `max` (fractions allowed). */
export const decimal = (min: number, max: number) =>
  z
    .union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'Must be a number').transform(Number)], { errorMap: () => ({ message: 'Must be a number' }) })
    .pipe(z.number().min(min, `Must be at least ${min}`).max(max, `Must be at most ${max}`));

/** An instant: a Date or ISO 8601 text with a time zone (2026-01-31T12:00:00Z). */
export const instant = () =>
  z
    .union([z.date(), z.string().datetime({ offset: true })], { errorMap: () => ({ message: 'Enter a date and time like 2026-01-31T12:00:00Z' }) })
    .transform((v) => new Date(v))
    .refine((d) => !Number.isNaN(d.getTime()), 'Not a valid date');

/** One of an enum's values; the message lists them in words. */
export const oneOf = <T extends Record<string, string>>(values: T) =>
  z.nativeEnum(values, { errorMap: () => ({ message: `Choose one of: ${Object.values(values).map(words).join(', ')}` }) });

export const flag = () => z.boolean({ invalid_type_error: 'Must be yes or no' });

/** ENTERPRISE -> Enterprise, REAL_ESTATE -> Real estate. */
export function words(code: string): string {
  const s = code.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** tokenLimitPerUser -> Token limit per user. */
export function fieldLabel(path: string): string {
  const s = path.replace(/\.\d+$/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** zod's fallback messages, in words people use (types the schema did not word itself). */
export const wordedErrors: z.ZodErrorMap = (issue, ctx) => {
  if (issue.code === 'invalid_type') {
    if (issue.received === 'undefined' || issue.received === 'null') return { message: 'Required' };
    if (issue.expected === 'number' || issue.expected === 'bigint') return { message: 'Must be a number' };
    if (issue.expected === 'boolean') return { message: 'Must be yes or no' };
    if (issue.expected === 'array') return { message: 'Must be a list' };
    if (issue.expected === 'string') return { message: 'Must be text' };
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const n = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
    const small = issue.code === 'too_small';
    if (issue.type === 'string') return { message: small ? (n <= 1 ? 'Required' : `At least ${n} characters`) : `At most ${n} characters` };
    if (issue.type === 'array' || issue.type === 'set') return { message: small ? `Choose at least ${n}` : `Choose at most ${n}` };
    if (issue.type === 'number' || issue.type === 'bigint') {
      if (small) return { message: n === 0 ? (issue.inclusive ? 'Must be 0 or more' : 'Must be more than 0') : `Must be at least ${n.toLocaleString('en-US')}` };
      return { message: `Must be at most ${n.toLocaleString('en-US')}` };
    }
  }
  if (issue.code === 'invalid_string') {
    if (issue.validation === 'email') return { message: 'Enter a valid email address, like name@example.com' };
    if (issue.validation === 'uuid') return { message: 'Not a valid record id' };
    if (issue.validation === 'url') return { message: 'Must be a web address' };
    if (issue.validation === 'datetime') return { message: 'Enter a date and time like 2026-01-31T12:00:00Z' };
  }
  if (issue.code === 'invalid_enum_value') return { message: `Choose one of: ${issue.options.map((o) => words(String(o))).join(', ')}` };
  if (issue.code === 'invalid_date') return { message: 'Not a valid date' };
  if (issue.code === 'unrecognized_keys') return { message: `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` };
  return { message: ctx.defaultError };
};

/** Messages by field path ("tasks.0.name"), the first per field. */
export function issuesByField(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.length ? String(issue.path[0]) : '_record';
    const where = issue.path.slice(1).map((p) => (typeof p === 'number' ? `item ${p + 1}` : fieldLabel(String(p)).toLowerCase())).join(', ');
    out[path] ??= where ? `${where.charAt(0).toUpperCase()}${where.slice(1)}: ${issue.message}` : issue.message;
  }
  return out;
}
