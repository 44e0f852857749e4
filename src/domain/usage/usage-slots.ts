import type { QuotaMetric, QuotaPeriod, QuotaSubject } from '@prisma/client';
import type { UsableModel } from '../model-access/usable-models.js';
import { periodStart } from '../quotas/period.js';
import type { LimitName, Slot } from './usage-ops.js';

/** A counter slot's identity as text; `periodStartIso` when the caller has it written already. */
export const slotKey = (s: { subjectType: QuotaSubject; subjectId: string; metric: QuotaMetric; modelId: string | null; periodStart: Date }, periodStartIso = s.periodStart.toISOString()) =>
  `${s.subjectType}|${s.subjectId}|${s.metric}|${s.modelId ?? ''}|${periodStartIso}`;

/**
 * The counters one call moves: the organization's monthly API calls and the
 * key's monthly requests always; for a model that is not free also the
 * organization's and the key's monthly tokens and the user's tokens on that
 * model (in the model's limit period). Free models skip token limits.
 */
export function usageSlots(p: { organizationId: string; apiKeyId: string; userId: string | null; model: UsableModel; now: Date }): Slot[] {
  const month = periodStart('MONTHLY', p.now);
  const monthIso = month.toISOString(); // written once: this runs for every usage call
  const slot = (name: LimitName, subjectType: QuotaSubject, subjectId: string, metric: QuotaMetric, period: QuotaPeriod, modelId: string | null, tokens: boolean, start = month): Slot => {
    const s: Slot = { name, organizationId: p.organizationId, subjectType, subjectId, metric, modelId, period, periodStart: start, tokens, key: '' };
    s.key = slotKey(s, start === month ? monthIso : undefined);
    return s;
  };
  const slots = [
    slot('organization.monthlyApiCalls', 'ORGANIZATION', p.organizationId, 'API_CALLS', 'MONTHLY', null, false),
    slot('apiKey.monthlyRequests', 'API_KEY', p.apiKeyId, 'REQUESTS', 'MONTHLY', null, false),
  ];
  if (!p.model.isFree) {
    slots.push(slot('organization.monthlyTokens', 'ORGANIZATION', p.organizationId, 'TOKENS', 'MONTHLY', null, true));
    slots.push(slot('apiKey.monthlyTokens', 'API_KEY', p.apiKeyId, 'TOKENS', 'MONTHLY', null, true));
    if (p.userId) {
      const period = p.model.userPeriod;
      slots.push(slot('user.modelTokens', 'USER', p.userId, 'TOKENS', period, p.model.id, true, periodStart(period, p.now)));
    }
  }
  return slots;
}
