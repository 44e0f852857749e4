import type { ResourceFactory } from './resource-spec.js';
import { screen } from './screen-kit.js';

/**
 * Messages of chat sessions: a table that grows with traffic. Sorted by time
 * (its own index) or by session (session_id, created_at) only: a sort by text,
 * role, user or tokens would order every message in scope before the first
 * page. Totals are capped like the ledger's (RealmgateResource.count).
 */
export const chatMessageResource: ResourceFactory = () => ({
  options: {
    ...screen({
      list: ['createdAt', 'session', 'role', 'content', 'user', 'tokens'],
      filter: ['organization', 'session', 'user', 'role', 'createdAt'],
      show: ['session', 'role', 'content', 'user', 'organization', 'tokens', 'createdAt', 'id'],
      edit: ['session', 'role', 'content', 'user', 'organization', 'tokens'],
      properties: {
        content: { type: 'textarea', isSortable: false },
        role: { isSortable: false },
        user: { isSortable: false },
        tokens: { isSortable: false },
      },
      titleProperty: 'content',
    }),
    sort: { sortBy: 'createdAt', direction: 'desc' },
  },
});
