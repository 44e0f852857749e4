import type { ResourceFactory } from './resource-spec.js';
import { screen } from './screen-kit.js';

/** Messages of chat sessions. */
export const chatMessageResource: ResourceFactory = () => ({
  options: {
    ...screen({
      list: ['createdAt', 'session', 'role', 'content', 'user', 'tokens'],
      filter: ['organization', 'session', 'user', 'role', 'createdAt'],
      show: ['session', 'role', 'content', 'user', 'organization', 'tokens', 'createdAt', 'id'],
      edit: ['session', 'role', 'content', 'user', 'organization', 'tokens'],
      properties: { content: { type: 'textarea' } },
      titleProperty: 'content',
    }),
    sort: { sortBy: 'createdAt', direction: 'desc' },
  },
});
