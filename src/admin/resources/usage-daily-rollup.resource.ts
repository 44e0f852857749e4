import { READ_ONLY_ACTIONS, type ResourceFactory } from './resource-spec.js';
import { quantity, screen } from './screen-kit.js';

/** Daily sums of the ledger (written by the system): for charts and stats. */
export const usageDailyRollupResource: ResourceFactory = () => ({
  options: {
    ...screen({
      list: ['day', 'organization', 'model', 'user', 'totalTokens', 'requests'],
      filter: ['day', 'organization', 'model', 'user', 'apiKey'],
      show: ['day', 'organization', 'model', 'user', 'apiKey', 'inputTokens', 'outputTokens', 'totalTokens', 'requests', 'events', 'updatedAt', 'id'],
      properties: {
        inputTokens: quantity('0'),
        outputTokens: quantity('0'),
        totalTokens: quantity('0'),
        requests: quantity('0'),
        events: quantity('0'),
        day: { type: 'date' },
      },
    }),
    sort: { sortBy: 'day', direction: 'desc' },
    actions: { ...READ_ONLY_ACTIONS },
  },
});
