import { z } from 'zod';
import { AppError } from '../shared/app-error.js';
import { API_KEY_SCOPES } from './api-key-scopes.js';

const INT_MAX = 2_147_483_647; // the columns are PostgreSQL integers

/**
 * The bounds of a key's limits, the one copy: apiKeyRules below (the domain's
 * write paths, numbers only) and apiKeyCreateSchema (forms and the REST
 * resource, which also take digit strings) both read them.
 */
export const API_KEY_LIMITS = {
  maxTokens: { min: 1, max: INT_MAX },
  rateLimitPerMinute: { min: 1, max: 1_000_000 },
} as const;

/**
 * The value rules of an API key, one copy for every write path: issuing
 * (issueApiKey), editing (updateApiKey), and the panel's generic edit form.
 * A limit is a positive whole number (none means "no limit"); an expiry, when
 * set or changed, lies in the future. The database backs the limits with
 * CHECK constraints (migration 0006_hardening_values).
 */
export const apiKeyRules = {
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1),
  maxTokens: z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(API_KEY_LIMITS.maxTokens.min, 'must be greater than 0').max(API_KEY_LIMITS.maxTokens.max),
  rateLimitPerMinute: z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(API_KEY_LIMITS.rateLimitPerMinute.min, 'must be greater than 0').max(API_KEY_LIMITS.rateLimitPerMinute.max),
  allowedModelIds: z.array(z.string().uuid()),
  expiresAt: z.coerce.date({ invalid_type_error: 'must be a date' }).refine((d) => d.getTime() > Date.now(), 'must be in the future'),
};

export type ApiKeyRuleField = 'maxTokens' | 'rateLimitPerMinute' | 'expiresAt';
const LIMIT_FIELDS: ApiKeyRuleField[] = ['maxTokens', 'rateLimitPerMinute', 'expiresAt'];

/**
 * Checks the limit and expiry values among `values` (null = none, allowed);
 * returns a message per offending field, empty when all hold.
 */
export function apiKeyValueProblems(values: Partial<Record<ApiKeyRuleField, unknown>>): Partial<Record<ApiKeyRuleField, string>> {
  const problems: Partial<Record<ApiKeyRuleField, string>> = {};
  for (const field of LIMIT_FIELDS) {
    if (!(field in values)) continue;
    const value = values[field];
    if (value === null || value === undefined) continue;
    const raw = field !== 'expiresAt' && typeof value === 'bigint' ? Number(value) : value;
    const result = apiKeyRules[field].safeParse(raw);
    if (!result.success) problems[field] = result.error.issues[0]!.message;
  }
  return problems;
}

/** apiKeyValueProblems as an AppError INVALID naming the first field. */
export function assertApiKeyValues(values: Partial<Record<ApiKeyRuleField, unknown>>): void {
  const problems = Object.entries(apiKeyValueProblems(values));
  if (problems.length) {
    const [field, message] = problems[0]!;
    throw new AppError('INVALID', `${field}: ${message}`, { field, issues: problems.map(([path, m]) => ({ path, message: m })) });
  }
}
