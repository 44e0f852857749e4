import type { OrganizationType, PricingPlan, Prisma, UserRole, UserStatus } from '@prisma/client';
import { demoId } from './deterministic-id.js';
import { DEMO_MODELS, isEligible } from './demo-models.js';

/** Demo organizations: every plan, several types, each with resource quotas. */
export interface DemoOrg {
  key: string;
  name: string;
  description: string;
  type: OrganizationType;
  pricingPlan: PricingPlan;
  monthlyTokenQuota: bigint | null;
  documentQuota: number | null;
  storageQuotaBytes: bigint | null;
  monthlyApiCallQuota: number | null;
  /** Rough tokens per weekday, for the synthetic usage history. */
  dailyTokens: number;
  /** Events per day, min and max. */
  eventsPerDay: [number, number];
}

const GiB = 1024n ** 3n;

export const DEMO_ORGS: DemoOrg[] = [
  { key: 'acme', name: 'Acme Marketing', description: 'Full-service digital marketing agency.', type: 'MARKETING', pricingPlan: 'PRO', monthlyTokenQuota: 2_000_000n, documentQuota: 5_000, storageQuotaBytes: 100n * GiB, monthlyApiCallQuota: 1_000_000, dailyTokens: 24_000, eventsPerDay: [6, 12] },
  { key: 'lex', name: 'Lex & Co Solicitors', description: 'Commercial and immigration law firm.', type: 'SOLICITOR', pricingPlan: 'ENTERPRISE', monthlyTokenQuota: 10_000_000n, documentQuota: null, storageQuotaBytes: 1024n * GiB, monthlyApiCallQuota: null, dailyTokens: 60_000, eventsPerDay: [10, 16] },
  { key: 'pulse', name: 'Pulse Health Clinic', description: 'Private GP and physiotherapy clinic.', type: 'HEALTHCARE', pricingPlan: 'PRO', monthlyTokenQuota: 2_000_000n, documentQuota: 5_000, storageQuotaBytes: 100n * GiB, monthlyApiCallQuota: 1_000_000, dailyTokens: 12_000, eventsPerDay: [4, 8] },
  { key: 'brightside', name: 'Brightside Realty', description: 'Independent estate agent with three branches.', type: 'REAL_ESTATE', pricingPlan: 'STARTER', monthlyTokenQuota: 500_000n, documentQuota: 500, storageQuotaBytes: 10n * GiB, monthlyApiCallQuota: 100_000, dailyTokens: 7_000, eventsPerDay: [3, 7] },
  { key: 'northwind', name: 'Northwind Tutors', description: 'Online tutoring for GCSE and A-level students.', type: 'EDUCATION', pricingPlan: 'FREE', monthlyTokenQuota: 100_000n, documentQuota: 50, storageQuotaBytes: 1n * GiB, monthlyApiCallQuota: 10_000, dailyTokens: 1_500, eventsPerDay: [2, 5] },
];

export interface DemoUser {
  key: string;
  org: string;
  username: string;
  email: string;
  displayName: string;
  role: UserRole;
  status: UserStatus;
}

const user = (org: string, domain: string, first: string, role: Exclude<UserRole, 'SUPERADMIN'>, status: UserStatus = 'ACTIVE'): DemoUser => {
  const username = `${first}.${role.toLowerCase()}`;
  return { key: username, org, username, email: `${username}@${domain}`, displayName: `${first[0]!.toUpperCase()}${first.slice(1)} (${role.toLowerCase()})`, role, status };
};

/** Every role in more than one org; one inactive account to show statuses. */
export const DEMO_USERS: DemoUser[] = [
  user('acme', 'acme.example', 'alice', 'ADMIN'),
  user('acme', 'acme.example', 'bob', 'USER'),
  user('acme', 'acme.example', 'carol', 'VIEWER'),
  user('lex', 'lexco.example', 'dan', 'ADMIN'),
  user('lex', 'lexco.example', 'erin', 'USER'),
  user('lex', 'lexco.example', 'frank', 'USER'),
  user('lex', 'lexco.example', 'gina', 'VIEWER'),
  user('pulse', 'pulse.example', 'hana', 'ADMIN'),
  user('pulse', 'pulse.example', 'ivan', 'USER'),
  user('brightside', 'brightside.example', 'jude', 'ADMIN'),
  user('brightside', 'brightside.example', 'kim', 'USER'),
  user('brightside', 'brightside.example', 'leo', 'VIEWER', 'INACTIVE'),
  user('northwind', 'northwind.example', 'maya', 'ADMIN'),
  user('northwind', 'northwind.example', 'nico', 'USER'),
  user('northwind', 'northwind.example', 'olga', 'VIEWER'),
];

