import type { ResourceFactory } from './resource-spec.js';
import { iconName, screen } from './screen-kit.js';

/** Tools assistants may call (global). */
export const toolResource: ResourceFactory = () => ({
  options: {
    ...screen({
      list: ['name', 'key', 'category', 'status', 'isEnabled', 'routePath'],
      filter: ['name', 'key', 'category', 'status', 'isEnabled'],
      show: ['emoji', 'name', 'key', 'description', 'category', 'status', 'routePath', 'isEnabled', 'createdAt', 'updatedAt', 'id'],
      edit: ['name', 'emoji', 'key', 'description', 'category', 'status', 'routePath', 'isEnabled'],
      properties: { name: iconName('emoji'), description: { type: 'textarea' } },
    }),
    sort: { sortBy: 'name', direction: 'asc' },
  },
});
