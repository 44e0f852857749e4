import { isAppError } from '../shared/app-error.js';

/**
 * The answer a Portkey webhook expects: `verdict`, and `data`, which the
 * gateway copies into the client's `hook_results` (other top-level fields are
 * dropped there). A refusal names the limit, what is left and when it resets,
 * so the client sees why its request got 446.
 */
export interface PortkeyVerdict {
  verdict: boolean;
  data: Record<string, unknown>;
}

export const allow = (data: Record<string, unknown>): PortkeyVerdict => ({ verdict: true, data });

/** Every refusal, whatever its cause, as `verdict: false` with the code and, for quotas, limit/left/reset. */
export function refusal(error: unknown): PortkeyVerdict {
  if (!isAppError(error)) return { verdict: false, data: { code: 'INTERNAL', message: 'Realmgate could not decide this request' } };
  const d = (error.details ?? {}) as Record<string, unknown>;
  const quota = error.code === 'QUOTA_EXCEEDED' || error.code === 'RATE_LIMITED';
  return {
    verdict: false,
    data: {
      code: error.code,
      message: error.message,
      ...(quota
        ? { limitName: d.limit ?? null, limit: d.limitValue ?? null, left: d.remaining ?? null, reset: d.periodEnd ?? null, retryAfterSeconds: d.retryAfterSeconds ?? null }
        : {}),
      ...(error.code === 'INVALID' && d.field ? { field: d.field } : {}),
    },
  };
}