export const orgId = (key: string): string => demoId('organization', key);
export const userId = (key: string): string => demoId('user', key);

export function orgRows(): Prisma.OrganizationCreateManyInput[] {
  return DEMO_ORGS.map((o) => ({
    id: orgId(o.key),
    name: o.name,
    description: o.description,
    type: o.type,
    pricingPlan: o.pricingPlan,
    isActive: true,
    monthlyTokenQuota: o.monthlyTokenQuota,
    documentQuota: o.documentQuota,
    storageQuotaBytes: o.storageQuotaBytes,
    monthlyApiCallQuota: o.monthlyApiCallQuota,
  }));
}

/** `hashes` holds one argon2 hash per user key (each user has its own salt). */
export function userRows(hashes: Map<string, string>, now: Date): Prisma.UserCreateManyInput[] {
  return DEMO_USERS.filter((u) => hashes.has(u.key)).map((u) => ({
    id: userId(u.key),
    organizationId: orgId(u.org),
    username: u.username,
    email: u.email,
    displayName: u.displayName,
    passwordHash: hashes.get(u.key)!,
    role: u.role,
    status: u.status,
    passwordChangedAt: now,
  }));
}

/** Per-org overrides of a model's per-user limit (org key → model key → tokens). */
const ORG_USER_LIMITS: Record<string, Record<string, number>> = {
  acme: { 'blog-writer': 40_000 },
  lex: { 'legal-analyst': 80_000 },
};

/** One access row per eligible (org, model): the targeting rule decides, nothing is hand-picked. */
export function accessRows(modelIdFor: (key: string) => string, now: Date): Prisma.OrganizationModelAccessCreateManyInput[] {
  const rows: Prisma.OrganizationModelAccessCreateManyInput[] = [];
  for (const org of DEMO_ORGS) {
    for (const m of DEMO_MODELS) {
      if (!isEligible(m, org)) continue;
      // Trials count from firstEnabledAt: start the demo trial recently so it is still running.
      const daysAgo = m.isTrial ? 10 : 120;
      rows.push({
        id: demoId('model-access', `${org.key}/${m.key}`),
        organizationId: orgId(org.key),
        modelId: modelIdFor(m.key),
        isEnabledForUsers: true,
        tokenLimitPerUser: ORG_USER_LIMITS[org.key]?.[m.key] ?? null,
        firstEnabledAt: new Date(now.getTime() - daysAgo * 86_400_000),
      });
    }
  }
  return rows;
}

/** Per-user overrides set by an org admin: a tighter limit and a model switched off for one user. */
export const DEMO_USER_LIMITS: { user: string; model: string; isEnabled: boolean; tokenLimit: number | null }[] = [
  { user: 'bob.user', model: 'blog-writer', isEnabled: true, tokenLimit: 20_000 },
  { user: 'frank.user', model: 'legal-analyst', isEnabled: true, tokenLimit: 30_000 },
  { user: 'gina.viewer', model: 'legal-analyst', isEnabled: false, tokenLimit: null },
];

export function userLimitRows(modelIdFor: (key: string) => string): Prisma.UserModelLimitCreateManyInput[] {
  return DEMO_USER_LIMITS.map((l) => {
    const u = DEMO_USERS.find((x) => x.key === l.user)!;
    return {
      id: demoId('user-model-limit', `${l.user}/${l.model}`),
      organizationId: orgId(u.org),
      userId: userId(u.key),
      modelId: modelIdFor(l.model),
      isEnabled: l.isEnabled,
      tokenLimit: l.tokenLimit,
    };
  });
}

/** The per-user monthly token limit in force: user override, then org override, then the model's own. */
export function effectiveUserLimit(userKey: string, orgKey: string, modelKey: string): number | null {
  const u = DEMO_USER_LIMITS.find((l) => l.user === userKey && l.model === modelKey);
  if (u) return u.isEnabled ? u.tokenLimit ?? modelLimit(modelKey) : 0;
  return ORG_USER_LIMITS[orgKey]?.[modelKey] ?? modelLimit(modelKey);
}

const modelLimit = (modelKey: string): number | null => DEMO_MODELS.find((m) => m.key === modelKey)!.tokenLimitAmount;
