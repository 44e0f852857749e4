import type { ResourceFactory } from './resource-spec.js';
import { screen } from './screen-kit.js';

/** Ingestion jobs: a document's way into a knowledge base. */
export const ingestionJobResource: ResourceFactory = () => ({
  options: {
    ...screen({
      // The document link shows its name: documentName beside it was the same column twice.
      list: ['document', 'realm', 'status', 'percentage', 'startedAt', 'endedAt'],
      filter: ['documentName', 'organization', 'user', 'realm', 'document', 'status', 'startedAt'],
      show: ['documentName', 'documentType', 'document', 'organization', 'user', 'realm', 'status', 'percentage', 'summary', 'startedAt', 'endedAt', 'createdAt', 'updatedAt', 'id'],
      edit: ['documentName', 'documentType', 'document', 'organization', 'user', 'realm', 'status', 'percentage', 'summary', 'startedAt', 'endedAt'],
      properties: { summary: { type: 'textarea' } },
      titleProperty: 'documentName',
    }),
    sort: { sortBy: 'startedAt', direction: 'desc' },
  },
});
