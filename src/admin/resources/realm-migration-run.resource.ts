import type { ResourceFactory } from './resource-spec.js';
import { quantity, screen } from './screen-kit.js';

/** Runs of the realm migration (journal written by the system). */
export const realmMigrationRunResource: ResourceFactory = () => ({
  options: {
    ...screen({
      list: ['startedAt', 'status', 'startedBy', 'rowsDone', 'rowsTotal', 'realmsCreated', 'finishedAt'],
      filter: ['status', 'startedBy', 'startedAt'],
      show: ['startedAt', 'status', 'startedBy', 'batchSize', 'rowsDone', 'rowsTotal', 'realmsCreated', 'error', 'heartbeatAt', 'finishedAt', 'id'],
      properties: { rowsDone: quantity('0'), rowsTotal: quantity('0'), realmsCreated: quantity('0'), batchSize: quantity() },
      titleProperty: 'startedAt',
    }),
    sort: { sortBy: 'startedAt', direction: 'desc' },
  },
});
