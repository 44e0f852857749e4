import { humanizeEnumValue } from './labels.js';
import { relatedRecords } from './related-records.js';
import type { ResourceFactory } from './resource-spec.js';
import { quantity, screen, when } from './screen-kit.js';

const UNLIMITED = 'Empty = unlimited.';

/** Organizations: plan and quotas at a glance; the show page lists its users, realms and model access. */
export const organizationResource: ResourceFactory = ({ db }) => {
  const related = relatedRecords(db, [
    {
      title: 'Users',
      resource: 'User',
      where: (id) => ({ organizationId: id }),
      filter: 'organization',
      columns: ['Email', 'Name', 'Role', 'Status', 'Last sign-in'],
      select: { email: true, displayName: true, role: true, status: true, lastLoginAt: true },
      orderBy: [{ role: 'asc' }, { email: 'asc' }],
      cells: (u) => [u.email, u.displayName ?? '', humanizeEnumValue('UserRole', u.role), humanizeEnumValue('UserStatus', u.status), when(u.lastLoginAt)],
      muted: (u) => u.status !== 'ACTIVE',
    },
    {
      title: 'Realms',
      resource: 'Realm',
      where: (id) => ({ organizationId: id }),
      filter: 'organization',
      columns: ['Name', 'Owner', 'Default', 'Active'],
      select: { name: true, isDefault: true, isActive: true, owner: { select: { email: true } } },
      orderBy: [{ isActive: 'desc' }, { name: 'asc' }],
      cells: (r) => [r.name, r.owner?.email ?? '', r.isDefault ? 'Yes' : 'No', r.isActive ? 'Yes' : 'No'],
      muted: (r) => !r.isActive,
    },
    {
      title: 'Model access',
      resource: 'OrganizationModelAccess',
      where: (id) => ({ organizationId: id }),
      filter: 'organization',
      columns: ['AI model', 'Enabled for users', 'Token limit per user', 'First enabled'],
      select: { isEnabledForUsers: true, tokenLimitPerUser: true, firstEnabledAt: true, model: { select: { name: true } } },
      orderBy: { model: { sortOrder: 'asc' } },
      cells: (a) => [
        a.model?.name ?? '',
        a.isEnabledForUsers ? 'Yes' : 'No',
        a.tokenLimitPerUser == null ? "Model's limit" : Number(a.tokenLimitPerUser).toLocaleString('en-US'),
        when(a.firstEnabledAt),
      ],
      muted: (a) => !a.isEnabledForUsers,
    },
  ]);

  return {
    options: {
      ...screen({
        list: ['name', 'type', 'pricingPlan', 'isActive', 'monthlyTokenQuota', 'createdAt'],
        filter: ['name', 'type', 'pricingPlan', 'isActive', 'createdAt'],
        show: ['name', 'description', 'type', 'pricingPlan', 'isActive', 'monthlyTokenQuota', 'monthlyApiCallQuota', 'documentQuota', 'storageQuotaBytes', 'createdAt', 'updatedAt', 'id', 'related'],
        edit: ['name', 'description', 'type', 'pricingPlan', 'isActive', 'monthlyTokenQuota', 'monthlyApiCallQuota', 'documentQuota', 'storageQuotaBytes'],
        properties: {
          description: { type: 'textarea' },
          pricingPlan: { description: 'Decides which AI models the organization may use (FREE < STARTER < PRO < ENTERPRISE).' },
          monthlyTokenQuota: quantity('Unlimited', undefined, UNLIMITED),
          monthlyApiCallQuota: quantity('Unlimited', undefined, UNLIMITED),
          documentQuota: quantity('Unlimited', undefined, UNLIMITED),
          storageQuotaBytes: quantity('Unlimited', 'bytes', `In bytes. ${UNLIMITED}`),
          related: related.property,
        },
      }),
      sort: { sortBy: 'name', direction: 'asc' },
      actions: { show: { after: [related.after] } },
    },
  };
};
