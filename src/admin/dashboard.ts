import type { PageContext, PageHandler } from 'adminjs';
import type { PrismaClient } from '@prisma/client';
import { readAsTenant } from '../db/tenant-context.js';
import type { AppDeps } from '../app.js';
import { periodStart } from '../domain/quotas/period.js';
import { actorFromAdmin, rowScope } from './auth/admin-access.js';
import { usageSeries, topModelsOf, topUsage, refusalCounts, CHART_WINDOWS, type UsageSeries, type TopEntry } from '../domain/usage-reports/usage-charts.js';
import { quotaGauges, type QuotaGauge } from '../domain/usage-reports/quota-gauges.js';
import { rollupsFor } from '../domain/usage-reports/rollup-tables.js';

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
export function dashboardHandler(deps: Pick<AppDeps, 'db'>): PageHandler {
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
    const monthWhere = rollupScope ? and(rollupScope, { day: { gte: since } }) : null;

    const none = Promise.resolve([] as TopEntry[]);
    // One transaction for a tenant's whole page (readAsTenant): a dozen reads,
    // each its own transaction, would take a dozen pooled connections at once,
    // and more of them than the pool holds never finish (every connection holds
    // a BEGIN while its next statement waits for a free connection).
    const read = (db: PrismaClient) => Promise.all([
      orgScope && superadmin ? db.organization.count({ where: and(orgScope, { isActive: true }) }) : null,
      userScope ? db.user.count({ where: and(userScope, { status: 'ACTIVE' }) }) : null,
      keyScope ? db.apiKey.count({ where: and(keyScope, { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }) }) : null,
      realmScope ? db.realm.count({ where: and(realmScope, { isActive: true }) }) : null,
      rollupScope ? rollupsFor(db, monthWhere!).aggregate({ where: monthWhere, _sum: { totalTokens: true, requests: true } }) : null,
      actor ? usageSeries(db, actor, { days, now }) : { days: [], models: [] },
      actor && superadmin ? topUsage(db, actor, { by: 'organizationId', days, now }) : none,
      actor && admin?.role !== 'USER' ? topUsage(db, actor, { by: 'userId', days, now }) : none,
      actor ? topUsage(db, actor, { by: 'apiKeyId', days, now }) : none,
      actor ? quotaGauges(db, actor, { now }) : [],
      actor ? refusalCounts(db, actor, { days, now }) : [],
      auditScope ? db.auditLog.findMany({ where: auditScope, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }], take: 8, select: { id: true, occurredAt: true, actorLabel: true, action: true, resource: true } }) : [],
      admin?.organizationId && orgScope ? db.organization.findFirst({ where: and(orgScope, { id: admin.organizationId as string }), select: { name: true } }) : null,
    ]);
    const [orgs, users, keys, realms, month, series, topOrgs, topUsers, topKeys, gauges, refusals, audit, ownOrg] = await readAsTenant(deps.db, read);
    const topModels = topModelsOf(series);

    const cards: DashboardData['cards'] = [];
    if (orgs !== null) cards.push({ label: 'Active organizations', value: number(orgs), href: href('Organization') });
    if (users !== null) cards.push({ label: 'Active users', value: number(users), href: href('User') });
    if (realms !== null) cards.push({ label: 'Active realms', value: number(realms), href: href('Realm') });
    if (keys !== null) cards.push({ label: 'Usable API keys', value: number(keys), hint: 'Not revoked, not expired', href: href('ApiKey') });
    if (month) cards.push({ label: 'Tokens this month', value: number(month._sum.totalTokens), hint: `${number(month._sum.requests)} requests`, href: href('UsageEvent') });
    const refused = refusals.reduce((a, r) => a + BigInt(r.count), 0n);
    if (actor && scope('UsageDailyRollup')) cards.push({ label: `Refused (429), ${days} days`, value: number(refused) });

    return {
      scope: superadmin ? 'All organizations' : (ownOrg?.name ?? 'Your organization'),
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
