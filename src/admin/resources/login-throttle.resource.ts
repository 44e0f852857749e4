import { READ_ONLY_ACTIONS, type ResourceFactory } from './resource-spec.js';
import { screen } from './screen-kit.js';

/** The per-IP sign-in throttle (written by sign-in); superadmins may delete a row to lift a block. */
export const loginThrottleResource: ResourceFactory = () => ({
  options: {
    ...screen({
      list: ['ip', 'attempts', 'windowStart', 'blockedUntil'],
      filter: ['ip', 'blockedUntil'],
      show: ['ip', 'attempts', 'windowStart', 'blockedUntil'],
      titleProperty: 'ip',
    }),
    sort: { sortBy: 'windowStart', direction: 'desc' },
    actions: { new: READ_ONLY_ACTIONS.new, edit: READ_ONLY_ACTIONS.edit },
  },
});
