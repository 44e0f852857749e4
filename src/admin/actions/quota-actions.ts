import type { QuotaSubject } from '@prisma/client';
import type { ActionContext } from 'adminjs';
import type { AppDeps } from '../../app.js';
import type { ResourceName } from '../../domain/access/permissions.js';
import { bulkResetQuotas } from '../../domain/quotas/bulk-reset-quotas.js';
import { quotaStats, type QuotaStats } from '../../domain/quotas/quota-stats.js';
import { resetQuota } from '../../domain/quotas/reset-quota.js';
import { AppError } from '../../domain/shared/app-error.js';
import type { UserActor } from '../access/admin-request.js';
import { Components } from '../components.js';
import { actorIn, adapt, allows, customAction, json, plural, type ActionInput } from './action-kit.js';

type Wanted = { counterId: string; expectedGeneration: number };

const statsOf = (deps: AppDeps, actor: UserActor, subjectType: QuotaSubject, subjectId: string): Promise<QuotaStats> =>
  quotaStats(deps.db, actor, { subjectType, subjectId });

/** The counters the confirmation showed, each with the generation it showed (so a reset in between is a CONFLICT, not a second reset). */
function wantedCounters(input: ActionInput, shown: QuotaStats[]): Wanted[] {
  const raw = json<unknown>(input.payload.counters, 'counters');
  if (!Array.isArray(raw) || !raw.length) throw new AppError('INVALID', 'Pick at least one quota to reset');
  const known = new Set(shown.flatMap((s) => s.metrics.map((m) => m.counterId)).filter(Boolean));
  return raw.map((c) => {
    const counterId = String((c as Wanted)?.counterId ?? '');
    const expectedGeneration = Number((c as Wanted)?.expectedGeneration);
    // Only this screen's subjects: a crafted id of another subject is refused here, and by the domain's scope anyway.
    if (!known.has(counterId)) throw new AppError('NOT_FOUND', 'Quota counter not found');
    if (!Number.isInteger(expectedGeneration) || expectedGeneration < 0) throw new AppError('INVALID', 'expectedGeneration: must be a whole number');
    return { counterId, expectedGeneration };
  });
}

const ALREADY_RESET = (n: number, of: number) =>
  `${n === of ? (of === 1 ? 'This quota was' : 'These quotas were') : `${n} of ${of} quotas were`} already reset by someone else since this page was opened; review the current usage and try again`;

/** Resets what the confirmation showed: one counter with resetQuota (CONFLICT if reset meanwhile), several in one compare-and-set. */
async function reset(deps: AppDeps, input: ActionInput, wanted: Wanted[]) {
  if (wanted.length === 1) {
    const r = await resetQuota(deps.db, input.actor, wanted[0]!, input.meta);
    return { reset: 1, usedBefore: Number(r.usedBefore) };
  }
  const r = await bulkResetQuotas(deps.db, input.actor, { counters: wanted }, input.meta);
  if (r.alreadyReset.length) {
    // The others were reset: say both.
    const done = r.reset.length ? ` (${plural(r.reset.length, 'other quota')} reset)` : '';
    throw new AppError('CONFLICT', `${ALREADY_RESET(r.alreadyReset.length, wanted.length)}${done}`);
  }
  return { reset: r.reset.length, usedBefore: r.reset.reduce((a, x) => a + Number(x.usedBefore), 0) };
}

/** Who may see which subject's quota buttons (the domain's authorizeQuotaReset decides). */
export type ResetAccess = (actor: UserActor | null, context: ActionContext) => boolean;

const ids = (context: ActionContext): string[] => (context.record ? [String(context.record.id())] : (context.records ?? []).map((r) => String(r.id())));

/**
 * "Reset quotas" on one subject (record) or many (bulk): GET shows current
 * usage per metric (quotaStats) for the confirmation; POST resets the counters
 * it showed, passing the generations it showed.
 */
export function resetQuotasAction(deps: AppDeps, resource: ResourceName, subjectType: QuotaSubject, kind: 'record' | 'bulk', label: string, mayReset: ResetAccess) {
  return customAction(resource, 'read', {
    actionType: kind,
    icon: 'RotateCcw',
    component: Components.ActionQuotaReset,
    custom: { label },
    isAccessible: (context: ActionContext) => allows(actorIn(context), 'QuotaCounter', 'read') && mayReset(actorIn(context), context),
    handler: adapt(deps.log, `${resource}.resetQuotas`, async (input) => {
      const subjects = ids(input.context);
      const shown = await Promise.all(subjects.map((id) => statsOf(deps, input.actor, subjectType, id)));
      if (!input.isPost) return { stats: shown };
      const r = await reset(deps, input, wantedCounters(input, shown));
      const after = await Promise.all(subjects.map((id) => statsOf(deps, input.actor, subjectType, id)));
      return { stats: after, notice: { message: `${r.reset === 1 ? 'Quota' : plural(r.reset, 'quota')} reset`, type: 'success' } };
    }),
  });
}

/** Read-only stats for the show page's quota panel (hidden action: the component calls it). */
export function quotaStatsAction(deps: AppDeps, resource: ResourceName, subjectType: QuotaSubject) {
  return customAction(resource, 'read', {
    actionType: 'record',
    isVisible: false,
    component: false,
    isAccessible: (context: ActionContext) => allows(actorIn(context), 'QuotaCounter', 'read'),
    handler: adapt(deps.log, `${resource}.quotaStats`, async ({ actor, context }) => ({ stats: await statsOf(deps, actor, subjectType, String(context.record!.id())) })),
  });
}
