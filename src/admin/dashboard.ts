import type { PageContext, PageHandler } from 'adminjs';
import { noRead, readAll, requireReads } from '../db/tenant-sql-reads.js';
import type { AppDeps } from '../app.js';
import { periodStart } from '../domain/quotas/period.js';
import { actorFromAdmin, rowScope } from './auth/admin-access.js';
import { usageSeriesRead, topModelsOf, topUsageRead, refusalCountsRead, CHART_WINDOWS, type UsageSeries, type TopEntry } from '../domain/usage-reports/usage-charts.js';
import { quotaGaugesRead, type QuotaGauge } from '../domain/usage-reports/quota-gauges.js';
import { countRead, latestAuditRead, organizationNameRead } from '../domain/usage-reports/dashboard-reads.js';
import { rollupSumRead } from '../domain/usage-reports/rollup-tables.js';

type Where = Record<string, unknown>;

export interface DashboardData {
  scope: string;
  month: string;
  days: number;
  cards: { label: string; value: string; hint?: string; href?: string }[];
  series: UsageSeries;
  top: { organizations: TopEntry[]; models: TopEntry[]; users: TopEntry[]; keys: TopEntry[] };
  gauges: QuotaGauge[];
  refusals: { code: string; count: string }[];
  audit: { id: string; occurredAt: string; actorLabel: string | null; action: string; resource: string; href: string }[];
  /** Kept for older clients: the top models of the window. */
  topModels: { name: string; tokens: string; requests: string; href?: string }[];
}

const number = (n: number | bigint | string | null | undefined) => (n == null ? '0' : BigInt(n).toLocaleString('en-US'));
const and = (scope: Where, where: Where): Where => (Object.keys(scope).length ? { AND: [scope, where] } : where);

/**
 * The dashboard for the signed-in admin, scoped like each resource's list.
 * Usage numbers come from rollups (the coarsest that holds the viewer's scope,
 * rollup-tables.ts) and quota counters, never from the ledger, so it stays
 * fast at any ledger size. `?days=7|30|90` picks the window.
 */
export function dashboardHandler({ reads }: Pick<AppDeps, 'reads'>): PageHandler {
  return async (request: any, _response: unknown, context: PageContext): Promise<DashboardData> => {
    const admin = context.currentAdmin;
    const actor = actorFromAdmin(admin);
    const scope = (resource: string): Where | null => rowScope(admin, resource, 'read');
    const requested = Number(request?.query?.days);
    const days = (CHART_WINDOWS as readonly number[]).includes(requested) ? requested : 30;
    const since = periodStart('MONTHLY');
    const href = (resourceId: string) => context.h.resourceUrl({ resourceId });
    const orgScope = scope('Organization');
    const userScope = scope('User');
    const keyScope = scope('ApiKey');
    const realmScope = scope('Realm');
    const auditScope = scope('AuditLog');
    const now = new Date();
    const superadmin = admin?.role === 'SUPERADMIN';
    const rollupScope = scope('UsageDailyRollup');
    const monthWhere = rollupScope ? and(rollupScope, { day: { gte: since.toISOString().slice(0, 10) } }) : null;

    const none = noRead([] as TopEntry[]);
    // Every read of the page in ONE message to PostgreSQL, one snapshot, around
    // Prisma (TenantSqlReads): as a dozen Prisma queries in one transaction the
    // page cost 50 ms of CPU, mostly in Prisma's query compiler.
    const [orgs, users, keys, realms, month, series, topOrgs, topUsers, topKeys, gauges, refusals, audit, ownOrg] = await readAll(requireReads(reads), [
      countRead('Organization', superadmin ? orgScope : null, () => '"is_active"'),
      countRead('User', userScope, () => `"status" = 'ACTIVE'`),
      countRead('ApiKey', keyScope, (values) => {
        values.push(now);
        return `"revoked_at" IS NULL AND ("expires_at" IS NULL OR "expires_at" > $${values.length}::timestamptz)`;
      }),
      countRead('Realm', realmScope, () => '"is_active"'),
      monthWhere ? rollupSumRead(monthWhere) : noRead(null),
      actor ? usageSeriesRead(actor, { days, now }) : noRead<UsageSeries>({ days: [], models: [] }),
      actor && superadmin ? topUsageRead(actor, { by: 'organizationId', days, now }) : none,
      actor && admin?.role !== 'USER' ? topUsageRead(actor, { by: 'userId', days, now }) : none,
      actor ? topUsageRead(actor, { by: 'apiKeyId', days, now }) : none,
      actor ? quotaGaugesRead(actor, { now }) : noRead([] as QuotaGauge[]),
      actor ? refusalCountsRead(actor, { days, now }) : noRead([] as { code: string; count: string }[]),
      latestAuditRead(auditScope),
      organizationNameRead(orgScope, admin?.organizationId as string | undefined),
    ] as const);
    const topModels = topModelsOf(series);

    const cards: DashboardData['cards'] = [];
    if (orgs !== null) cards.push({ label: 'Active organizations', value: number(orgs), href: href('Organization') });
    if (users !== null) cards.push({ label: 'Active users', value: number(users), href: href('User') });
    if (realms !== null) cards.push({ label: 'Active realms', value: number(realms), href: href('Realm') });
    if (keys !== null) cards.push({ label: 'Usable API keys', value: number(keys), hint: 'Not revoked, not expired', href: href('ApiKey') });
    if (month) cards.push({ label: 'Tokens this month', value: number(month.tokens), hint: `${number(month.requests)} requests`, href: href('UsageEvent') });
    const refused = refusals.reduce((a, r) => a + BigInt(r.count), 0n);
    if (actor && scope('UsageDailyRollup')) cards.push({ label: `Refused (429), ${days} days`, value: number(refused) });

    return {
      scope: superadmin ? 'All organizations' : (ownOrg ?? 'Your organization'),
      month: since.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
      days,
      cards,
      series,
      top: { organizations: topOrgs, models: topModels, users: topUsers, keys: topKeys },
      gauges,
      refusals,
      audit: audit.map((a) => ({
        id: a.id,
        occurredAt: a.occurredAt.toISOString(),
        actorLabel: a.actorLabel,
        action: a.action,
        resource: a.resource,
        href: context.h.recordActionUrl({ resourceId: 'AuditLog', recordId: a.id, actionName: 'show' }),
      })),
      topModels: topModels.map((m) => ({
        name: m.name,
        tokens: number(m.tokens),
        requests: number(m.requests),
        href: m.id ? context.h.recordActionUrl({ resourceId: 'AiModel', recordId: m.id, actionName: 'show' }) : undefined,
      })),
    };
  };
}
