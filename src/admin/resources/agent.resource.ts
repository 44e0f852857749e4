import type { ResourceFactory } from './resource-spec.js';
import { screen } from './screen-kit.js';

/** Assistants offered to organizations (no organization = offered to all). */
export const agentResource: ResourceFactory = () => ({
  options: {
    ...screen({
      list: ['displayName', 'key', 'organization', 'model', 'status', 'isActive'],
      filter: ['name', 'key', 'organization', 'model', 'status', 'isActive'],
      show: ['displayName', 'name', 'key', 'description', 'organization', 'model', 'status', 'isActive', 'createdAt', 'updatedAt', 'id'],
      edit: ['displayName', 'name', 'key', 'description', 'organization', 'model', 'status', 'isActive'],
      properties: {
        description: { type: 'textarea' },
        organization: { description: 'Empty = offered to every organization.' },
        key: { description: 'Stable identifier used by apps.' },
      },
    }),
    sort: { sortBy: 'name', direction: 'asc' },
  },
});
