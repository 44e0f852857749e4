import type { ResourceFactory } from './resource-spec.js';

/**
 * Signed-in sessions (connect-pg-simple's table). The session JSON is secret;
 * user_id, organization_id, ip and user_agent are generated from it. Ending a
 * session = deleting its row.
 */
export const sessionResource: ResourceFactory = () => ({
  options: {
    listProperties: ['userId', 'organizationId', 'ip', 'userAgent', 'expire'],
    sort: { sortBy: 'expire', direction: 'desc' },
    actions: {
      new: { isAccessible: false },
      edit: { isAccessible: false },
    },
  },
});
