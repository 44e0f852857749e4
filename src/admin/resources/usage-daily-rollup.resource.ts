import { READ_ONLY_ACTIONS, type ResourceFactory } from './resource-spec.js';
import { quantity, screen } from './screen-kit.js';

/**
 * Daily sums of the ledger (written by the system): for charts and stats.
 * Sorted by day only: every filter has an index that leads with it or ends in
 * day, but a sort by tokens would order all of the rows (1.45M at ten million
 * ledger rows). Totals are capped like the ledger's (RealmgateResource.count).
 */
export const usageDailyRollupResource: ResourceFactory = () => ({
  options: {
    ...screen({
      list: ['day', 'organization', 'model', 'user', 'totalTokens', 'requests'],
      filter: ['day', 'organization', 'model', 'user', 'apiKey'],
      show: ['day', 'organization', 'model', 'user', 'apiKey', 'inputTokens', 'outputTokens', 'totalTokens', 'requests', 'events', 'updatedAt', 'id'],
      properties: {
        inputTokens: quantity('0'),
        outputTokens: quantity('0'),
        totalTokens: { ...quantity('0'), isSortable: false },
        requests: { ...quantity('0'), isSortable: false },
        events: quantity('0'),
        organization: { isSortable: false },
        model: { isSortable: false },
        user: { isSortable: false },
        day: { type: 'date' },
      },
    }),
    sort: { sortBy: 'day', direction: 'desc' },
    actions: { ...READ_ONLY_ACTIONS },
  },
});
