import type { PageContext, PageHandler } from 'adminjs';
import type { AppDeps } from '../app.js';
import { periodStart } from '../domain/quotas/period.js';
import { rowScope } from './auth/admin-access.js';

type Where = Record<string, unknown>;

export interface DashboardData {
  scope: string;
  month: string;
  cards: { label: string; value: string; hint?: string; href?: string }[];
  topModels: { name: string; tokens: string; requests: string; href?: string }[];
}

const number = (n: number | bigint | null | undefined) => (n == null ? '0' : BigInt(n).toLocaleString('en-US'));
const and = (scope: Where, where: Where): Where => (Object.keys(scope).length ? { AND: [scope, where] } : where);

/**
 * The dashboard's numbers for the signed-in admin: each count uses the same row
 * scope as that resource's list (so a card never counts what its list would not
 * show), and runs inside the request, under its row-level-security tenant.
 * Tokens come from the usage ledger since the start of the UTC month.
 */
export function dashboardHandler({ db }: Pick<AppDeps, 'db'>): PageHandler {
  return async (_request: unknown, _response: unknown, context: PageContext): Promise<DashboardData> => {
    const admin = context.currentAdmin;
    const scope = (resource: string): Where | null => rowScope(admin, resource, 'read');
    const since = periodStart('MONTHLY');
    const href = (resourceId: string) => context.h.resourceUrl({ resourceId });

    const orgScope = scope('Organization');
    const userScope = scope('User');
    const keyScope = scope('ApiKey');
    const realmScope = scope('Realm');
    const usageScope = scope('UsageEvent');
    const now = new Date();

    const [orgs, users, keys, realms, usage, byModel, ownOrg] = await Promise.all([
      // Other roles see their own organization only: a count of one says nothing.
      orgScope && admin?.role === 'SUPERADMIN' ? db.organization.count({ where: and(orgScope, { isActive: true }) }) : null,
      userScope ? db.user.count({ where: and(userScope, { status: 'ACTIVE' }) }) : null,
      keyScope ? db.apiKey.count({ where: and(keyScope, { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }) }) : null,
      realmScope ? db.realm.count({ where: and(realmScope, { isActive: true }) }) : null,
      usageScope ? db.usageEvent.aggregate({ where: and(usageScope, { occurredAt: { gte: since } }), _sum: { totalTokens: true, requests: true } }) : null,
      usageScope
        ? db.usageEvent.groupBy({ by: ['modelId'], where: and(usageScope, { occurredAt: { gte: since } }), _sum: { totalTokens: true, requests: true }, orderBy: { _sum: { totalTokens: 'desc' } }, take: 5 })
        : [],
      admin?.organizationId && orgScope ? db.organization.findFirst({ where: and(orgScope, { id: admin.organizationId as string }), select: { name: true } }) : null,
    ]);

    const modelIds = byModel.map((r) => r.modelId).filter((id): id is string => !!id);
    const modelScope = scope('AiModel');
    const models = modelIds.length && modelScope ? await db.aiModel.findMany({ where: and(modelScope, { id: { in: modelIds } }), select: { id: true, name: true, icon: true } }) : [];
    const modelById = new Map(models.map((m) => [m.id, m]));

    const cards: DashboardData['cards'] = [];
    if (orgs !== null) cards.push({ label: 'Active organizations', value: number(orgs), href: href('Organization') });
    if (users !== null) cards.push({ label: 'Active users', value: number(users), href: href('User') });
    if (realms !== null) cards.push({ label: 'Active realms', value: number(realms), href: href('Realm') });
    if (keys !== null) cards.push({ label: 'Usable API keys', value: number(keys), hint: 'Not revoked, not expired', href: href('ApiKey') });
    if (usage) {
      cards.push({ label: 'Tokens this month', value: number(usage._sum.totalTokens), hint: `${number(usage._sum.requests)} requests`, href: href('UsageEvent') });
    }

    const data: DashboardData = {
      scope: admin?.role === 'SUPERADMIN' ? 'All organizations' : (ownOrg?.name ?? 'Your organization'),
      month: since.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
      cards,
      topModels: byModel.map((r) => {
        const m = r.modelId ? modelById.get(r.modelId) : undefined;
        return {
          name: m ? `${m.icon ? `${m.icon} ` : ''}${m.name}` : r.modelId ? 'Model no longer available' : 'No model',
          tokens: number(r._sum.totalTokens),
          requests: number(r._sum.requests),
          href: m ? context.h.recordActionUrl({ resourceId: 'AiModel', recordId: m.id, actionName: 'show' }) : undefined,
        };
      }),
    };
    return data;
  };
}
