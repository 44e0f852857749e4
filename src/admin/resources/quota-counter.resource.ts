import { linkRecords } from './record-links.js';
import type { ResourceFactory } from './resource-spec.js';
import { quantity, recordLink, screen } from './screen-kit.js';

const SUBJECT_RESOURCE: Record<string, string> = { ORGANIZATION: 'Organization', USER: 'User', API_KEY: 'ApiKey' };

/**
 * Quota counters (moved only by domain functions). The subject is a
 * polymorphic id (organization, user or API key): shown as a link by name.
 */
export const quotaCounterResource: ResourceFactory = () => {
  const links = linkRecords({
    subjectId: (p) => (p.subjectId && SUBJECT_RESOURCE[p.subjectType] ? { resource: SUBJECT_RESOURCE[p.subjectType]!, id: String(p.subjectId) } : null),
  });
  return {
    options: {
      ...screen({
        list: ['subjectType', 'subjectId', 'metric', 'model', 'period', 'periodStart', 'used', 'limitValue'],
        filter: ['organization', 'subjectType', 'metric', 'model', 'period', 'periodStart'],
        show: [
          'organization', 'subjectType', 'subjectId', 'metric', 'model', 'period', 'periodStart', 'used', 'reserved', 'limitValue',
          'generation', 'lastResetAt', 'createdAt', 'updatedAt', 'id',
        ],
        properties: {
          subjectId: { ...recordLink({ list: true, filter: false, show: true, edit: false }) },
          model: { description: 'Empty = all models.' },
          used: quantity('0'),
          reserved: quantity('0'),
          limitValue: quantity('Unlimited'),
          generation: { description: 'Bumped by each reset.' },
        },
      }),
      sort: { sortBy: 'periodStart', direction: 'desc' },
      actions: { list: { after: [links] }, show: { after: [links] } },
    },
  };
};
