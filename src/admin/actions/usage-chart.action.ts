import type { ActionContext } from 'adminjs';
import type { AppDeps } from '../../app.js';
import type { ResourceName } from '../../domain/access/permissions.js';
import { AppError } from '../../domain/shared/app-error.js';
import { CHART_WINDOWS, usageSeries, type UsageSubject } from '../../domain/usage-reports/usage-charts.js';
import { actorIn, adapt, allows, customAction } from './action-kit.js';
import { requireReads } from '../../db/tenant-sql-reads.js';

const SUBJECT: Partial<Record<ResourceName, keyof UsageSubject>> = {
  Organization: 'organizationId',
  User: 'userId',
  ApiKey: 'apiKeyId',
  Realm: 'realmId',
};

/** Hidden record action behind a show page's usage chart: the record's usage per day by model, from rollups. */
export function usageChartAction(deps: AppDeps, resource: ResourceName) {
  const key = SUBJECT[resource];
  if (!key) throw new Error(`No usage chart for ${resource}`);
  return customAction(resource, 'read', {
    actionType: 'record',
    isVisible: false,
    component: false,
    isAccessible: (context: ActionContext) => allows(actorIn(context), 'UsageDailyRollup', 'read'),
    handler: adapt(deps.log, `${resource}.usageChart`, async ({ actor, context, request }) => {
      const days = Number((request.query as Record<string, unknown> | undefined)?.days ?? 30);
      if (!(CHART_WINDOWS as readonly number[]).includes(days)) throw new AppError('INVALID', `days must be one of ${CHART_WINDOWS.join(', ')}`);
      return { series: await usageSeries(requireReads(deps.reads), actor, { days, subject: { [key]: String(context.record!.id()) } }) };
    }),
  });
}
